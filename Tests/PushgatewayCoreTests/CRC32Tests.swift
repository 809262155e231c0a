import Testing

@testable import PushgatewayCore

struct CRC32Tests {
    @Test func ieeeMatchesTheStandardCheckValue() {
        // zlib.crc32(b"123456789") == 0xCBF43926, the standard check value.
        #expect(CRC32.ieee.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.ieee.checksum([UInt8]()) == 0)
    }

    @Test func castagnoliMatchesTheStandardCheckValue() {
        // CRC-32C's check value (RFC 3720, appendix B.4).
        #expect(CRC32.castagnoli.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32.castagnoli.checksum([UInt8]()) == 0)
    }

    @Test func slicesAndArraysAgree() {
        let bytes = Array("xx123456789yy".utf8)
        #expect(CRC32.ieee.checksum(bytes[2..<11]) == 0xCBF4_3926)
        #expect(CRC32.castagnoli.checksum(bytes[2..<11]) == 0xE306_9283)
    }
}
