/// A histogram with classic buckets, native (sparse, exponential) buckets, or both.
///
/// Optional fields are optional because presence matters: a histogram is native when it has a schema and
/// spans, and `*Float` fields replace their integer twins only when present and positive.
public struct Histogram: Hashable, Sendable {
    /// The number of observations (integer histograms).
    public var sampleCount: UInt64
    /// The number of observations of a float histogram; overrides ``sampleCount`` when > 0.
    public var sampleCountFloat: Double?
    /// The sum of observations.
    public var sampleSum: Double
    /// Classic buckets, cumulative, in input order.
    public var buckets: [Bucket]
    /// When the histogram was created (reset).
    public var createdTimestamp: Timestamp?

    /// The native resolution: bucket boundaries grow by 2^(2^-schema).
    public var schema: Int32?
    /// Observations whose magnitude is at most this fall into the zero bucket.
    public var zeroThreshold: Double?
    /// The zero bucket's population (integer histograms).
    public var zeroCount: UInt64?
    /// The zero bucket's population of a float histogram; overrides ``zeroCount`` when > 0.
    public var zeroCountFloat: Double?
    /// Spans of populated negative buckets.
    public var negativeSpans: [BucketSpan]
    /// Negative bucket counts as deltas to the previous bucket (integer histograms).
    public var negativeDeltas: [Int64]
    /// Negative bucket counts as absolute values (float histograms).
    public var negativeCounts: [Double]
    /// Spans of populated positive buckets.
    public var positiveSpans: [BucketSpan]
    /// Positive bucket counts as deltas to the previous bucket (integer histograms).
    public var positiveDeltas: [Int64]
    /// Positive bucket counts as absolute values (float histograms).
    public var positiveCounts: [Double]
    /// Exemplars of a native histogram.
    public var exemplars: [Exemplar]
    /// Fields of a newer schema that this one does not know, kept so they round-trip.
    public var unknownFields: UnknownFields
    // Presence of the optional protobuf fields: upstream's text parser sets `sample_count` and `sample_sum`
    // only for `_count` and `_sum` lines, and its protobuf scrape shows which were set.
    /// Whether ``sampleCount`` is set (`sample_count` present in protobuf); readers see 0 when not.
    public var hasSampleCount: Bool
    /// Whether ``sampleSum`` is set (`sample_sum` present in protobuf); readers see 0 when not.
    public var hasSampleSum: Bool

    /// Creates a histogram; every native field defaults to absent, count and sum to present.
    public init(
        sampleCount: UInt64 = 0,
        sampleCountFloat: Double? = nil,
        sampleSum: Double = 0,
        buckets: [Bucket] = [],
        createdTimestamp: Timestamp? = nil,
        schema: Int32? = nil,
        zeroThreshold: Double? = nil,
        zeroCount: UInt64? = nil,
        zeroCountFloat: Double? = nil,
        negativeSpans: [BucketSpan] = [],
        negativeDeltas: [Int64] = [],
        negativeCounts: [Double] = [],
        positiveSpans: [BucketSpan] = [],
        positiveDeltas: [Int64] = [],
        positiveCounts: [Double] = [],
        exemplars: [Exemplar] = [],
        unknownFields: UnknownFields = UnknownFields(),
        hasSampleCount: Bool = true,
        hasSampleSum: Bool = true
    ) {
        self.sampleCount = sampleCount
        self.sampleCountFloat = sampleCountFloat
        self.sampleSum = sampleSum
        self.buckets = buckets
        self.createdTimestamp = createdTimestamp
        self.schema = schema
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.zeroCountFloat = zeroCountFloat
        self.negativeSpans = negativeSpans
        self.negativeDeltas = negativeDeltas
        self.negativeCounts = negativeCounts
        self.positiveSpans = positiveSpans
        self.positiveDeltas = positiveDeltas
        self.positiveCounts = positiveCounts
        self.exemplars = exemplars
        self.unknownFields = unknownFields
        self.hasSampleCount = hasSampleCount
        self.hasSampleSum = hasSampleSum
    }

    /// Whether this histogram carries native buckets: any span, as client_golang and Prometheus decide it.
    public var isNative: Bool {
        !self.positiveSpans.isEmpty || !self.negativeSpans.isEmpty
    }

    /// Whether counts are floats: a positive ``sampleCountFloat`` or ``zeroCountFloat``.
    public var isFloat: Bool {
        (self.sampleCountFloat ?? 0) > 0 || (self.zeroCountFloat ?? 0) > 0
    }
}

/// One classic bucket: observations at or below ``upperBound``, cumulative.
public struct Bucket: Hashable, Sendable {
    /// The cumulative count (integer histograms).
    public var cumulativeCount: UInt64
    /// The cumulative count of a float histogram; overrides ``cumulativeCount`` when > 0.
    public var cumulativeCountFloat: Double?
    /// The inclusive upper bound.
    public var upperBound: Double
    /// An exemplar that fell into this bucket.
    public var exemplar: Exemplar?

    /// Creates a bucket.
    public init(cumulativeCount: UInt64 = 0, cumulativeCountFloat: Double? = nil, upperBound: Double, exemplar: Exemplar? = nil) {
        self.cumulativeCount = cumulativeCount
        self.cumulativeCountFloat = cumulativeCountFloat
        self.upperBound = upperBound
        self.exemplar = exemplar
    }
}

/// A run of consecutive native buckets.
public struct BucketSpan: Hashable, Sendable {
    /// Gap to the previous span, or the index of the first bucket for the first span.
    public var offset: Int32
    /// How many consecutive buckets the span covers.
    public var length: UInt32

    /// Creates a span.
    public init(offset: Int32, length: UInt32) {
        self.offset = offset
        self.length = length
    }
}
