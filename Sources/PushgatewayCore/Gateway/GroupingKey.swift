/// The labels that identify a group of pushed metrics (`job` plus any labels from the push URL).
///
/// Labels are kept sorted by name; ``key`` is upstream's grouping key string (names sorted, joined as
/// `name 0xFF value 0xFF name …`, no trailing separator), which orders and identifies groups.
public struct GroupingKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The grouping labels, sorted by name, names unique.
    public let labels: [LabelPair]
    /// Upstream's grouping key bytes.
    public let key: [UInt8]

    /// Creates a key from labels in any order; for duplicate names the last one wins (as upstream's map).
    public init(_ labels: [LabelPair]) {
        var byName: [String: String] = [:]
        for label in labels {
            byName[label.name] = label.value
        }
        let sorted = byName.map { LabelPair(name: $0.key, value: $0.value) }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.labels = sorted
        var key: [UInt8] = []
        for (index, label) in sorted.enumerated() {
            if index > 0 {
                key.append(0xFF)
            }
            key.append(contentsOf: label.name.utf8)
            key.append(0xFF)
            key.append(contentsOf: label.value.utf8)
        }
        self.key = key
    }

    /// The value of the `job` label (empty if absent).
    public var job: String {
        self.labels.first { $0.name == "job" }?.value ?? ""
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.key.lexicographicallyPrecedes(rhs.key)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.key == rhs.key
    }

    public func hash(into hasher: inout Hasher) {
        // Bulk hashing: Array's own Hashable feeds the hasher one byte at a time.
        self.key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public var description: String {
        "{" + self.labels.map { "\($0.name)=\(GoQuote.string($0.value))" }.joined(separator: ",") + "}"
    }
}
