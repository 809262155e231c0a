/// A persistence file of the Go Pushgateway (Go `encoding/gob`) that could not be read.
public struct GoPersistenceError: Error, Hashable, Sendable {
    /// A broad classification; codes may be added without breaking `switch`es elsewhere.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case truncated
            case malformed
            case invalidTypeDefinition
            case unexpectedSchema
            case invalidTime
            case invalidFamily
            case invalidUTF8
            case inconsistent
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The stream ends inside a message, a number, a string or a byte slice.
        public static var truncated: Self { Self(.truncated) }
        /// Bytes that are not gob: an overlong number, a length beyond its message, a message with bytes left
        /// over, data after the value.
        public static var malformed: Self { Self(.malformed) }
        /// A type definition that gob forbids: a reserved or repeated type id, an unknown kind of type, a
        /// reference to a type that was never defined.
        public static var invalidTypeDefinition: Self { Self(.invalidTypeDefinition) }
        /// A well-formed gob stream of some other type than the Pushgateway's
        /// `map[string]MetricGroup`.
        public static var unexpectedSchema: Self { Self(.unexpectedSchema) }
        /// A push time that is not Go's binary `time.Time` encoding.
        public static var invalidTime: Self { Self(.invalidTime) }
        /// A family that is not a valid protobuf `MetricFamily`, or is missing.
        public static var invalidFamily: Self { Self(.invalidFamily) }
        /// A grouping label, group key or family key that is not valid UTF-8 (this gateway only holds UTF-8).
        public static var invalidUTF8: Self { Self(.invalidUTF8) }
        /// Values that contradict each other: a group stored under another key than its labels make, a
        /// family stored under another name than its own, the same key twice.
        public static var inconsistent: Self { Self(.inconsistent) }

        public var description: String { String(describing: self.wrapped) }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// The byte offset in the file where the failing item starts.
    public var offset: Int
    /// A human-readable explanation.
    public var message: String

    package init(_ code: Code, offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }
}

extension GoPersistenceError: CustomStringConvertible {
    public var description: String {
        "Go Pushgateway persistence file error at byte \(self.offset): \(self.message)"
    }
}
