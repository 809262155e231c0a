public import PushgatewayCore

/// What the web UI lists for one group without decoding its families.
public struct GroupSummary: Sendable, Hashable {
    /// The grouping key.
    public var key: GroupingKey
    /// The group's family names sorted by byte order, including `push_time_seconds` and
    /// `push_failure_time_seconds`.
    public var familyNames: [String]
    /// The series of all the group's families.
    public var seriesCount: Int
    /// Upstream's LastPushSuccess rule (see ``MetricGroupSnapshot/lastPushSuccessful``).
    public var lastPushSuccessful: Bool
    /// The `push_time_seconds` value as a time, if the group has one (the Unix epoch for a group that a
    /// failed push created).
    public var lastPushTime: Timestamp?

    /// Creates a summary.
    public init(key: GroupingKey, familyNames: [String], seriesCount: Int, lastPushSuccessful: Bool, lastPushTime: Timestamp?) {
        self.key = key
        self.familyNames = familyNames
        self.seriesCount = seriesCount
        self.lastPushSuccessful = lastPushSuccessful
        self.lastPushTime = lastPushTime
    }
}

/// Counts of what the store holds, for the status page.
public struct StoreStatistics: Sendable, Hashable {
    /// Groups stored.
    public var groups: Int
    /// Series stored across all groups and families.
    public var series: Int
    /// Bytes of the stored series: their encodings (text lines and protobuf `Metric` messages), without the
    /// indexes and caches around them.
    public var bytes: Int

    /// Creates statistics.
    public init(groups: Int, series: Int, bytes: Int) {
        self.groups = groups
        self.series = series
        self.bytes = bytes
    }
}

/// A group's JSON API object and the group version it was written from.
struct CachedJSON: Sendable {
    var version: UInt64
    var object: [UInt8]
}

extension Timestamp {
    /// The time `seconds` after the Unix epoch (a push time gauge's value); nil if it is not finite or does
    /// not fit.
    init?(unixSeconds seconds: Double) {
        guard seconds.isFinite, seconds.magnitude < 1e15 else { return nil }
        let whole = seconds.rounded(.down)
        let nanos = min(((seconds - whole) * 1e9).rounded(), 999_999_999)
        self.init(seconds: Int64(whole), nanos: Int32(nanos))
    }
}
