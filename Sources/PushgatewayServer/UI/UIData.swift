import PushgatewayCore
import PushgatewayStorage

// Every store read of the web UI is in this file: the store's group summaries (no family decoded), one
// group's snapshot when it is opened, and the counts and persistence status of the Status tab.

/// The web UI's view of the gateway's data.
struct UIData {
    let gateway: Gateway

    /// Every group, in the order of `/api/v1/metrics`, and the store's counts.
    func groupSummaries() -> (groups: [GroupSummary], statistics: StoreStatistics) {
        (self.gateway.store.groupSummaries(), self.gateway.store.statistics())
    }

    /// One group, or nil when no group has this key.
    func group(_ key: GroupingKey) -> MetricGroupSnapshot? {
        self.gateway.store.group(key)
    }

    /// The persistence file and its last write's outcome; nil when persistence is off.
    func persistenceStatus() -> PersistenceStatus? {
        self.gateway.persistenceStatus
    }
}
