/// A named group of metrics of one type: the unit every format reads and writes.
///
/// This is the one canonical in-memory model: the text parser, the protobuf decoder, the store and every
/// writer work on it. It carries everything `io.prometheus.client.MetricFamily` (client_model v0.6.2) can
/// carry, so a protobuf push survives to a protobuf scrape unchanged.
public struct MetricFamily: Hashable, Sendable {
    /// The metric name, for example `http_requests_total`. Not validated: protobuf pushes may carry any name.
    public var name: String
    /// The help text; `nil` when absent, which differs from an explicitly empty help in both formats.
    public var help: String?
    /// The metric type; a protobuf message without a type field reads as ``MetricType/counter`` (proto2 default).
    public var type: MetricType
    /// The unit (OpenMetrics), `nil` when absent.
    public var unit: String?
    /// The metrics (series) of the family, in input order.
    public var metrics: [Metric]
    /// Fields of a newer schema that this one does not know, kept so they round-trip.
    public var unknownFields: UnknownFields

    /// Creates a family.
    public init(
        name: String,
        help: String? = nil,
        type: MetricType,
        unit: String? = nil,
        metrics: [Metric] = [],
        unknownFields: UnknownFields = UnknownFields()
    ) {
        self.name = name
        self.help = help
        self.type = type
        self.unit = unit
        self.metrics = metrics
        self.unknownFields = unknownFields
    }
}

/// The type of a metric family (`io.prometheus.client.MetricType`).
public enum MetricType: Int32, Hashable, Sendable, CaseIterable {
    /// A value that only goes up.
    case counter = 0
    /// A value that may go up and down.
    case gauge = 1
    /// Count, sum and precomputed quantiles.
    case summary = 2
    /// One value of unknown kind.
    case untyped = 3
    /// Classic and/or native buckets, count and sum.
    case histogram = 4
    /// A histogram whose values may go down.
    case gaugeHistogram = 5

    /// The name the text format uses in `# TYPE` lines (`gauge_histogram` for gauge histograms).
    public var textName: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .summary: "summary"
        case .untyped: "untyped"
        case .histogram: "histogram"
        case .gaugeHistogram: "gauge_histogram"
        }
    }

    /// The protobuf enum name (`COUNTER`, `GAUGE_HISTOGRAM`, …), as Go prints it in errors and the JSON API.
    public var protobufName: String {
        switch self {
        case .counter: "COUNTER"
        case .gauge: "GAUGE"
        case .summary: "SUMMARY"
        case .untyped: "UNTYPED"
        case .histogram: "HISTOGRAM"
        case .gaugeHistogram: "GAUGE_HISTOGRAM"
        }
    }
}
