// The one reader of raw protobuf wire format in pure Swift (protobuf-c does the real decoding): varints for
// the delimited framing, and a field-by-field walk for the few places that look into encoded messages
// without decoding them (error classification, the protobuf text writer, the store's series identities).

/// Reads varints and fields from the front of a protobuf message.
package struct WireFieldReader {
    /// One field's value as the wire carries it.
    package enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(UnsafeRawBufferPointer)
    }

    /// Why a field could not be read.
    package enum Failure: Error {
        /// The bytes end inside the field.
        case truncated
        /// A varint longer than 10 bytes, or a wire type protobuf does not have (or groups).
        case malformed
    }

    private let bytes: UnsafeRawBufferPointer
    /// How many bytes have been read.
    package private(set) var position = 0

    /// A reader at the start of `bytes`.
    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether every byte has been read.
    package var isAtEnd: Bool { self.position >= self.bytes.count }

    /// The next unsigned varint.
    package mutating func varint() throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard self.position < self.bytes.count else { throw .truncated }
            guard shift < 64 else { throw .malformed }
            let byte = self.bytes[self.position]
            self.position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// The next field: its number and value. Call only when not ``isAtEnd``.
    package mutating func field() throws(Failure) -> (number: UInt64, value: Value) {
        let tag = try self.varint()
        switch tag & 7 {
        case 0:
            return (tag >> 3, .varint(try self.varint()))
        case 1:
            return (tag >> 3, .fixed64(try self.fixed(8)))
        case 5:
            return (tag >> 3, .fixed32(UInt32(truncatingIfNeeded: try self.fixed(4))))
        case 2:
            let length = try self.varint()
            guard length <= UInt64(self.bytes.count - self.position) else { throw .truncated }
            let start = self.position
            self.position += Int(length)
            return (tag >> 3, .bytes(UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.position])))
        default:
            throw .malformed
        }
    }

    /// The next `size` bytes as a little-endian integer.
    package mutating func fixed(_ size: Int) throws(Failure) -> UInt64 {
        guard self.bytes.count - self.position >= size else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<size {
            value |= UInt64(self.bytes[self.position + index]) << (8 * UInt64(index))
        }
        self.position += size
        return value
    }
}
