import Foundation

/// SplitMix64: a small seeded generator, so a run that found a loss can be repeated with its printed seed (the
/// choices repeat; the interleaving of the pushers and the gateway's threads does not).
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Where a crash-harness write lands: one of a pusher's own groups, or the pusher's family in the shared group.
struct DurabilityKey: Hashable, Sendable, CustomStringConvertible {
    enum Place: Hashable, Sendable {
        case group(Int)
        case shared
    }

    var pusher: Int
    var place: Place

    var description: String {
        switch self.place {
        case .group(let slot): "pusher p\(self.pusher) group slot/\(slot)"
        case .shared: "pusher p\(self.pusher) family durability_shared_p\(self.pusher) in the shared group"
        }
    }
}

/// What a key holds: nothing, or the `n` of the write that put it there.
enum DurabilityValue: Hashable, Sendable, CustomStringConvertible {
    case absent
    case value(Int)

    var description: String {
        switch self {
        case .absent: "nothing"
        case .value(let n): "n=\(n)"
        }
    }
}

/// One write a pusher sent: where, what it leaves behind, and whether the gateway acknowledged it (2xx).
struct SentWrite: Sendable {
    var key: DurabilityKey
    var method: String
    var result: DurabilityValue
    var acknowledged: Bool

    var description: String {
        switch self.result {
        case .absent: self.method
        case .value(let n): "\(self.method) n=\(n)"
        }
    }
}

/// What the crash harness knows of the store: the state the last restart showed, and every write sent since.
///
/// After a restart each key must hold what its newest acknowledged write left, or what a later, unacknowledged
/// write left (one in flight at the kill may or may not have reached the disk, but only whole). Without an
/// acknowledged write since the last check, the key may also still hold what that check found.
struct DurabilityLedger {
    /// What the last check found (keys not listed held nothing).
    private var known: [DurabilityKey: DurabilityValue] = [:]
    /// The writes sent since the last check, in the order their pusher sent them (each key has one pusher).
    private var pending: [DurabilityKey: [SentWrite]] = [:]

    /// The outcome of one check.
    struct Check {
        /// Keys with an acknowledged write since the last check: each one's newest acknowledged write was looked for.
        var checked = 0
        /// Keys holding what an unacknowledged write left.
        var unacknowledgedApplied = 0
        /// Acknowledged writes not found: what was expected and what was there.
        var lost: [String] = []
        /// Values that no write left: neither there before nor sent.
        var unexplained: [String] = []
    }

    /// Adds the writes of one pusher, in the order it sent them.
    mutating func record(_ writes: [SentWrite]) {
        for write in writes {
            self.pending[write.key, default: []].append(write)
        }
    }

    /// Compares `observed` (keys not listed hold nothing) with what may be there, then takes it as the new state.
    mutating func check(_ observed: [DurabilityKey: DurabilityValue]) -> Check {
        var outcome = Check()
        let keys = Set(self.known.keys).union(self.pending.keys).union(observed.keys)
        for key in keys.sorted(by: { $0.description < $1.description }) {
            let found = observed[key] ?? .absent
            let writes = self.pending[key] ?? []
            let admissible: [DurabilityValue]
            let newestAcknowledged = writes.lastIndex(where: \.acknowledged)
            if let newestAcknowledged {
                admissible = writes[newestAcknowledged...].map(\.result)
            } else {
                admissible = [self.known[key] ?? .absent] + writes.map(\.result)
            }
            if admissible.contains(found) {
                if let newestAcknowledged {
                    outcome.checked += 1
                    if found != writes[newestAcknowledged].result { outcome.unacknowledgedApplied += 1 }
                } else if found != (self.known[key] ?? .absent) {
                    outcome.unacknowledgedApplied += 1
                }
            } else if let newestAcknowledged {
                outcome.checked += 1
                let later = writes.count - newestAcknowledged - 1
                outcome.lost.append(
                    "\(key): acknowledged \(writes[newestAcknowledged].description) not in effect (\(later) unacknowledged after it), found \(found)"
                )
            } else {
                outcome.unexplained.append("\(key): found \(found), which no write left (before: \(self.known[key] ?? .absent))")
            }
            self.known[key] = found
        }
        self.pending = [:]
        return outcome
    }
}

/// The crash harness's view of `/api/v1/metrics`: each key's value, PUTs found half-applied, and groups that
/// should not exist.
struct DurabilityObservation {
    /// The families one PUT of a pusher's own group carries, all with the same `n`.
    static let groupFamilies = ["durability_a", "durability_b", "durability_c"]
    /// The grouping labels of the group every pusher POSTs its own family to.
    static let sharedGroup = ["job": "durability", "group": "shared"]

    var values: [DurabilityKey: DurabilityValue] = [:]
    var halfApplied: [String] = []
    var strangers: [String] = []

    init(_ groups: [JSON], pushers: Int) {
        for group in groups {
            guard case .object(let labelValues)? = group["labels"] else {
                self.strangers.append("a group without labels: \(group)")
                continue
            }
            let labels = labelValues.compactMapValues(\.string)
            if labels == Self.sharedGroup {
                for pusher in 0..<pushers {
                    if let n = Self.value(of: "durability_shared_p\(pusher)", in: group) {
                        self.values[DurabilityKey(pusher: pusher, place: .shared)] = .value(n)
                    }
                }
                continue
            }
            guard labels.count == 3, labels["job"] == "durability", let pusherLabel = labels["pusher"],
                let pusher = Int(pusherLabel.dropFirst()), pusherLabel.first == "p", (0..<pushers).contains(pusher),
                let slot = labels["slot"].flatMap({ Int($0) })
            else {
                self.strangers.append("an unexpected group \(labels)")
                continue
            }
            let key = DurabilityKey(pusher: pusher, place: .group(slot))
            let found = Self.groupFamilies.map { Self.value(of: $0, in: group) }
            if let first = found[0], found.allSatisfy({ $0 == first }) {
                self.values[key] = .value(first)
            } else {
                let shown = zip(Self.groupFamilies, found).map { "\($0)=\($1.map(String.init) ?? "missing")" }
                self.halfApplied.append("\(key): \(shown.joined(separator: ", "))")
                self.values[key] = found.compactMap { $0 }.max().map(DurabilityValue.value) ?? .absent
            }
        }
    }

    /// The value of the single series of `family` in an API group, as an integer.
    private static func value(of family: String, in group: JSON) -> Int? {
        guard let text = group[family]?["metrics"]?.elements.first?["value"]?.string, let value = Double(text) else { return nil }
        return Int(exactly: value)
    }
}
