import PushgatewayCore
import PushgatewayStorage

// Every store read of the web UI is in this file. Until the store offers per-group summaries, single-group
// reads and statistics, they are built here from `snapshot()` (the same snapshot the JSON API reads); the
// local types are named apart from the store's coming `GroupSummary` and `StoreStatistics`, so that when
// those land only this file changes.

/// One group as the page's group list shows it: no family is rendered from it.
struct UIGroupSummary: Sendable, Hashable {
    /// The grouping key.
    var key: GroupingKey
    /// The names of the group's families, sorted.
    var familyNames: [String]
    /// How many series the group holds.
    var seriesCount: Int
    /// Upstream's LastPushSuccess.
    var lastPushSuccessful: Bool
}

/// What the status tab tells about the store.
struct UIStoreStatistics: Sendable, Hashable {
    /// Number of groups.
    var groups: Int
    /// Number of series over all groups.
    var series: Int
    /// Bytes held, if the store tells (it does not yet).
    var bytes: Int?
}

/// What the status tab tells about persistence.
struct UIPersistenceStatus: Sendable, Hashable {
    /// `--persistence.file`; empty when persistence is off.
    var file: String
    /// The last successful write, once the store reports it.
    var lastSuccess: Timestamp?
    /// The last write error, once the store reports it.
    var lastError: String?
}

/// The web UI's view of the gateway's data.
struct UIData {
    let gateway: Gateway

    /// Every group, in the order of `/api/v1/metrics`, with store statistics computed in the same pass.
    func groupSummaries() -> (groups: [UIGroupSummary], statistics: UIStoreStatistics) {
        let snapshot = self.gateway.store.snapshot()
        var series = 0
        let groups = snapshot.map { group in
            let count = group.families.reduce(0) { $0 + $1.family.metrics.count }
            series += count
            return UIGroupSummary(
                key: group.key,
                familyNames: group.families.map(\.family.name),
                seriesCount: count,
                lastPushSuccessful: group.lastPushSuccessful
            )
        }
        return (groups, UIStoreStatistics(groups: groups.count, series: series, bytes: nil))
    }

    /// One group, or nil when no group has this key.
    func group(_ key: GroupingKey) -> MetricGroupSnapshot? {
        self.gateway.store.snapshot().first { $0.key == key }
    }

    /// The persistence file and, once the store reports them, the last write's outcome.
    func persistenceStatus() -> UIPersistenceStatus {
        UIPersistenceStatus(file: self.gateway.configuration.persistenceFile, lastSuccess: nil, lastError: nil)
    }
}
