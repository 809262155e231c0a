/// A reflected CRC-32, one table per polynomial: IEEE 802.3 as zlib and gzip compute it (gzip bodies, the
/// persistence file) and Castagnoli (CRC-32C, the checksum of snappy's framing format).
package struct CRC32: Sendable {
    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320): zlib's `crc32`.
    package static let ieee = CRC32(reflectedPolynomial: 0xEDB8_8320)
    /// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
    package static let castagnoli = CRC32(reflectedPolynomial: 0x82F6_3B78)

    private let table: [UInt32]

    private init(reflectedPolynomial: UInt32) {
        self.table = (0..<256).map { index in
            var value = UInt32(index)
            for _ in 0..<8 {
                value = value & 1 == 1 ? (value >> 1) ^ reflectedPolynomial : value >> 1
            }
            return value
        }
    }

    /// The checksum of `bytes`, or of the bytes before them (whose checksum is `previous`) and `bytes` together.
    package func checksum(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        self.table.withUnsafeBufferPointer { table in
            var crc: UInt32 = ~previous
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
            return ~crc
        }
    }

    /// The checksum of `bytes`.
    package func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { self.checksum($0) }
    }

    /// The checksum of `bytes`.
    package func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { self.checksum($0) }
    }
}
