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
        var reader = WireFieldReader(UnsafeRawBufferPointer(rebasing: self.bytes[start...]))
        let length: UInt64
        do {
            length = try reader.varint()
        } catch .truncated {
            throw ProtobufCodecError(.truncated, messageIndex: self.index, offset: start, message: "unexpected EOF in length prefix")
        } catch {
            throw ProtobufCodecError(
                .malformedLength,
                messageIndex: self.index,
                offset: start,
                message: "length prefix is not a valid varint"
            )
        }
        let cursor = start + reader.position
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

    /// Whether a field of `message`'s top level runs past its end (a tag, varint, fixed value or length
    /// that the bytes do not complete), as opposed to being malformed some other way.
    static func topLevelFieldsAreTruncated(_ message: UnsafeRawBufferPointer) -> Bool {
        var reader = WireFieldReader(message)
        while !reader.isAtEnd {
            do {
                _ = try reader.field()
            } catch {
                return error == .truncated
            }
        }
        return false
    }
}
