/// One series of a family: its labels, its value and an optional sample timestamp.
public struct Metric: Hashable, Sendable {
    /// The label pairs, in stored order (the gateway sorts them by name when it accepts a push).
    public var labels: [LabelPair]
    /// The value; its case normally matches the family's type.
    public var value: MetricValue
    /// The sample timestamp in milliseconds since the Unix epoch; the gateway rejects pushes that set it.
    public var timestampMs: Int64?
    /// Fields of a newer schema that this one does not know, kept so they round-trip.
    public var unknownFields: UnknownFields

    /// Creates a metric.
    public init(
        labels: [LabelPair] = [],
        value: MetricValue,
        timestampMs: Int64? = nil,
        unknownFields: UnknownFields = UnknownFields()
    ) {
        self.labels = labels
        self.value = value
        self.timestampMs = timestampMs
        self.unknownFields = unknownFields
    }
}

/// A label name and value.
public struct LabelPair: Hashable, Sendable {
    /// The label name.
    public var name: String
    /// The label value; may be empty.
    public var value: String

    /// Creates a label pair.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The value of a metric, one case per value message of `io.prometheus.client.Metric`.
///
/// A protobuf `Metric` may in principle carry several value messages; the decoder keeps the one that matches
/// the family's type (that is the only one any consumer upstream reads), otherwise the first in field order.
public enum MetricValue: Hashable, Sendable {
    /// A counter value.
    case counter(Counter)
    /// A gauge value.
    case gauge(Double)
    /// An untyped value.
    case untyped(Double)
    /// A summary (kept out of line: it is large and rare).
    indirect case summary(Summary)
    /// A classic and/or native histogram (kept out of line: it is large).
    indirect case histogram(Histogram)
    /// A metric that carries no value message at all (possible in protobuf only).
    case none
}

/// A counter value with its optional exemplar and creation time.
public struct Counter: Hashable, Sendable {
    /// The value.
    public var value: Double
    /// An exemplar of the last increment.
    public var exemplar: Exemplar?
    /// When the counter was created (reset to zero).
    public var createdTimestamp: Timestamp?

    /// Creates a counter value.
    public init(value: Double, exemplar: Exemplar? = nil, createdTimestamp: Timestamp? = nil) {
        self.value = value
        self.exemplar = exemplar
        self.createdTimestamp = createdTimestamp
    }
}

/// A summary: sample count, sample sum and precomputed quantiles.
public struct Summary: Hashable, Sendable {
    /// The number of observations.
    public var sampleCount: UInt64
    /// The sum of observations.
    public var sampleSum: Double
    /// The quantiles, in input order.
    public var quantiles: [Quantile]
    /// When the summary was created (reset).
    public var createdTimestamp: Timestamp?
    // Presence of the optional protobuf fields: upstream's text parser sets `sample_count` and `sample_sum`
    // only for `_count` and `_sum` lines, and its protobuf scrape shows which were set.
    /// Whether ``sampleCount`` is set (`sample_count` present in protobuf); readers see 0 when not.
    public var hasSampleCount: Bool
    /// Whether ``sampleSum`` is set (`sample_sum` present in protobuf); readers see 0 when not.
    public var hasSampleSum: Bool

    /// Creates a summary; count and sum are present unless said otherwise.
    public init(
        sampleCount: UInt64 = 0,
        sampleSum: Double = 0,
        quantiles: [Quantile] = [],
        createdTimestamp: Timestamp? = nil,
        hasSampleCount: Bool = true,
        hasSampleSum: Bool = true
    ) {
        self.sampleCount = sampleCount
        self.sampleSum = sampleSum
        self.quantiles = quantiles
        self.createdTimestamp = createdTimestamp
        self.hasSampleCount = hasSampleCount
        self.hasSampleSum = hasSampleSum
    }
}

/// One quantile of a summary.
public struct Quantile: Hashable, Sendable {
    /// The quantile rank, in [0, 1].
    public var quantile: Double
    /// The value at that rank.
    public var value: Double

    /// Creates a quantile.
    public init(quantile: Double, value: Double) {
        self.quantile = quantile
        self.value = value
    }
}

/// A point in time as `google.protobuf.Timestamp`: seconds and nanoseconds since the Unix epoch.
public struct Timestamp: Hashable, Sendable {
    /// Whole seconds since the Unix epoch.
    public var seconds: Int64
    /// Nanoseconds within the second, 0 ..< 1e9.
    public var nanos: Int32

    /// Creates a timestamp.
    public init(seconds: Int64, nanos: Int32 = 0) {
        self.seconds = seconds
        self.nanos = nanos
    }
}

/// An exemplar: a sample observation with labels such as a trace ID.
public struct Exemplar: Hashable, Sendable {
    /// The exemplar's labels.
    public var labels: [LabelPair]
    /// The observed value.
    public var value: Double
    /// When it was observed.
    public var timestamp: Timestamp?

    /// Creates an exemplar.
    public init(labels: [LabelPair] = [], value: Double, timestamp: Timestamp? = nil) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }
}
