import PushgatewayCore

// Snappy request bodies read the way upstream reads them: github.com/golang/snappy's framing-format Reader
// (stream identifier, compressed and uncompressed chunks with masked CRC-32C checksums, skippable chunks),
// with its error texts, which upstream's 400 answers carry. An empty body is an empty push, as in Go.

/// A snappy body Go's reader would reject; ``description`` is Go's error text.
struct SnappyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Go's error text.
    var message: String

    var description: String { self.message }

    static let corrupt = SnappyError(message: "snappy: corrupt input")
    static let unsupported = SnappyError(message: "snappy: unsupported input")
    static let tooLarge = SnappyError(message: "snappy: decoded block is too large")
}

/// Reading framed snappy request bodies.
enum SnappyBody {
    private static let streamIdentifier: [UInt8] = Array("sNaPpY".utf8)
    // Go's limits: a chunk's decoded data is at most 64 KiB, a chunk at most the largest encoding of that
    // plus its checksum.
    private static let maxBlockSize = 65536
    private static let maxChunkLength = 32 + 65536 + 65536 / 6 + 4

    /// The decoded body.
    /// - Throws: ``SnappyError``, or ``BodyTooLargeError`` once the output passes `limit`.
    static func decompress(_ bytes: [UInt8], limit: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        var sawIdentifier = false
        while position < bytes.count {
            guard bytes.count - position >= 4 else { throw SnappyError.corrupt }
            let type = bytes[position]
            let length = Int(bytes[position + 1]) | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3]) << 16
            position += 4
            if !sawIdentifier && type != 0xFF {
                throw SnappyError.corrupt
            }
            sawIdentifier = true
            guard length <= Self.maxChunkLength else { throw SnappyError.unsupported }
            guard bytes.count - position >= length else { throw SnappyError.corrupt }
            let chunk = bytes[position..<(position + length)]
            position += length
            switch type {
            case 0x00, 0x01:
                guard length >= 4 else { throw SnappyError.corrupt }
                let base = chunk.startIndex
                let checksum =
                    UInt32(chunk[base]) | UInt32(chunk[base + 1]) << 8 | UInt32(chunk[base + 2]) << 16 | UInt32(chunk[base + 3]) << 24
                let data: ArraySlice<UInt8>
                if type == 0x00 {
                    data = try Self.decodeBlock(chunk.dropFirst(4))[...]
                } else {
                    guard length - 4 <= Self.maxBlockSize else { throw SnappyError.corrupt }
                    data = chunk.dropFirst(4)
                }
                guard Self.maskedCRC32C(data) == checksum else { throw SnappyError.corrupt }
                guard data.count <= limit - output.count else {
                    throw BodyTooLargeError(limit: limit)
                }
                // Appended with the array's own growth: reserving the exact new size for every chunk copied
                // the whole output each time (quadratic: 22 s for 64 MiB).
                output.append(contentsOf: data)
            case 0xFF:
                guard chunk.elementsEqual(Self.streamIdentifier) else { throw SnappyError.corrupt }
            case 0x02...0x7F:
                throw SnappyError.unsupported
            default:
                break  // skippable chunks and padding
            }
        }
        return output
    }

    /// One snappy block's decoded bytes (at most 64 KiB); copies refer only to bytes of the same block.
    private static func decodeBlock(_ block: ArraySlice<UInt8>) throws(SnappyError) -> [UInt8] {
        var position = block.startIndex
        func byte() throws(SnappyError) -> Int {
            guard position < block.endIndex else { throw SnappyError.corrupt }
            defer { position += 1 }
            return Int(block[position])
        }
        // The decoded length, a varint.
        var decodedLength = 0
        var shift = 0
        while true {
            let next = try byte()
            guard shift < 35 else { throw SnappyError.corrupt }
            decodedLength |= (next & 0x7F) << shift
            if next & 0x80 == 0 { break }
            shift += 7
        }
        guard decodedLength <= 0xFFFF_FFFF else { throw SnappyError.tooLarge }
        guard decodedLength <= Self.maxBlockSize else { throw SnappyError.corrupt }
        var output: [UInt8] = []
        output.reserveCapacity(decodedLength)
        let end = decodedLength
        while position < block.endIndex {
            let tag = try byte()
            switch tag & 3 {
            case 0:
                var length = tag >> 2
                if length >= 60 {
                    let extra = length - 59
                    length = 0
                    for index in 0..<extra {
                        length |= try byte() << (8 * index)
                    }
                }
                length += 1
                guard length <= block.endIndex - position, output.count + length <= end else { throw SnappyError.corrupt }
                output.append(contentsOf: block[position..<(position + length)])
                position += length
            default:
                let length: Int
                let offset: Int
                switch tag & 3 {
                case 1:
                    length = 4 + (tag >> 2) & 7
                    offset = (tag & 0xE0) << 3 | (try byte())
                case 2:
                    length = 1 + tag >> 2
                    offset = (try byte()) | (try byte()) << 8
                default:
                    length = 1 + tag >> 2
                    offset = (try byte()) | (try byte()) << 8 | (try byte()) << 16 | (try byte()) << 24
                }
                guard offset > 0, offset <= output.count, length <= end - output.count else { throw SnappyError.corrupt }
                // Byte by byte: a copy may overlap what it is producing (a run).
                for _ in 0..<length {
                    output.append(output[output.count - offset])
                }
            }
        }
        guard output.count == end else { throw SnappyError.corrupt }
        return output
    }

    /// The framing format's checksum: CRC-32C (Castagnoli), rotated and offset.
    static func maskedCRC32C(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        let crc = CRC32.castagnoli.checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// The framing format's checksum of a whole array.
    static func maskedCRC32C(_ bytes: [UInt8]) -> UInt32 {
        Self.maskedCRC32C(bytes[...])
    }
}
