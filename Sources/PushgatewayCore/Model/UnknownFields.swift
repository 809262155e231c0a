/// Protobuf fields a message carried that this schema does not know, kept verbatim so they round-trip
/// through storage and protobuf output as upstream keeps them.
public struct UnknownFields: Hashable, Sendable {
    /// One unknown field: its number, wire type and encoded payload (for length-delimited fields the payload
    /// starts with its length varint).
    public struct Field: Hashable, Sendable {
        /// The field number.
        public var number: UInt32
        /// The protobuf wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
        public var wireType: UInt32
        /// The encoded payload after the tag.
        public var payload: [UInt8]

        /// Creates an unknown field.
        public init(number: UInt32, wireType: UInt32, payload: [UInt8]) {
            self.number = number
            self.wireType = wireType
            self.payload = payload
        }
    }

    /// The fields in the order they were read.
    public var fields: [Field]

    /// Creates a set of unknown fields; empty by default.
    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    /// Whether there are none.
    public var isEmpty: Bool { self.fields.isEmpty }
}
