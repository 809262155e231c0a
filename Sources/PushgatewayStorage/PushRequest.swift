public import PushgatewayCore

/// A PUT or POST to one group.
public struct PushRequest: Sendable {
    /// The group written to.
    public var key: GroupingKey
    /// The pushed families; for duplicate names the last one wins (upstream keeps them in a map).
    public var families: [MetricFamily]
    /// PUT (replace every family of the group) rather than POST (replace only the pushed families).
    public var replace: Bool

    /// Creates a push.
    public init(key: GroupingKey, families: [MetricFamily], replace: Bool) {
        self.key = key
        self.families = families
        self.replace = replace
    }
}

/// Why the store rejected a push; its ``description`` is upstream's 400 body.
public struct PushError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A broad classification.
    public struct Code: Hashable, Sendable {
        private enum Wrapped: Hashable, Sendable {
            case timestamps
            case inconsistent
            case unavailable
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A pushed sample carries a timestamp.
        public static var timestamps: Self { Self(.timestamps) }
        /// The push would make the gateway's exposition invalid or inconsistent.
        public static var inconsistent: Self { Self(.inconsistent) }
        /// The push cannot be made durable (the write-ahead log failed), so it was not applied.
        public static var unavailable: Self { Self(.unavailable) }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// Upstream's message for the underlying error (as Go's Gather reports it).
    public var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        if self.code == .unavailable {
            return DurabilityError(message: self.message).description
        }
        return "pushed metrics are invalid or inconsistent with existing metrics: \(self.message)"
    }
}
