/// What one push may hold, beyond the body size cap: bounds that no real client comes near, so that a hostile
/// or broken client gets a clear 400 with the reason instead of costing the gateway minutes or gigabytes.
///
/// Upstream has no such limits. Both codecs (text and protobuf) enforce the same values while decoding, before
/// anything reaches the store.
public struct PushLimits: Sendable, Hashable {
    /// The most labels one series may carry in the body (grouping labels added by the gateway not counted).
    public var maxLabelsPerSeries: Int
    /// The longest metric name, label name or label value, in bytes.
    public var maxNameOrValueBytes: Int
    /// The most series (metrics, across all families) one push may carry.
    public var maxSeriesPerPush: Int

    /// Creates limits; the defaults are the gateway's.
    public init(
        maxLabelsPerSeries: Int = PushLimits.default.maxLabelsPerSeries,
        maxNameOrValueBytes: Int = PushLimits.default.maxNameOrValueBytes,
        maxSeriesPerPush: Int = PushLimits.default.maxSeriesPerPush
    ) {
        self.maxLabelsPerSeries = maxLabelsPerSeries
        self.maxNameOrValueBytes = maxNameOrValueBytes
        self.maxSeriesPerPush = maxSeriesPerPush
    }

    private init(labels: Int, bytes: Int, series: Int) {
        self.maxLabelsPerSeries = labels
        self.maxNameOrValueBytes = bytes
        self.maxSeriesPerPush = series
    }

    // Real clients stay far below: client libraries and exporters use tens of labels, values of a few
    // hundred bytes, and the largest batch pushes seen hold about a million series.
    /// The gateway's limits: 1,024 labels per series, 64 KiB per name or value, 2,000,000 series per push.
    public static let `default` = PushLimits(labels: 1024, bytes: 64 * 1024, series: 2_000_000)

    /// No limits at all (tests and tools that read trusted input).
    public static let unlimited = PushLimits(labels: .max, bytes: .max, series: .max)
}
