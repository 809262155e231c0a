import PushgatewayCore

// The store's whole mutable state, a value type owned by MetricStore's mutex.
//
// Upstream checks a push by copying the store, applying the push and gathering everything: its cost grows
// with the store. Here every family name has an index across groups (which groups hold it, with which
// type, help and series), so checking and applying a push touches only the pushed families, the group it
// replaces and those indexes. Each series also keeps its text and protobuf encoding, so a scrape only
// sorts and concatenates.

/// One series of one family of one group, ready to be written.
///
/// The text lines and the protobuf `Metric` message live in one exactly sized allocation: a store holds
/// millions of these. The series' identity is the message's leading label fields (sorted label pairs, the
/// same bytes for the same labels, since our encoder wrote them), so labels are not stored a third time.
struct SeriesEntry: Sendable {
    private let storage: [UInt8]
    private let protobufStart: UInt32
    /// Label names and values, sorted by name: what makes two series the same.
    let identity: SeriesIdentity

    /// Packs the text lines and the `Metric` message.
    init(text: [UInt8], protobuf: [UInt8]) {
        var storage: [UInt8] = []
        storage.reserveCapacity(text.count + protobuf.count)
        storage.append(contentsOf: text)
        storage.append(contentsOf: protobuf)
        self.storage = storage
        self.protobufStart = UInt32(truncatingIfNeeded: text.count)
        let labelsLength = protobuf.withUnsafeBytes { Self.labelFields(of: $0) { _ in } }
        self.identity = SeriesIdentity(storage: storage, start: text.count, count: labelsLength)
    }

    /// The sample lines in the text format.
    var text: ArraySlice<UInt8> { self.storage[..<Int(self.protobufStart)] }
    /// The encoded `Metric` message.
    var protobuf: ArraySlice<UInt8> { self.storage[Int(self.protobufStart)...] }
    /// Bytes held for the series (its text lines and its `Metric` message).
    var byteCount: Int { self.storage.count }

    /// The value of a gauge, counter or untyped series read from its `Metric` message without decoding it
    /// (nil for other kinds, or a series without a value).
    var simpleValue: Double? {
        self.storage.withUnsafeBytes { storage in
            var fields = WireFieldReader(UnsafeRawBufferPointer(rebasing: storage[Int(self.protobufStart)...]))
            while !fields.isAtEnd, let field = try? fields.field() {
                // Metric: gauge = 2, counter = 3, untyped = 5; each holds its value as field 1, a double.
                guard [2, 3, 5].contains(field.number), case .bytes(let message) = field.value else { continue }
                var value: Double = 0
                var inner = WireFieldReader(message)
                while !inner.isAtEnd, let valueField = try? inner.field() {
                    if valueField.number == 1, case .fixed64(let bits) = valueField.value {
                        value = Double(bitPattern: bits)
                    }
                }
                return value
            }
            return nil
        }
    }

    /// Appends the text lines to `buffer`.
    func appendText(to buffer: inout [UInt8]) {
        self.storage.withUnsafeBufferPointer { storage in
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: storage[..<Int(self.protobufStart)]))
        }
    }

    /// Appends the `Metric` message as field 4 of a `MetricFamily` (tag, length, bytes) to `buffer`.
    func appendProtobufField(to buffer: inout [UInt8]) {
        self.storage.withUnsafeBufferPointer { storage in
            let message = UnsafeBufferPointer(rebasing: storage[Int(self.protobufStart)...])
            WireWriter.appendLengthDelimited(WireField.MetricFamily.metric, message, to: &buffer)
        }
    }

    /// Upstream's exposition order as bytes: the label count (big-endian, so byte order is numeric order),
    /// then each label value (in name order) and a 0 byte, so "a" sorts before "ab" as in Go.
    var sortKey: [UInt8] {
        self.storage.withUnsafeBytes { storage in
            var values: [UInt8] = [0, 0, 0, 0]
            var count: UInt32 = 0
            Self.labelFields(of: UnsafeRawBufferPointer(rebasing: storage[Int(self.protobufStart)...])) { pair in
                count += 1
                // A LabelPair is name (1) then value (2); an absent value is the empty string.
                var fields = WireFieldReader(pair)
                while !fields.isAtEnd, let field = try? fields.field() {
                    if field.number == WireField.LabelPair.value, case .bytes(let value) = field.value {
                        values.append(contentsOf: value)
                    }
                }
                values.append(0)
            }
            for (index, shift) in [24, 16, 8, 0].enumerated() {
                values[index] = UInt8(truncatingIfNeeded: count >> shift)
            }
            return values
        }
    }

    /// Sorts series into upstream's exposition order.
    static func sorted(_ entries: [SeriesEntry]) -> [SeriesEntry] {
        // Keys are built once per series rather than once per comparison.
        let keys = entries.map(\.sortKey)
        return entries.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }.map { entries[$0] }
    }

    /// Calls `body` with each of a `Metric` message's leading label fields (field 1) and returns their
    /// length in bytes.
    @discardableResult
    private static func labelFields(of message: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        var reader = WireFieldReader(message)
        var length = 0
        while !reader.isAtEnd, let field = try? reader.field(), field.number == WireField.Metric.label, case .bytes(let pair) = field.value
        {
            body(pair)
            length = reader.position
        }
        return length
    }
}

/// What one group contributes to a family name: everything the group's family had, its metrics only as
/// the series' encodings (``StoreState/family(_:of:)`` decodes them back when a model is needed).
struct FamilyPart: Sendable {
    var type: MetricType
    var help: String?
    var unit: String?
    var entries: [SeriesEntry]
    /// Fields of the pushed `MetricFamily` this schema does not know, kept for protobuf round trips.
    var unknownFields: UnknownFields
    /// When the group last wrote the family.
    var time: Timestamp
    /// Whether the family or a label name is not a legacy name (see ``MergedFamily/escapingSources``).
    var needsEscaping = false
    /// The escaped identities of the series with a label name that is not a legacy name, by position (see
    /// ``StoreState/escapedIdentities(for:codec:)``); empty for almost every family.
    var escaped: [Int: [SeriesIdentity]] = [:]
}

/// Everything the store knows about one family name across groups.
struct FamilyIndex: Sendable {
    var parts: [GroupingKey: FamilyPart] = [:]
    /// How many parts have each type, so a push learns the family's type without visiting every group.
    var typeCounts: [MetricType: Int] = [:]
    /// How many series of each identity exist; more than one is an inconsistency (only possible after
    /// unchecked writes or failed-push bookkeeping).
    var owners: [SeriesIdentity: Int] = [:]
    /// How many series have each identity once escaped, for series with a label name that is not a legacy
    /// name only: a series without one is the same under every scheme, so ``owners`` covers it.
    var escapedOwners: [EscapedSeries: Int] = [:]
    /// The merged, sorted view for scrapes; nil when a part changed since it was built.
    var merged: MergedFamily?
    /// The store's generation at the family's last change: a view merged from a copy of the state is
    /// kept only if the family has not changed since (see ``StoreState/adoptMerged(from:)``).
    var version: UInt64 = 0
}

/// A family as a scrape writes it: header from the group with the smallest key, series in upstream order.
struct MergedFamily: Sendable {
    var name: String
    var type: MetricType
    var help: String?
    var unit: String?
    var entries: [SeriesEntry]
    /// The groups' families, kept only when a name needs escaping (rare): escaping renames, so those
    /// families are encoded again at scrape time for any scheme but allow-utf-8.
    var escapingSources: [MetricFamily] = []

    init(name: String, type: MetricType, help: String?, unit: String?, entries: [SeriesEntry]) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.entries = entries
    }
}

/// One group: its grouping key and the names of its families (their content is in the index's parts).
struct StoredGroup: Sendable {
    var key: GroupingKey
    var families: Set<String> = []
    /// The store's generation at the group's last change: what the JSON API's cached answer for the group
    /// was built from (see ``MetricStore/metricsJSON()``).
    var version: UInt64 = 0
    /// The series of all the group's families.
    var seriesCount = 0
}

struct StoreState: Sendable {
    var groups: [GroupingKey: StoredGroup] = [:]
    var index: [String: FamilyIndex] = [:]
    /// The family names of ``index`` that are not legacy names, by the name each escaping scheme writes them
    /// as, so a push finds names it would collide with once escaped without looking at every family.
    var escapedNames: [EscapedName: Set<String>] = [:]
    let own: [String: OwnFamily]
    /// Bumped on every change; persistence and the exposition cache key off it.
    var generation: UInt64 = 0
    /// Series and parts visited by writes and checks since the counter was last read; tests use it to
    /// show that a push costs the same whatever the size of the store.
    var work = 0
    /// Set when a write skipped the checks (unchecked push, failed-push bookkeeping, restore): the next
    /// scrape then validates everything, as upstream's scrape always does.
    var needsFullValidation = false
    /// The result of the last full validation (nil = consistent), valid until the next write.
    var validationError: String?
    /// How to take back each change whose log record is not durable yet, oldest first.
    var undo: [(sequence: UInt64, undo: StoreUndo)] = []
    /// Series stored across all groups, and the bytes their encodings hold (``SeriesEntry/byteCount``).
    private(set) var seriesCount = 0
    private(set) var seriesBytes = 0

    /// After a checked write or a delete: the store stays consistent if it was, so only a known
    /// inconsistency (which the write may have resolved) needs the next scrape to validate everything again.
    mutating func revalidateIfInconsistent() {
        if self.validationError != nil {
            self.validationError = nil
            self.needsFullValidation = true
        }
    }

    init(own: [OwnFamily]) {
        self.init(own: Dictionary(own.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }))
    }

    init(own: [String: OwnFamily]) {
        self.own = own
    }

    // MARK: Writing

    /// Replaces (or adds) one family of a group, keeping the indexes in step.
    ///
    /// - Parameters:
    ///   - entries: the family's series as ``entries(for:codec:)`` encodes them; computed before taking the
    ///     store's lock, since encoding is the expensive part of a write.
    ///   - escaped: the series' identities once escaped, as ``escapedIdentities(for:codec:)`` computes them.
    mutating func write(
        _ family: MetricFamily,
        entries: [SeriesEntry],
        escaped: [Int: [SeriesIdentity]] = [:],
        time: Timestamp,
        to key: GroupingKey
    ) {
        self.write(Self.part(for: family, entries: entries, escaped: escaped, time: time), named: family.name, to: key)
    }

    /// The part a family becomes in the index.
    static func part(for family: MetricFamily, entries: [SeriesEntry], escaped: [Int: [SeriesIdentity]], time: Timestamp) -> FamilyPart {
        FamilyPart(
            type: family.type,
            help: family.help,
            unit: family.unit,
            entries: entries,
            unknownFields: family.unknownFields,
            time: time,
            needsEscaping: family.needsEscaping,
            escaped: escaped
        )
    }

    /// Replaces (or adds) one family of a group as a ready part: a write, or taking one back.
    mutating func write(_ part: FamilyPart, named name: String, to key: GroupingKey) {
        let entries = part.entries
        let escaped = part.escaped
        if let old = self.index[name]?.parts[key], Self.sameSeries(old.entries, entries) {
            // The common re-push of the same series: ownership does not change, so the owner counts are
            // left alone instead of being decremented and incremented again.
            self.work += entries.count
            if old.type != part.type {
                self.index[name]?.typeCounts[old.type, default: 1] -= 1
                if self.index[name]?.typeCounts[old.type] == 0 {
                    self.index[name]?.typeCounts.removeValue(forKey: old.type)
                }
                self.index[name]?.typeCounts[part.type, default: 0] += 1
            }
        } else {
            self.remove(family: name, from: key)
            if self.index[name] == nil {
                for form in EscapedName.forms(of: name) {
                    self.escapedNames[form, default: []].insert(name)
                }
            }
            for entry in entries {
                self.index[name, default: FamilyIndex()].owners[entry.identity, default: 0] += 1
            }
            for identities in escaped.values {
                for (scheme, identity) in identities.enumerated() {
                    self.index[name, default: FamilyIndex()].escapedOwners[
                        EscapedSeries(scheme: scheme, identity: identity),
                        default: 0
                    ] += 1
                }
            }
            self.work += entries.count
            self.index[name, default: FamilyIndex()].typeCounts[part.type, default: 0] += 1
        }
        if let old = self.index[name]?.parts[key] {
            self.count(old.entries, sign: -1, in: key)
        }
        self.count(entries, sign: 1, in: key)
        self.index[name, default: FamilyIndex()].parts[key] = part
        self.generation &+= 1
        self.index[name]?.merged = nil
        self.index[name]?.version = self.generation
        self.groups[key, default: StoredGroup(key: key)].families.insert(name)
        self.groups[key]?.version = self.generation
    }

    /// Adds (`sign` 1) or subtracts (-1) series to the store-wide counts and the group's.
    private mutating func count(_ entries: [SeriesEntry], sign: Int, in key: GroupingKey) {
        self.seriesCount += sign * entries.count
        self.seriesBytes += sign * entries.reduce(0) { $0 + $1.byteCount }
        self.groups[key, default: StoredGroup(key: key)].seriesCount += sign * entries.count
    }

    /// Whether two lists of series have the same identities in the same order.
    static func sameSeries(_ old: [SeriesEntry], _ new: [SeriesEntry]) -> Bool {
        old.count == new.count && zip(old, new).allSatisfy { $0.identity == $1.identity }
    }

    /// Removes one family from a group, if it is there.
    mutating func remove(family name: String, from key: GroupingKey) {
        guard let part = self.index[name]?.parts.removeValue(forKey: key) else { return }
        self.work += part.entries.count
        self.count(part.entries, sign: -1, in: key)
        if let count = self.index[name]?.typeCounts[part.type], count > 1 {
            self.index[name]?.typeCounts[part.type] = count - 1
        } else {
            self.index[name]?.typeCounts.removeValue(forKey: part.type)
        }
        for entry in part.entries {
            if let count = self.index[name]?.owners[entry.identity], count > 1 {
                self.index[name]?.owners[entry.identity] = count - 1
            } else {
                self.index[name]?.owners.removeValue(forKey: entry.identity)
            }
        }
        for identities in part.escaped.values {
            for (scheme, identity) in identities.enumerated() {
                let escaped = EscapedSeries(scheme: scheme, identity: identity)
                if let count = self.index[name]?.escapedOwners[escaped], count > 1 {
                    self.index[name]?.escapedOwners[escaped] = count - 1
                } else {
                    self.index[name]?.escapedOwners.removeValue(forKey: escaped)
                }
            }
        }
        self.generation &+= 1
        if self.index[name]?.parts.isEmpty == true {
            self.index.removeValue(forKey: name)
            for form in EscapedName.forms(of: name) {
                self.escapedNames[form]?.remove(name)
                if self.escapedNames[form]?.isEmpty == true {
                    self.escapedNames.removeValue(forKey: form)
                }
            }
        } else {
            self.index[name]?.merged = nil
            self.index[name]?.version = self.generation
        }
        self.groups[key]?.families.remove(name)
        self.groups[key]?.version = self.generation
    }

    /// Removes a whole group.
    mutating func removeGroup(_ key: GroupingKey) {
        guard let group = self.groups[key] else { return }
        for name in group.families {
            self.remove(family: name, from: key)
        }
        self.groups.removeValue(forKey: key)
        self.generation &+= 1
    }

    /// Encodes every series of a family for the indexes and the exposition.
    static func entries(for family: MetricFamily, codec: ProtobufCodec) -> [SeriesEntry] {
        let encoded = codec.encodeMetrics(family.metrics)
        return zip(family.metrics, encoded).map { Self.entry(for: $0, family: family.name, protobuf: $1) }
    }

    /// For each series of `family` with a label name that is not a legacy name, by position: its identity once
    /// the label names are escaped, for each of ``escapingSchemes`` in order. Two series that differ only in
    /// such names (`{a-b="1"}` and `{a_b="1"}`) are one series in an escaped exposition.
    static func escapedIdentities(for family: MetricFamily, codec: ProtobufCodec) -> [Int: [SeriesIdentity]] {
        var result: [Int: [SeriesIdentity]] = [:]
        for (position, metric) in family.metrics.enumerated()
        where metric.labels.contains(where: { !LegacyName.isValidMetricName($0.name) }) {
            result[position] = Self.escapingSchemes.map { scheme in
                var labels = metric.labels.map { LabelPair(name: scheme.exposed($0.name), value: $0.value) }
                labels.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
                // Encoded like a stored series, so the identity compares with theirs.
                let encoded = codec.encodeMetric(Metric(labels: labels, value: .none))
                return SeriesEntry(text: [], protobuf: encoded).identity
            }
        }
        return result
    }

    static func entry(for metric: Metric, family: String, protobuf: [UInt8]) -> SeriesEntry {
        var text: [UInt8] = []
        TextFormatEncoder.appendSamples(of: metric, familyName: family, to: &text)
        return SeriesEntry(text: text, protobuf: protobuf)
    }

    // MARK: Reading

    /// The type the family has in the exposition when group `key` is left out (nil if no other group has
    /// it). In a consistent store every group agrees; otherwise any existing type is a fair witness.
    func existingType(of name: String, excluding key: GroupingKey) -> MetricType? {
        guard var counts = self.index[name]?.typeCounts else { return nil }
        if let own = self.index[name]?.parts[key]?.type {
            counts[own, default: 0] -= 1
        }
        return counts.filter { $0.value > 0 }.min { $0.key.rawValue < $1.key.rawValue }?.key
    }

    /// The merged view of every family, sorted by name, building what changed since the last call.
    mutating func mergedFamilies() -> [MergedFamily] {
        var result: [MergedFamily] = []
        result.reserveCapacity(self.index.count)
        for name in self.index.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            if let merged = self.index[name]?.merged {
                result.append(merged)
                continue
            }
            guard let family = self.index[name] else { continue }
            let merged = self.merge(name: name, family)
            self.index[name]?.merged = merged
            result.append(merged)
        }
        return result
    }

    /// Keeps the views `copy` merged (outside the store's lock) for every family that has not changed since
    /// the copy was taken and has no view yet.
    mutating func adoptMerged(from copy: StoreState) {
        for (name, family) in copy.index {
            guard let merged = family.merged, let current = self.index[name], current.merged == nil,
                current.version == family.version
            else { continue }
            self.index[name]?.merged = merged
        }
    }

    private func merge(name: String, _ family: FamilyIndex) -> MergedFamily {
        // Help and type come from the group with the smallest grouping key (upstream takes whichever group
        // its map yields first); an own family's help always wins, as upstream's predefinedHelp does.
        let first = family.parts.min { $0.key < $1.key }?.value
        var entries: [SeriesEntry] = []
        entries.reserveCapacity(family.parts.values.reduce(0) { $0 + $1.entries.count })
        for part in family.parts.values {
            entries.append(contentsOf: part.entries)
        }
        entries = SeriesEntry.sorted(entries)
        var merged = MergedFamily(
            name: name,
            type: first?.type ?? .untyped,
            help: self.own[name]?.help ?? first?.help,
            unit: first?.unit,
            entries: entries
        )
        if family.parts.values.contains(where: \.needsEscaping) {
            merged.escapingSources = family.parts.keys.sorted().compactMap { self.family(name, of: $0) }
        }
        return merged
    }

    /// Value copies of every group, sorted by grouping key, families sorted by name.
    func snapshot() -> [MetricGroupSnapshot] {
        self.sortedGroups().map(self.snapshot(of:))
    }

    /// The groups sorted by grouping key (the order of ``snapshot()`` and the JSON API).
    func sortedGroups() -> [StoredGroup] {
        self.groups.values.sorted { $0.key < $1.key }
    }

    /// A value copy of one group, families sorted by name (each decoded from its series' encodings).
    func snapshot(of group: StoredGroup) -> MetricGroupSnapshot {
        MetricGroupSnapshot(
            key: group.key,
            families: Self.sortedNames(group.families).compactMap { name in
                guard let part = self.index[name]?.parts[group.key], let family = self.family(name, of: group.key) else {
                    return nil
                }
                return .init(family: family, time: part.time)
            }
        )
    }

    /// What the UI lists for a group, read from the index and the stored encodings without decoding any
    /// family.
    func summary(of group: StoredGroup) -> GroupSummary {
        // Upstream's LastPushSuccess, as MetricGroupSnapshot.lastPushSuccessful reads it from decoded models.
        let success = self.index[MetricStore.pushTimeName]?.parts[group.key]?.entries.first?.simpleValue
        let failure = self.index[MetricStore.pushFailureTimeName]?.parts[group.key]?.entries.first?.simpleValue
        return GroupSummary(
            key: group.key,
            familyNames: Self.sortedNames(group.families),
            seriesCount: group.seriesCount,
            lastPushSuccessful: success.flatMap { success in failure.map { $0 <= success } } ?? true,
            lastPushTime: success.flatMap(Timestamp.init(unixSeconds:))
        )
    }

    private static func sortedNames(_ names: Set<String>) -> [String] {
        names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Every group with its families as `MetricFamily` messages assembled from the series' encodings, sorted
    /// like ``snapshot()``: persistence writes these without decoding anything into models.
    func encodedGroups() -> [PersistenceFile.EncodedGroup] {
        self.groups.values.sorted { $0.key < $1.key }.map { group in
            PersistenceFile.EncodedGroup(
                key: group.key,
                families: group.families.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { name in
                    guard let part = self.index[name]?.parts[group.key] else { return nil }
                    return (part.time, Self.message(name: name, part: part))
                }
            )
        }
    }

    /// One group's family as a `MetricFamily` message: Go's field order (name, help, type, metrics, unit),
    /// then the fields this schema does not know, as the codec writes them.
    static func message(name: String, part: FamilyPart) -> [UInt8] {
        var message: [UInt8] = []
        message.reserveCapacity(part.entries.reduce(name.utf8.count + (part.help?.utf8.count ?? 0) + 16) { $0 + $1.protobuf.count + 4 })
        WireWriter.appendLengthDelimited(WireField.MetricFamily.name, name.utf8, to: &message)
        if let help = part.help { WireWriter.appendLengthDelimited(WireField.MetricFamily.help, help.utf8, to: &message) }
        WireWriter.appendVarintField(WireField.MetricFamily.type, UInt64(part.type.rawValue), to: &message)
        for entry in part.entries {
            entry.appendProtobufField(to: &message)
        }
        if let unit = part.unit { WireWriter.appendLengthDelimited(WireField.MetricFamily.unit, unit.utf8, to: &message) }
        for field in part.unknownFields.fields {
            WireWriter.appendTag(field.number, rawWireType: field.wireType, to: &message)
            message.append(contentsOf: field.payload)
        }
        return message
    }

    /// The family `name` of the group `key` as it was written, decoded from the series' protobuf encodings
    /// (which carry everything the model holds); nil if the group has no such family.
    func family(_ name: String, of key: GroupingKey) -> MetricFamily? {
        guard let part = self.index[name]?.parts[key] else { return nil }
        var message: [UInt8] = []
        message.reserveCapacity(part.entries.reduce(0) { $0 + $1.protobuf.count + 6 })
        for entry in part.entries {
            entry.appendProtobufField(to: &message)
        }
        // The encodings are our own encoder's output, so decoding them cannot fail short of memory
        // corruption; an empty family is the safe answer if it ever did.
        var family = (try? ProtobufCodec().decodeMessage(message)) ?? MetricFamily(name: name, type: part.type)
        family.name = name
        family.help = part.help
        family.type = part.type
        family.unit = part.unit
        family.unknownFields = part.unknownFields
        return family
    }
}

/// A series' identity once escaped with one of ``StoreState/escapingSchemes`` (by position).
struct EscapedSeries: Hashable, Sendable {
    var scheme: Int
    var identity: SeriesIdentity
}
