public import PushgatewayCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one owner of the pushed metrics: groups, their families and the indexes across them.
///
/// Every method is synchronous and short: the state sits behind a mutex, series are encoded before the
/// lock is taken, and a scrape copies the merged families out and writes them after releasing it, so pushes
/// to other groups never wait for a scrape to be written.
public final class MetricStore: Sendable {
    /// Store options.
    public struct Options: Sendable {
        /// Check every push for consistency with the whole exposition (upstream's default); off with
        /// `--push.disable-consistency-check`.
        public var checkConsistency: Bool
        /// The gateway's own families (upstream's predefinedHelp and types).
        public var ownFamilies: [OwnFamily]

        /// Creates options.
        public init(checkConsistency: Bool = true, ownFamilies: [OwnFamily] = []) {
            self.checkConsistency = checkConsistency
            self.ownFamilies = ownFamilies
        }
    }

    /// Names and help texts of the per-group gauges.
    public static let pushTimeName = "push_time_seconds"
    public static let pushFailureTimeName = "push_failure_time_seconds"
    static let pushTimeHelp = "Last Unix time when changing this group in the Pushgateway succeeded."
    static let pushFailureTimeHelp = "Last Unix time when changing this group in the Pushgateway failed."

    let state: Mutex<StoreState>
    /// Each group's object of the JSON API with the group version it was written from (see
    /// ``metricsJSON()``); apart from the state so that pushes never wait for it.
    private let jsonCache = Mutex<[GroupingKey: CachedJSON]>([:])
    private let options: Options
    private let now: @Sendable () -> Timestamp
    let codec = ProtobufCodec()
    /// The write-ahead log every change is appended to (`--persistence.sync=always`); nil without one.
    package let journal: WriteAheadLog?

    /// Creates an empty store.
    /// - Parameters:
    ///   - options: consistency checking and the gateway's own families.
    ///   - now: the clock for push times (injected so tests are deterministic).
    public convenience init(options: Options = Options(), now: @escaping @Sendable () -> Timestamp = MetricStore.systemTime) {
        self.init(options: options, now: now, journal: nil)
    }

    /// Creates an empty store whose changes are appended to `journal`.
    package init(options: Options, now: @escaping @Sendable () -> Timestamp = MetricStore.systemTime, journal: WriteAheadLog?) {
        self.options = options
        self.now = now
        self.journal = journal
        self.state = Mutex(StoreState(own: options.ownFamilies))
    }

    /// The wall clock as a protobuf timestamp.
    @Sendable public static func systemTime() -> Timestamp {
        Timestamp.now()
    }

    /// Series and family parts visited by writes and checks since the last call (resets the count).
    package func takeWork() -> Int {
        self.state.withLock { state in
            defer { state.work = 0 }
            return state.work
        }
    }

    /// Changes with every write; persistence writes when it moved.
    public var generation: UInt64 {
        self.state.withLock { $0.generation }
    }

    // MARK: Writes

    /// Applies a PUT or POST with upstream's semantics.
    ///
    /// Grouping labels are forced onto every metric, `instance=""` is added where absent and labels are
    /// sorted. A rejected push still records `push_failure_time_seconds` (creating the group if new).
    /// - Throws: ``PushError`` when a sample has a timestamp or, with checks on, the push would make the
    ///   exposition inconsistent; the store then holds only the updated failure time.
    @discardableResult
    public func push(_ request: PushRequest) throws(PushError) -> WriteReceipt {
        let time = self.now()
        let key = request.key
        var byName: [String: MetricFamily] = [:]
        for family in request.families {
            byName[family.name] = family
        }
        if byName.values.contains(where: { $0.metrics.contains { $0.timestampMs != nil } }) {
            try self.recordFailure(of: key, at: time)
            throw PushError(.timestamps, "pushed metrics must not have timestamps")
        }
        // Refused even unchecked: the text exposition cannot write a family without a name.
        if byName[""] != nil {
            try self.recordFailure(of: key, at: time)
            throw PushError(.inconsistent, StoreState.emptyNameError)
        }
        byName = byName.mapValues { Self.sanitized($0, key: key) }
        byName[Self.pushTimeName] = Self.timeGauge(Self.pushTimeName, help: Self.pushTimeHelp, key: key, value: Self.seconds(time))
        let failureGauge = Self.timeGauge(Self.pushFailureTimeName, help: Self.pushFailureTimeHelp, key: key, value: 0)
        // Encoding is the expensive part: do it before taking the lock.
        var encoded = byName.mapValues { StoreState.entries(for: $0, codec: self.codec) }
        var escaped = byName.mapValues { StoreState.escapedIdentities(for: $0, codec: self.codec) }.filter { !$0.value.isEmpty }
        let failureEntries = StoreState.entries(for: failureGauge, codec: self.codec)
        let failureEscaped = StoreState.escapedIdentities(for: failureGauge, codec: self.codec)

        // The log holds each written family as the store holds it; built here, outside the lock, when there is a log.
        let journaled =
            self.journal == nil
            ? [:]
            : byName.mapValues { family in
                JournalFamily(
                    time: time,
                    message: StoreState.message(
                        name: family.name,
                        part: StoreState.part(for: family, entries: encoded[family.name] ?? [], escaped: [:], time: time)
                    )
                )
            }
        let failureJournaled =
            self.journal == nil
            ? nil
            : JournalFamily(
                time: time,
                message: StoreState.message(
                    name: failureGauge.name,
                    part: StoreState.part(for: failureGauge, entries: failureEntries, escaped: [:], time: time)
                )
            )

        let outcome: Result<UInt64?, PushError> = self.state.withLock { state in
            if let refusal = self.journal?.refusal {
                return .failure(PushError(.unavailable, refusal))
            }
            var families = byName
            var journaledFamilies = journaled
            // Upstream adds the zero failure gauge only to groups that have none; a pushed family of that
            // name replaces an existing one (a quirk kept on purpose).
            if state.groups[key]?.families.contains(Self.pushFailureTimeName) != true {
                families[Self.pushFailureTimeName] = failureGauge
                encoded[Self.pushFailureTimeName] = failureEntries
                escaped[Self.pushFailureTimeName] = failureEscaped
                journaledFamilies[Self.pushFailureTimeName] = failureJournaled
            }
            var removing = Set<String>()
            if request.replace, let group = state.groups[key] {
                removing = group.families.subtracting(families.keys).subtracting([Self.pushTimeName, Self.pushFailureTimeName])
            }
            if self.options.checkConsistency {
                if let error = state.check(writing: Array(families.values), entries: encoded, escaped: escaped, to: key, removing: removing)
                {
                    self.recordFailure(of: key, at: time, in: &state)
                    return .failure(PushError(.inconsistent, error))
                }
            } else {
                state.needsFullValidation = true
            }
            let undo = self.journal == nil ? nil : state.undoInformation(for: key, names: Set(families.keys).union(removing))
            for name in removing {
                state.remove(family: name, from: key)
            }
            for (name, family) in families {
                state.write(family, entries: encoded[name] ?? [], escaped: escaped[name] ?? [:], time: time, to: key)
            }
            state.revalidateIfInconsistent()
            guard let undo else { return .success(nil) }
            let record = JournalRecord.write(
                key: key,
                removing: removing.sorted(),
                families: families.keys.sorted().compactMap { journaledFamilies[$0] }
            )
            guard let sequence = self.appendToJournal(record, undo: undo, state: &state) else {
                return .failure(PushError(.unavailable, WriteAheadLog.closedMessage))
            }
            return .success(sequence)
        }
        return WriteReceipt(sequence: try outcome.get())
    }

    /// Deletes one group (exactly that grouping key); unknown groups are a no-op.
    /// - Throws: ``DurabilityError`` when the write-ahead log refuses changes (nothing was deleted).
    @discardableResult
    public func delete(_ key: GroupingKey) throws(DurabilityError) -> WriteReceipt {
        let outcome: Result<UInt64?, DurabilityError> = self.state.withLock { state in
            if let refusal = self.journal?.refusal {
                return .failure(DurabilityError(message: refusal))
            }
            let undo = self.journal == nil ? nil : state.undoInformation(forGroups: [key])
            state.removeGroup(key)
            state.generation &+= 1
            state.revalidateIfInconsistent()
            guard let undo else { return .success(nil) }
            guard let sequence = self.appendToJournal(.delete(key), undo: undo, state: &state) else {
                return .failure(DurabilityError(message: WriteAheadLog.closedMessage))
            }
            return .success(sequence)
        }
        return WriteReceipt(sequence: try outcome.get())
    }

    /// Deletes every group.
    /// - Throws: ``DurabilityError`` when the write-ahead log refuses changes (nothing was deleted).
    @discardableResult
    public func wipe() throws(DurabilityError) -> WriteReceipt {
        let outcome: Result<UInt64?, DurabilityError> = self.state.withLock { state in
            if let refusal = self.journal?.refusal {
                return .failure(DurabilityError(message: refusal))
            }
            let undo = self.journal == nil ? nil : state.undoInformation(forGroups: Array(state.groups.keys))
            for key in Array(state.groups.keys) {
                state.removeGroup(key)
            }
            state.generation &+= 1
            state.validationError = nil
            state.needsFullValidation = false
            guard let undo else { return .success(nil) }
            guard let sequence = self.appendToJournal(.wipe, undo: undo, state: &state) else {
                return .failure(DurabilityError(message: WriteAheadLog.closedMessage))
            }
            return .success(sequence)
        }
        return WriteReceipt(sequence: try outcome.get())
    }

    /// Replaces the whole content with restored groups (persistence), without checks; the next scrape
    /// validates everything.
    public func restore(_ groups: [MetricGroupSnapshot]) {
        let prepared = groups.map { group in
            (
                group.key,
                group.families.map {
                    (
                        $0, StoreState.entries(for: $0.family, codec: self.codec),
                        StoreState.escapedIdentities(for: $0.family, codec: self.codec)
                    )
                }
            )
        }
        self.state.withLock { state in
            for key in Array(state.groups.keys) {
                state.removeGroup(key)
            }
            for (key, families) in prepared {
                for (stored, entries, escaped) in families {
                    state.write(stored.family, entries: entries, escaped: escaped, time: stored.time, to: key)
                }
            }
            state.needsFullValidation = true
        }
    }

    private func recordFailure(of key: GroupingKey, at time: Timestamp) throws(PushError) {
        let refusal: String? = self.state.withLock { state in
            if let refusal = self.journal?.refusal {
                return refusal
            }
            self.recordFailure(of: key, at: time, in: &state)
            return nil
        }
        if let refusal {
            throw PushError(.unavailable, refusal)
        }
    }

    /// Upstream's setPushFailedTimestamp: the group exists afterwards, with the failure time set and a
    /// zero success time if it had none. Journaled like a push, but nobody waits for it: the push it records
    /// is answered with an error either way.
    private func recordFailure(of key: GroupingKey, at time: Timestamp, in state: inout StoreState) {
        var written = [Self.timeGauge(Self.pushFailureTimeName, help: Self.pushFailureTimeHelp, key: key, value: Self.seconds(time))]
        if state.groups[key]?.families.contains(Self.pushTimeName) != true {
            written.append(Self.timeGauge(Self.pushTimeName, help: Self.pushTimeHelp, key: key, value: 0))
        }
        let undo = self.journal == nil ? nil : state.undoInformation(for: key, names: Set(written.map(\.name)))
        var journaled: [JournalFamily] = []
        for family in written {
            let entries = StoreState.entries(for: family, codec: self.codec)
            state.write(
                family,
                entries: entries,
                escaped: StoreState.escapedIdentities(for: family, codec: self.codec),
                time: time,
                to: key
            )
            if undo != nil {
                journaled.append(
                    JournalFamily(
                        time: time,
                        message: StoreState.message(
                            name: family.name,
                            part: StoreState.part(for: family, entries: entries, escaped: [:], time: time)
                        )
                    )
                )
            }
        }
        state.needsFullValidation = true
        state.validationError = nil
        if let undo {
            // Nobody waits for this record; if the log is closed the change is simply taken back.
            _ = self.appendToJournal(.write(key: key, removing: [], families: journaled), undo: undo, state: &state)
        }
    }

    // MARK: Reads

    /// Value copies of every group, sorted by grouping key.
    public func snapshot() -> [MetricGroupSnapshot] {
        // Copy the state (copy-on-write, O(1)) under the lock; decode and sort outside it.
        let state = self.state.withLock { $0 }
        return state.snapshot()
    }

    /// The `/api/v1/metrics` body for every group, sorted by grouping key.
    ///
    /// Each group's object is written once from the decoded group and then reused until the group changes, so
    /// a call on an unchanged store only concatenates. The answer is the same bytes as
    /// `JSONAPIEncoder.metrics(snapshot())`.
    public func metricsJSON() -> [UInt8] {
        let state = self.state.withLock { $0 }
        let cache = self.jsonCache.withLock { $0 }
        var current: [GroupingKey: CachedJSON] = [:]
        current.reserveCapacity(state.groups.count)
        var written = false
        let objects = state.sortedGroups().map { group in
            if let cached = cache[group.key], cached.version == group.version {
                current[group.key] = cached
                return cached.object
            }
            written = true
            let object = JSONAPIEncoder.group(state.snapshot(of: group))
            current[group.key] = CachedJSON(version: group.version, object: object)
            return object
        }
        if written || current.count != cache.count {
            // Exactly the groups of this state: objects of deleted groups go. A concurrent call may have cached
            // a newer object meanwhile; losing it costs one rebuild, never a wrong answer (versions decide).
            self.jsonCache.withLock { $0 = current }
        }
        return JSONAPIEncoder.metrics(groupObjects: objects)
    }

    /// One group's object of the `/api/v1/metrics` body (the same bytes as its element there), or nil for a
    /// group the store does not hold.
    public func groupJSON(_ key: GroupingKey) -> [UInt8]? {
        let state = self.state.withLock { $0 }
        guard let group = state.groups[key] else { return nil }
        if let cached = self.jsonCache.withLock({ $0[key] }), cached.version == group.version {
            return cached.object
        }
        let object = JSONAPIEncoder.group(state.snapshot(of: group))
        self.jsonCache.withLock { cache in
            if cache[key].map({ $0.version < group.version }) ?? true {
                cache[key] = CachedJSON(version: group.version, object: object)
            }
        }
        return object
    }

    /// One entry per group, sorted as `/api/v1/metrics` sorts groups; no family is decoded.
    public func groupSummaries() -> [GroupSummary] {
        let state = self.state.withLock { $0 }
        return state.sortedGroups().map(state.summary(of:))
    }

    /// One group's families (decoded), or nil.
    public func group(_ key: GroupingKey) -> MetricGroupSnapshot? {
        let state = self.state.withLock { $0 }
        return state.groups[key].map(state.snapshot(of:))
    }

    /// Counts for the status page.
    public func statistics() -> StoreStatistics {
        self.state.withLock { state in
            StoreStatistics(groups: state.groups.count, series: state.seriesCount, bytes: state.seriesBytes)
        }
    }

    /// The persistence file's bytes for the current content, built from the series' encodings (no models
    /// are decoded, so a large store is written without a transient copy of all its values).
    public func persistenceImage(sequence: UInt64 = 0) -> [UInt8] {
        let state = self.state.withLock { $0 }
        return PersistenceFile.encode(encoded: state.encodedGroups(), sequence: sequence)
    }

    /// The exposition of every family (pushed and `own`), sorted by name, in `format`.
    ///
    /// - Parameters:
    ///   - format: text or delimited protobuf.
    ///   - escaping: how names that are not legacy names are written (upstream's default: underscores).
    ///   - own: the gateway's own families at this moment; a pushed family of the same name is merged
    ///     into it.
    /// - Returns: the families to write (``Exposition/chunks(of:)`` streams them), or upstream's gather
    ///   error when unchecked writes left the store inconsistent.
    public func exposition(
        _ format: ExpositionFormat,
        escaping: NameEscapingScheme = .underscores,
        own: [MetricFamily] = []
    ) -> Result<Exposition, ExpositionError> {
        let taken: Result<StoreState, ExpositionError> = self.state.withLock { state in
            if state.needsFullValidation {
                state.validationError = state.validateAll()
                state.needsFullValidation = false
            }
            if let error = state.validationError {
                return .failure(ExpositionError(message: error))
            }
            return .success(state)
        }
        // Families changed since the last scrape are merged (sorted) on a copy of the state, outside the
        // lock, so pushes do not wait for it; the views are handed back for the next scrape.
        return taken.map { copy in
            var copy = copy
            let merged = copy.mergedFamilies()
            self.state.withLock { $0.adoptMerged(from: copy) }
            return Exposition(format: format, families: self.assemble(merged, own: own, escaping: escaping))
        }
    }

    private func assemble(
        _ families: [MergedFamily],
        own: [MetricFamily],
        escaping: NameEscapingScheme
    ) -> [MergedFamily] {
        var all = families
        var resort = !own.isEmpty
        if escaping != .allowUTF8 {
            for index in all.indices where !all[index].escapingSources.isEmpty {
                let escaped = all[index].escapingSources.map { $0.escaped(escaping) }
                let entries = SeriesEntry.sorted(escaped.flatMap { StoreState.entries(for: $0, codec: self.codec) })
                let family = all[index]
                all[index] = MergedFamily(
                    name: escaping.escape(family.name),
                    type: family.type,
                    help: family.help,
                    unit: family.unit,
                    entries: entries
                )
                resort = true
            }
        }
        if !own.isEmpty {
            var byName = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for family in own where !family.metrics.isEmpty {
                var entries = StoreState.entries(for: family, codec: self.codec)
                if let pushed = byName[family.name] {
                    entries.append(contentsOf: pushed.entries)
                    entries = SeriesEntry.sorted(entries)
                }
                byName[family.name] = MergedFamily(
                    name: family.name,
                    type: family.type,
                    help: family.help,
                    unit: family.unit,
                    entries: entries
                )
            }
            all = Array(byName.values)
        }
        if resort {
            all.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        }
        return all
    }

    // MARK: Helpers

    /// Upstream's sanitizeLabels: grouping labels overwrite body labels of the same name (the first one),
    /// missing grouping labels are added, `instance=""` is added if absent, labels are sorted by name.
    static func sanitize(_ metric: Metric, key: GroupingKey) -> Metric {
        var metric = metric
        // Grouping labels are few and unique by name (GroupingKey guarantees it): a flag per label beats a
        // dictionary per metric.
        var pending = [Bool](repeating: true, count: key.labels.count)
        var hasInstance = false
        for index in metric.labels.indices {
            let name = metric.labels[index].name
            if let grouping = key.labels.firstIndex(where: { $0.name == name }), pending[grouping] {
                metric.labels[index].value = key.labels[grouping].value
                pending[grouping] = false
            }
            if name == "instance" {
                hasInstance = true
            }
        }
        for (index, label) in key.labels.enumerated() where pending[index] {
            metric.labels.append(label)
            if label.name == "instance" {
                hasInstance = true
            }
        }
        if !hasInstance {
            metric.labels.append(LabelPair(name: "instance", value: ""))
        }
        metric.labels.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return metric
    }

    /// A family with its metrics sanitised for the group `key`, as a push stores it.
    package static func sanitized(_ family: MetricFamily, key: GroupingKey) -> MetricFamily {
        var family = family
        family.metrics = family.metrics.map { Self.sanitize($0, key: key) }
        return family
    }

    static func timeGauge(_ name: String, help: String, key: GroupingKey, value: Double) -> MetricFamily {
        let metric = Self.sanitize(Metric(value: .gauge(value)), key: key)
        return MetricFamily(name: name, help: help, type: .gauge, metrics: [metric])
    }

    /// Go's `float64(t.UnixNano()) / 1e9`.
    static func seconds(_ time: Timestamp) -> Double {
        Double(time.seconds &* 1_000_000_000 &+ Int64(time.nanos)) / 1e9
    }
}

/// The store cannot be exposed: unchecked writes made it inconsistent (upstream answers 500).
public struct ExpositionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Upstream's gather error.
    public var message: String

    public var description: String { self.message }
}
