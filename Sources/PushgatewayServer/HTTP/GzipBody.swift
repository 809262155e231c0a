import CompressNIO
import NIOCore
import PushgatewayCore

// Gzip request bodies read the way Go's compress/gzip Reader reads them, because upstream's 400 bodies are
// that reader's errors: gzip.NewReader reads the first member header up front (`EOF` for an empty body,
// `unexpected EOF` for a short one, `gzip: invalid header`), then each member's deflate data, CRC-32 and size
// are checked (`gzip: invalid checksum`) and further members are read until a clean end. The header and trailer
// are parsed here; zlib (through compress-nio, raw deflate) inflates the data. Deflate errors are reported as
// Go's flate package words them, with zlib's input position as the offset.

private let gzipMagic0: UInt8 = 0x1F
private let gzipMagic1: UInt8 = 0x8B
private let gzipMethodDeflate: UInt8 = 8
private let flagHeaderCRC: UInt8 = 1 << 1
private let flagExtra: UInt8 = 1 << 2
private let flagName: UInt8 = 1 << 3
private let flagComment: UInt8 = 1 << 4

/// A gzip body Go's reader would reject; ``description`` is Go's error text.
struct GzipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Go's error text.
    var message: String

    var description: String { self.message }

    static let endOfFile = GzipError(message: "EOF")
    static let unexpectedEndOfFile = GzipError(message: "unexpected EOF")
    static let invalidHeader = GzipError(message: "gzip: invalid header")
    static let invalidChecksum = GzipError(message: "gzip: invalid checksum")
}

/// A request body over `--push.max-body-size`, compressed or decompressed.
struct BodyTooLargeError: Error, Hashable, Sendable {
    /// The limit in bytes.
    var limit: Int
}

/// Reading gzip request bodies.
enum GzipBody {
    /// What `gzip.NewReader` checks before any handler runs: the first member header.
    static func checkHeader(_ bytes: [UInt8]) throws(GzipError) {
        var position = 0
        try self.readHeader(bytes, at: &position, first: true)
    }

    /// The decompressed body: every member, each checked against its CRC-32 and size.
    /// - Throws: ``GzipError`` as Go reports the first problem, or ``BodyTooLargeError`` once the output
    ///   exceeds `limit`.
    static func decompress(_ bytes: [UInt8], limit: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        try self.readHeader(bytes, at: &position, first: true)
        while true {
            let memberStart = output.count
            position = try self.inflate(bytes, from: position, into: &output, limit: limit)
            guard bytes.count - position >= 8 else {
                throw GzipError.unexpectedEndOfFile
            }
            let expectedCRC = self.littleEndian32(bytes, at: position)
            let expectedSize = self.littleEndian32(bytes, at: position + 4)
            position += 8
            let member = output[memberStart...]
            guard CRC32.ieee.checksum(member) == expectedCRC, UInt32(truncatingIfNeeded: member.count) == expectedSize else {
                throw GzipError.invalidChecksum
            }
            // Go's reader is multistream: another member may follow; a clean end is the end of the body.
            guard position < bytes.count else {
                return output
            }
            try self.readHeader(bytes, at: &position, first: false)
        }
    }

    /// Go's `Reader.readHeader`; `EOF` only for a missing first member.
    private static func readHeader(_ bytes: [UInt8], at position: inout Int, first: Bool) throws(GzipError) {
        let available = bytes.count - position
        guard available >= 10 else {
            throw available == 0 && first ? GzipError.endOfFile : GzipError.unexpectedEndOfFile
        }
        guard bytes[position] == gzipMagic0, bytes[position + 1] == gzipMagic1, bytes[position + 2] == gzipMethodDeflate else {
            throw GzipError.invalidHeader
        }
        let headerStart = position
        let flags = bytes[position + 3]
        position += 10
        if flags & flagExtra != 0 {
            guard bytes.count - position >= 2 else { throw GzipError.unexpectedEndOfFile }
            let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            position += 2
            guard bytes.count - position >= length else { throw GzipError.unexpectedEndOfFile }
            position += length
        }
        for flag in [flagName, flagComment] where flags & flag != 0 {
            // Go reads a zero-terminated Latin-1 string into a 512-byte buffer.
            var length = 0
            while true {
                guard length < 512 else { throw GzipError.invalidHeader }
                guard position < bytes.count else { throw GzipError.unexpectedEndOfFile }
                let byte = bytes[position]
                position += 1
                length += 1
                if byte == 0 {
                    break
                }
            }
        }
        if flags & flagHeaderCRC != 0 {
            guard bytes.count - position >= 2 else { throw GzipError.unexpectedEndOfFile }
            let expected = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            let actual = UInt16(truncatingIfNeeded: CRC32.ieee.checksum(bytes[headerStart..<position]))
            position += 2
            guard expected == actual else { throw GzipError.invalidHeader }
        }
    }

    /// Inflates one raw deflate stream starting at `start`; returns the position after it.
    private static func inflate(_ bytes: [UInt8], from start: Int, into output: inout [UInt8], limit: Int) throws -> Int {
        guard start < bytes.count else { throw GzipError.unexpectedEndOfFile }
        let decompressor: ZlibDecompressor
        do {
            decompressor = try ZlibDecompressor(algorithm: .deflate)
        } catch {
            throw GzipError(message: "gzip: cannot start the decompressor: \(error)")
        }
        var input = ByteBuffer(bytes: bytes[start...])
        var chunk = ByteBuffer()
        let chunkSize = 64 * 1024
        while true {
            chunk.clear()
            chunk.reserveCapacity(chunkSize)
            let before = input.readableBytes
            var finished = false
            do {
                try decompressor.inflate(from: &input, to: &chunk)
                finished = true
            } catch let error as CompressNIOError where error == .bufferOverflow {
                // The chunk is full: take it and continue.
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                throw GzipError.unexpectedEndOfFile
            } catch let error as CompressNIOError where error == .corruptData {
                let offset = bytes.count - start - input.readableBytes
                throw GzipError(message: "flate: corrupt input before offset \(offset)")
            }
            output.append(contentsOf: chunk.readableBytesView)
            if output.count > limit {
                throw BodyTooLargeError(limit: limit)
            }
            if finished {
                // zlib returns without an error both at the end of the stream and when the input ran out
                // first; input left over means the stream ended (the trailer follows).
                guard input.readableBytes > 0 else { throw GzipError.unexpectedEndOfFile }
                return bytes.count - input.readableBytes
            }
            if input.readableBytes == 0 || (input.readableBytes == before && chunk.readableBytes == 0) {
                throw GzipError.unexpectedEndOfFile
            }
        }
    }

    private static func littleEndian32(_ bytes: [UInt8], at position: Int) -> UInt32 {
        UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16 | UInt32(bytes[position + 3]) << 24
    }
}
