/// A protobuf-delimited body (`io.prometheus.client.MetricFamily` frames) that could not be decoded.
public struct ProtobufCodecError: Error, Hashable, Sendable {
    /// A broad classification; codes may be added without breaking `switch`es elsewhere.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case truncated
            case malformedLength
            case messageTooLarge
            case malformedMessage
            case invalidUTF8
            case invalidEnumValue
            case invalidName
            case limitExceeded
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The input ended inside a length prefix or inside a message.
        public static var truncated: Self { Self(.truncated) }
        /// A length prefix is not a valid varint (more than 10 bytes).
        public static var malformedLength: Self { Self(.malformedLength) }
        /// A length prefix exceeds the configured maximum message size.
        public static var messageTooLarge: Self { Self(.messageTooLarge) }
        /// protobuf-c rejected the message: garbage, a wrong wire type, a bad inner length.
        public static var malformedMessage: Self { Self(.malformedMessage) }
        /// A name or label value is not valid UTF-8.
        public static var invalidUTF8: Self { Self(.invalidUTF8) }
        /// A metric type this schema does not know.
        public static var invalidEnumValue: Self { Self(.invalidEnumValue) }
        /// A family without a name, or a metric or label name holding a NUL byte.
        public static var invalidName: Self { Self(.invalidName) }
        /// The push exceeds one of the ``PushLimits`` (labels per series, bytes per name or value, series).
        public static var limitExceeded: Self { Self(.limitExceeded) }

        public var description: String { String(describing: self.wrapped) }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// The 0-based index of the message (frame) that failed.
    public var messageIndex: Int
    /// The byte offset in the input where the failing frame (its length prefix) starts.
    public var offset: Int
    /// A human-readable explanation.
    public var message: String

    /// What Go's delimited reader (upstream's push handler) says for the same input, where it fails too:
    /// the gateway answers with this text, as upstream does; nil where Go would accept the input.
    public var goText: String?

    package init(_ code: Code, messageIndex: Int, offset: Int, message: String, goText: String? = nil) {
        self.code = code
        self.messageIndex = messageIndex
        self.offset = offset
        self.message = message
        self.goText =
            goText
            ?? {
                switch code {
                case .truncated: "unexpected EOF"
                case .malformedLength: "binary: varint overflows a 64-bit integer"
                default: nil
                }
            }()
    }
}

extension ProtobufCodecError: CustomStringConvertible {
    public var description: String {
        "protobuf parsing error in MetricFamily message \(self.messageIndex) at byte offset \(self.offset): \(self.message)"
    }
}
