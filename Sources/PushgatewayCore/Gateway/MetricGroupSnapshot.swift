/// A value copy of one group of the store: what the JSON API, the web UI and persistence read.
public struct MetricGroupSnapshot: Hashable, Sendable {
    /// A family as last written to the group, with the time of that write.
    public struct TimestampedFamily: Hashable, Sendable {
        /// The family (labels already sanitised: grouping labels forced, `instance` added, sorted).
        public var family: MetricFamily
        /// When the request that last wrote this family was received.
        public var time: Timestamp

        /// Creates a timestamped family.
        public init(family: MetricFamily, time: Timestamp) {
            self.family = family
            self.time = time
        }
    }

    /// The grouping key.
    public var key: GroupingKey
    /// The group's families sorted by name, including `push_time_seconds` and `push_failure_time_seconds`.
    public var families: [TimestampedFamily]

    /// Creates a snapshot.
    public init(key: GroupingKey, families: [TimestampedFamily]) {
        self.key = key
        self.families = families
    }

    /// Upstream's LastPushSuccess: false only if `push_failure_time_seconds` > `push_time_seconds`.
    public var lastPushSuccessful: Bool {
        guard let success = self.gaugeValue(of: "push_time_seconds"), let failure = self.gaugeValue(of: "push_failure_time_seconds") else {
            return true
        }
        return failure <= success
    }

    private func gaugeValue(of name: String) -> Double? {
        guard let family = self.families.first(where: { $0.family.name == name })?.family, let metric = family.metrics.first else {
            return nil
        }
        switch metric.value {
        case .gauge(let value), .untyped(let value): return value
        case .counter(let counter): return counter.value
        default: return nil
        }
    }
}
