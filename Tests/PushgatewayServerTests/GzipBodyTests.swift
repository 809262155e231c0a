import Testing

@testable import PushgatewayServer

/// Gzip bodies with Go's compress/gzip error texts.
struct GzipBodyTests {
    @Test func decompressesSingleAndConcatenatedMembers() throws {
        let first = try gzipped("first 1\n")
        let second = try gzipped("second 2\n")
        #expect(String(decoding: try GzipBody.decompress(first, limit: 1024), as: UTF8.self) == "first 1\n")
        #expect(String(decoding: try GzipBody.decompress(first + second, limit: 1024), as: UTF8.self) == "first 1\nsecond 2\n")
    }

    @Test(arguments: [
        ([UInt8](), "EOF"),
        ([0x1F, 0x8B, 0x08, 0, 0], "unexpected EOF"),
        ([0x1F, 0x8C, 0x08, 0, 0, 0, 0, 0, 0, 0], "gzip: invalid header"),
        ([0x1F, 0x8B, 0x07, 0, 0, 0, 0, 0, 0, 0], "gzip: invalid header"),
        // FNAME set but the name never ends.
        ([0x1F, 0x8B, 0x08, 0x08, 0, 0, 0, 0, 0, 0, 0x61, 0x62], "unexpected EOF"),
        // FEXTRA announces more bytes than there are.
        ([0x1F, 0x8B, 0x08, 0x04, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0x01], "unexpected EOF"),
    ])
    func headerErrorsAreGos(bytes: [UInt8], message: String) {
        #expect(throws: GzipError(message: message)) { try GzipBody.checkHeader(bytes) }
        #expect(throws: GzipError(message: message)) { _ = try GzipBody.decompress(bytes, limit: 1024) }
    }

    @Test func headerCRCIsChecked() throws {
        var bytes = try gzipped("x 1\n")
        bytes[3] |= 0x02
        bytes.insert(contentsOf: [0x00, 0x00], at: 10)
        #expect(throws: GzipError.invalidHeader) { try GzipBody.checkHeader(bytes) }
    }

    @Test func streamErrorsAreGos() throws {
        let valid = try gzipped("some metric 1\n")
        var checksum = valid
        checksum[checksum.count - 8] ^= 0xFF
        #expect(throws: GzipError.invalidChecksum) { _ = try GzipBody.decompress(checksum, limit: 1024) }
        var size = valid
        size[size.count - 1] ^= 0xFF
        #expect(throws: GzipError.invalidChecksum) { _ = try GzipBody.decompress(size, limit: 1024) }
        #expect(throws: GzipError.unexpectedEndOfFile) { _ = try GzipBody.decompress(Array(valid.dropLast(4)), limit: 1024) }
        #expect(throws: GzipError.unexpectedEndOfFile) { _ = try GzipBody.decompress(Array(valid.prefix(12)), limit: 1024) }
        // After a member, a partial header is a short read and garbage is a bad header.
        #expect(throws: GzipError.unexpectedEndOfFile) { _ = try GzipBody.decompress(valid + [0x00], limit: 1024) }
        #expect(throws: GzipError.invalidHeader) { _ = try GzipBody.decompress(valid + [UInt8](repeating: 0, count: 10), limit: 1024) }
        // A reserved block type (0b11) is corrupt input.
        let corrupt: [UInt8] = Array(valid.prefix(10)) + [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(throws: GzipError.self) { _ = try GzipBody.decompress(corrupt, limit: 1024) }
        do {
            _ = try GzipBody.decompress(corrupt, limit: 1024)
        } catch let error as GzipError {
            #expect(error.message.hasPrefix("flate: corrupt input before offset "))
        }
    }

    @Test func outputIsCapped() throws {
        let bomb = try gzipped(String(repeating: "a", count: 100_000))
        #expect(throws: BodyTooLargeError(limit: 1000)) { _ = try GzipBody.decompress(bomb, limit: 1000) }
        #expect(try GzipBody.decompress(bomb, limit: 100_000).count == 100_000)
    }
}
