// Varint-delimited framing, in pure Swift: [unsigned varint length][message bytes], repeated.
// The end of input exactly at a frame boundary ends the stream; anywhere else it is `truncated`.

/// Splits a varint-delimited byte stream into message frames.
package struct DelimitedFrameReader {
    /// One frame: the message bytes and where its length prefix started.
    package struct Frame {
        /// The message bytes, a view into the input.
        package var message: UnsafeRawBufferPointer
        /// The offset of the frame's length prefix in the input.
        package var offset: Int
        /// The 0-based index of the frame.
        package var index: Int
    }

    private let bytes: UnsafeRawBufferPointer
    private let maxMessageSize: Int
    private var position = 0
    private var index = 0

    /// Creates a reader over `bytes` that rejects frames longer than `maxMessageSize`.
    package init(_ bytes: UnsafeRawBufferPointer, maxMessageSize: Int) {
        self.bytes = bytes
        self.maxMessageSize = maxMessageSize
    }

    /// The next frame; `nil` at a clean end of input.
    package mutating func next() throws(ProtobufCodecError) -> Frame? {
        guard self.position < self.bytes.count else { return nil }
        let start = self.position
        var length: UInt64 = 0
        var shift: UInt64 = 0
        var cursor = start
        while true {
            guard cursor < self.bytes.count else {
                throw ProtobufCodecError(.truncated, messageIndex: self.index, offset: start, message: "unexpected EOF in length prefix")
            }
            let byte = self.bytes[cursor]
            cursor += 1
            guard shift < 64 else {
                throw ProtobufCodecError(
                    .malformedLength,
                    messageIndex: self.index,
                    offset: start,
                    message: "length prefix is not a valid varint"
                )
            }
            length |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
        }
        guard length <= UInt64(self.maxMessageSize) else {
            throw ProtobufCodecError(
                .messageTooLarge,
                messageIndex: self.index,
                offset: start,
                message: "message length \(length) exceeds the maximum of \(self.maxMessageSize) bytes"
            )
        }
        let available = self.bytes.count - cursor
        guard length <= UInt64(available) else {
            throw ProtobufCodecError(
                .truncated,
                messageIndex: self.index,
                offset: start,
                message: "unexpected EOF: message of \(length) bytes has only \(available)"
            )
        }
        let end = cursor + Int(length)
        let frame = Frame(message: UnsafeRawBufferPointer(rebasing: self.bytes[cursor..<end]), offset: start, index: self.index)
        self.position = end
        self.index += 1
        return frame
    }

    /// Appends `value` as an unsigned varint.
    /// Whether a field of `message`'s top level runs past its end (a tag, varint, fixed value or length
    /// that the bytes do not complete), as opposed to being malformed some other way.
    static func topLevelFieldsAreTruncated(_ message: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while position < message.count, shift < 64 {
                let byte = message[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while position < message.count {
            guard let tag = varint() else { return position >= message.count }
            let remaining = UInt64(message.count - position)
            switch tag & 7 {
            case 0:
                guard varint() != nil else { return position >= message.count }
            case 1, 5:
                let size: UInt64 = tag & 7 == 1 ? 8 : 4
                guard size <= remaining else { return true }
                position += Int(size)
            case 2:
                guard let length = varint() else { return position >= message.count }
                guard length <= UInt64(message.count - position) else { return true }
                position += Int(length)
            default:
                return false
            }
        }
        return false
    }

    package static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }
}
