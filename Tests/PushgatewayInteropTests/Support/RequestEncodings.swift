// Request-body encodings upstream decodes (spec §1.1), built without compression libraries.

/// A gzip member (RFC 1952) holding `bytes` in stored (uncompressed) deflate blocks: valid for every gzip
/// reader, and needs no zlib in the test target.
func gzipStored(_ bytes: [UInt8]) -> [UInt8] {
    // Header: magic, CM=deflate, no flags, MTIME 0, XFL 0, OS unknown.
    var output: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xFF]
    var start = 0
    repeat {
        let end = min(start + 0xFFFF, bytes.count)
        let length = UInt16(end - start)
        output.append(end == bytes.count ? 0x01 : 0x00)  // BFINAL on the last block, BTYPE 00 = stored
        output += littleEndian(UInt32(length), width: 2)
        output += littleEndian(UInt32(~length), width: 2)
        output += bytes[start..<end]
        start = end
    } while start < bytes.count
    output += littleEndian(crc32(bytes), width: 4)
    output += littleEndian(UInt32(truncatingIfNeeded: bytes.count), width: 4)
    return output
}

/// CRC-32 (IEEE 802.3, reflected, as gzip uses it).
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
    }
    return ~crc
}

private func littleEndian(_ value: UInt32, width: Int) -> [UInt8] {
    (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// A snappy framing-format stream (the `sNaPpY` stream upstream's request decoding reads) holding `bytes` in
/// uncompressed chunks.
func snappyFramed(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = [0xFF, 0x06, 0x00, 0x00] + Array("sNaPpY".utf8)
    var start = 0
    repeat {
        let end = min(start + 65_536, bytes.count)
        let chunk = Array(bytes[start..<end])
        let checksum = crc32c(chunk)
        let masked = ((checksum >> 15) | (checksum << 17)) &+ 0xA282_EAD8
        output.append(0x01)  // uncompressed data chunk
        output += littleEndian(UInt32(chunk.count + 4), width: 3)
        output += littleEndian(masked, width: 4)
        output += chunk
        start = end
    } while start < bytes.count
    return output
}

/// CRC-32C (Castagnoli, reflected), as snappy framing uses it.
func crc32c(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = (crc & 1) == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
    }
    return ~crc
}
