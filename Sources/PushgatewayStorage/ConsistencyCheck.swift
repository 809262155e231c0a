import PushgatewayCore

// Upstream's push-time check is client_golang's Gatherers.Gather over its own registry and a copy of the
// store with the push applied. These are the same rules, evaluated only where a push can break them: the
// pushed families (and the group's push-time gauges) against the cross-group indexes. Validating the whole
// store (after writes that skipped the check) replays every group through the same check into an empty
// state, so there is one implementation of the rules.
//
// Two rules go beyond upstream, because upstream's exposition can break where ours must not: a family name
// or a label name that is the same as another once escaped for a scheme the gateway serves (upstream writes
// both, and a scraper keeps one), and a family with an empty name (upstream's text writer emits `# TYPE ""`).

extension StoreState {
    /// The error for a family without a name, which only the protobuf format can carry (upstream has no such
    /// check and writes `# TYPE "" …`, which breaks every text scrape).
    static let emptyNameError = "collected metric family has an empty name"

    /// The schemes whose escaping can map two names to one; allow-utf-8 writes names as they are.
    static let escapingSchemes: [NameEscapingScheme] = [.underscores, .dots, .values]

    /// Checks that writing `families` to the group `key` keeps the exposition valid.
    ///
    /// - Parameters:
    ///   - families: the families about to be written (sanitised, including the push-time gauges).
    ///   - entries: the families' series as ``entries(for:codec:)`` encodes them, by family name.
    ///   - escaped: the series' escaped identities (``escapedIdentities(for:codec:)``), by family name.
    ///   - key: the group written to; its current families of the same names are about to be replaced.
    ///   - removing: names of further families of the group that the write removes (PUT).
    /// - Returns: upstream's error message, or nil when the push is consistent.
    mutating func check(
        writing families: [MetricFamily],
        entries: [String: [SeriesEntry]],
        escaped: [String: [Int: [SeriesIdentity]]] = [:],
        to key: GroupingKey,
        removing: Set<String>
    ) -> String? {
        Self.combine(self.errors(writing: families, entries: entries, escaped: escaped, to: key, removing: removing))
    }

    /// Upstream's scrape-time Gather over everything: used after writes that skipped the checks.
    ///
    /// Every group is checked, in grouping-key order, against the groups before it, by the same rules a push
    /// is checked with.
    func validateAll() -> String? {
        var replay = StoreState(own: self.own)
        var errors: [String] = []
        var reported = Set<String>()
        for key in self.groups.keys.sorted() {
            guard let group = self.groups[key] else { continue }
            var families: [MetricFamily] = []
            var entries: [String: [SeriesEntry]] = [:]
            var escaped: [String: [Int: [SeriesIdentity]]] = [:]
            for name in group.families {
                guard let part = self.index[name]?.parts[key], let family = self.family(name, of: key) else { continue }
                families.append(family)
                entries[name] = part.entries
                escaped[name] = part.escaped
            }
            // An error about a family name (an own type, a collision) comes again for every group holding it.
            for error in replay.errors(writing: families, entries: entries, escaped: escaped, to: key, removing: [])
            where reported.insert(error).inserted {
                errors.append(error)
            }
            for family in families {
                replay.write(
                    family,
                    entries: entries[family.name] ?? [],
                    escaped: escaped[family.name] ?? [:],
                    time: Timestamp(seconds: 0),
                    to: key
                )
            }
        }
        return Self.combine(errors)
    }

    /// Go's MultiError.MaybeUnwrap: one error is itself, several are counted and listed.
    static func combine(_ errors: [String]) -> String? {
        switch errors.count {
        case 0: return nil
        case 1: return errors[0]
        default: return "\(errors.count) error(s) occurred:" + errors.map { "\n* " + $0 }.joined()
        }
    }

    // MARK: The rules

    private mutating func errors(
        writing families: [MetricFamily],
        entries: [String: [SeriesEntry]],
        escaped: [String: [Int: [SeriesIdentity]]],
        to key: GroupingKey,
        removing: Set<String>
    ) -> [String] {
        var errors: [String] = []
        var work = 0
        let written = WrittenNames(families.map(\.name))
        for family in families.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            if let error = self.familyError(family, in: key, written: written, removing: removing) {
                errors.append(error)
                continue
            }
            self.checkSeries(
                of: family,
                identities: (entries[family.name] ?? []).map(\.identity),
                escaped: escaped[family.name] ?? [:],
                in: key,
                work: &work,
                into: &errors
            )
        }
        self.work += work
        return errors
    }

    /// The rules about a family as a whole: its name, its type against the gateway's own families, and
    /// names it collides with (by suffix, as upstream, or once escaped).
    private func familyError(_ family: MetricFamily, in key: GroupingKey, written: WrittenNames, removing: Set<String>) -> String? {
        let name = family.name
        if name.isEmpty {
            return Self.emptyNameError
        }
        if let own = self.own[name], own.type != family.type {
            return "gathered metric family \(name) has type \(family.type.protobufName) but should have \(own.type.protobufName)"
        }
        // A name already in the exposition was checked when it arrived.
        guard self.existingType(of: name, excluding: key) == nil && self.own[name] == nil else {
            return nil
        }
        let exposes = { (other: String) in self.exposes(other, group: key, written: written, removing: removing) }
        return self.suffixCollision(name: name, type: family.type, group: key, exposes: exposes)
            ?? self.escapedCollision(name: name, written: written, exposes: exposes)
    }

    /// Whether the exposition will hold the family `name` once the write is applied.
    private func exposes(_ name: String, group: GroupingKey, written: WrittenNames, removing: Set<String>) -> Bool {
        if written.names.contains(name) || self.own[name] != nil {
            return true
        }
        // Families of this group that the write removes no longer count.
        return self.existingType(of: name, excluding: group) != nil
            || (self.index[name]?.parts[group] != nil && !removing.contains(name))
    }

    /// The type the exposition gives the family `name`, seen from a write to `group`.
    private func exposedType(of name: String, group: GroupingKey) -> MetricType? {
        self.own[name]?.type ?? self.existingType(of: name, excluding: group) ?? self.index[name]?.parts[group]?.type
    }

    /// client_golang's checkSuffixCollisions, for a name new to the exposition, in both directions.
    private func suffixCollision(name: String, type: MetricType, group: GroupingKey, exposes: (String) -> Bool) -> String? {
        for suffix in ["_count", "_sum", "_bucket"] where name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count {
            let base = String(name.dropLast(suffix.count))
            guard exposes(base) else { continue }
            switch self.exposedType(of: base, group: group) {
            case .summary where suffix != "_bucket":
                return
                    "collected metric named \(GoQuote.string(name)) collides with previously collected summary named \(GoQuote.string(base))"
            case .histogram:
                return
                    "collected metric named \(GoQuote.string(name)) collides with previously collected histogram named \(GoQuote.string(base))"
            default:
                break
            }
        }
        if type == .summary || type == .histogram {
            for suffix in ["_count", "_sum"] where exposes(name + suffix) {
                return
                    "collected histogram or summary named \(GoQuote.string(name)) collides with previously collected metric named \(GoQuote.string(name + suffix))"
            }
        }
        if type == .histogram && exposes(name + "_bucket") {
            return
                "collected histogram named \(GoQuote.string(name)) collides with previously collected metric named \(GoQuote.string(name + "_bucket"))"
        }
        return nil
    }

    /// A family that another one, new to the exposition or not, would be written as under some escaping scheme
    /// (upstream escapes at write time and would write both under one name, so a scraper keeps only one).
    ///
    /// A legacy name is never escaped, so it can only meet the escaped form of a name that is not legacy; the
    /// index ``escapedNames`` finds those in O(1), and ``WrittenNames`` those of the same write.
    private func escapedCollision(name: String, written: WrittenNames, exposes: (String) -> Bool) -> String? {
        let legacy = LegacyName.isValidMetricName(name)
        for scheme in Self.escapingSchemes {
            let exposed = scheme.exposed(name)
            let key = EscapedName(scheme: scheme, name: exposed)
            var others = (self.escapedNames[key] ?? []).union(written.escaped[key] ?? [])
            if !legacy {
                others.insert(exposed)
            }
            others.remove(name)
            for other in others.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where exposes(other) {
                return
                    "collected metric named \(GoQuote.string(name)) collides with previously collected metric named \(GoQuote.string(other)) after escaping=\(scheme.rawValue)"
            }
        }
        return nil
    }

    /// The per-series rules, and that no series is there twice.
    private func checkSeries(
        of family: MetricFamily,
        identities: [SeriesIdentity],
        escaped: [Int: [SeriesIdentity]],
        in key: GroupingKey,
        work: inout Int,
        into errors: inout [String]
    ) {
        let name = family.name
        // The merged family takes the type of what is already there; a push cannot change it.
        let mergedType = self.existingType(of: name, excluding: key) ?? family.type
        // Series of this group's current family of the same name are replaced, so they do not count.
        let old = self.index[name]?.parts[key]?.entries ?? []
        if self.validationError == nil && !self.needsFullValidation, old.count == identities.count,
            zip(old, identities).allSatisfy({ $0.identity == $1 })
        {
            // A consistent store re-pushed with the same series: each is owned once, by the part being
            // replaced, and the part has no duplicates, so only the per-metric rules can fail.
            for metric in family.metrics {
                work += 1
                if let error = self.metricError(metric, family: name, type: mergedType) {
                    errors.append(error)
                }
            }
            return
        }
        var replaced: [SeriesIdentity: Int] = [:]
        replaced.reserveCapacity(old.count)
        for entry in old {
            replaced[entry.identity, default: 0] += 1
        }
        var seen = Set<SeriesIdentity>(minimumCapacity: family.metrics.count)
        // Series that are the same only once escaped: rare, so looked at only where a label name needs escaping.
        let escapedOwners = self.index[name]?.escapedOwners ?? [:]
        var replacedEscaped: [EscapedSeries: Int] = [:]
        let oldEscaped = self.index[name]?.parts[key]?.escaped ?? [:]
        for identities in oldEscaped.values {
            for (scheme, identity) in identities.enumerated() {
                replacedEscaped[EscapedSeries(scheme: scheme, identity: identity), default: 0] += 1
            }
        }
        var seenEscaped = Set<EscapedSeries>()
        let checksEscaped = !escaped.isEmpty || !escapedOwners.isEmpty
        for (position, (metric, identity)) in zip(family.metrics, identities).enumerated() {
            work += 1
            if let error = self.metricError(metric, family: name, type: mergedType) {
                errors.append(error)
                continue
            }
            let existing = (self.index[name]?.owners[identity] ?? 0) - (replaced[identity] ?? 0)
            if existing > 0 || !seen.insert(identity).inserted {
                errors.append(
                    "collected metric \(GoQuote.string(name)) { \(Self.describe(metric))} was collected before with the same name and label values"
                )
                continue
            }
            guard checksEscaped else { continue }
            // A series with such a label is the same as a series without one that has its escaped labels, or as
            // another such series with the same escaped identity; a series without one only as the latter.
            for (scheme, escapedIdentity) in (escaped[position] ?? Array(repeating: identity, count: Self.escapingSchemes.count))
                .enumerated()
            {
                let key = EscapedSeries(scheme: scheme, identity: escapedIdentity)
                var duplicate = (escapedOwners[key] ?? 0) - (replacedEscaped[key] ?? 0) > 0 || seenEscaped.contains(key)
                if escaped[position] != nil {
                    let owners = (self.index[name]?.owners[escapedIdentity] ?? 0) - (replaced[escapedIdentity] ?? 0)
                    duplicate = duplicate || owners > 0 || seen.contains(escapedIdentity)
                    seenEscaped.insert(key)
                }
                if duplicate {
                    errors.append(
                        "collected metric \(GoQuote.string(name)) { \(Self.describe(metric))} was collected before with the same name and label values after escaping=\(Self.escapingSchemes[scheme].rawValue)"
                    )
                    break
                }
            }
        }
    }

    /// client_golang's checkMetricConsistency, minus the duplicate check, plus label names that are the same
    /// once escaped.
    func metricError(_ metric: Metric, family name: String, type: MetricType) -> String? {
        // Only built when there is an error: describing a metric costs more than checking it.
        var prefix: String { "collected metric \(GoQuote.string(name)) { \(Self.describe(metric))}" }
        if !Self.value(metric.value, satisfies: type) {
            return "\(prefix) is not a \(type.protobufName)"
        }
        var previous: String?
        var needsEscaping = false
        for label in metric.labels {
            if label.name == previous {
                return "\(prefix) has two or more labels with the same name: \(label.name)"
            }
            if !Self.isValidLabelName(label.name) {
                return "\(prefix) has a label with an invalid name: \(label.name)"
            }
            if case .summary = metric.value, label.name == "quantile" {
                return "\(prefix) must not have an explicit \"quantile\" label"
            }
            needsEscaping = needsEscaping || !LegacyName.isValidMetricName(label.name)
            previous = label.name
        }
        if needsEscaping {
            for scheme in Self.escapingSchemes {
                var names = Set<String>(minimumCapacity: metric.labels.count)
                for label in metric.labels {
                    let escaped = scheme.exposed(label.name)
                    if !names.insert(escaped).inserted {
                        return "\(prefix) has two or more labels with the same name after escaping=\(scheme.rawValue): \(escaped)"
                    }
                }
            }
        }
        return nil
    }

    /// Whether `name` may be a label name.
    ///
    /// Upstream (since 1.11.2) validates the label names of protobuf pushes as UTF-8 whatever
    /// `--push.enable-utf8-names` says (the flag governs the text parser and the grouping path), and refuses
    /// the reserved `__` prefix. On top of that, the name's form escaped with underscores, upstream's default
    /// scheme and the one every scraper without UTF-8 support gets, must not be reserved either: `1-bad` would
    /// reach it as `__bad`, a label Prometheus drops as internal. The dots and values schemes are not looked
    /// at: they are reversible, and a scraper that asks for them unescapes the names. Nor may a label name hold
    /// a `:`: names are escaped and quoted by the metric-name rule, which allows colons, so `a:b` would be
    /// written bare as `{a:b="1"}`, which no text parser reads (upstream writes it so and breaks the scrape).
    static func isValidLabelName(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.starts(with: "__".utf8) && !name.utf8.contains(UInt8(ascii: ":"))
            && !NameEscapingScheme.underscores.escape(name).utf8.starts(with: "__".utf8)
    }

    /// Whether a metric carries the value message its family type requires. Upstream checks the five
    /// classic types only, so a gauge histogram family accepts anything.
    static func value(_ value: MetricValue, satisfies type: MetricType) -> Bool {
        switch (type, value) {
        case (.counter, .counter), (.gauge, .gauge), (.untyped, .untyped), (.summary, .summary), (.histogram, .histogram),
            (.gaugeHistogram, _):
            return true
        default:
            return false
        }
    }

    /// A metric in the protobuf text format, as upstream's `%s` prints it in errors (upstream's spacing
    /// is deliberately unstable; this is the compact form).
    static func describe(_ metric: Metric) -> String {
        var parts = metric.labels.map { "label:{name:\(GoQuote.string($0.name)) value:\(GoQuote.string($0.value))}" }
        func number(_ value: Double) -> String {
            value.isNaN ? "nan" : value.isInfinite ? (value < 0 ? "-inf" : "inf") : GoFloat.format(value)
        }
        switch metric.value {
        case .counter(let counter): parts.append("counter:{value:\(number(counter.value))}")
        case .gauge(let value): parts.append("gauge:{value:\(number(value))}")
        case .untyped(let value): parts.append("untyped:{value:\(number(value))}")
        case .summary(let summary):
            // Go prints only the fields that are set (a text push sets them only from `_count`/`_sum` lines).
            var fields: [String] = []
            if summary.hasSampleCount { fields.append("sample_count:\(summary.sampleCount)") }
            if summary.hasSampleSum { fields.append("sample_sum:\(number(summary.sampleSum))") }
            fields += summary.quantiles.map { "quantile:{quantile:\(number($0.quantile)) value:\(number($0.value))}" }
            parts.append("summary:{\(fields.joined(separator: " "))}")
        case .histogram(let histogram):
            var fields: [String] = []
            if histogram.hasSampleCount { fields.append("sample_count:\(histogram.sampleCount)") }
            if histogram.hasSampleSum { fields.append("sample_sum:\(number(histogram.sampleSum))") }
            fields += histogram.buckets.map { "bucket:{cumulative_count:\($0.cumulativeCount) upper_bound:\(number($0.upperBound))}" }
            parts.append("histogram:{\(fields.joined(separator: " "))}")
        case .none: break
        }
        if let timestamp = metric.timestampMs {
            parts.append("timestamp_ms:\(timestamp)")
        }
        return parts.joined(separator: " ")
    }
}

/// A name as one escaping scheme writes it: the key of ``StoreState/escapedNames``.
struct EscapedName: Hashable, Sendable {
    var scheme: NameEscapingScheme
    var name: String

    /// The forms of `name` under each scheme that changes it, or none for a legacy name (never escaped).
    static func forms(of name: String) -> [EscapedName] {
        guard !LegacyName.isValidMetricName(name) else { return [] }
        return StoreState.escapingSchemes.map { EscapedName(scheme: $0, name: $0.exposed(name)) }
    }
}

/// The family names of one write, with the escaped forms of those that are not legacy names.
private struct WrittenNames {
    let names: Set<String>
    let escaped: [EscapedName: Set<String>]

    init(_ names: [String]) {
        self.names = Set(names)
        var escaped: [EscapedName: Set<String>] = [:]
        for name in names {
            for form in EscapedName.forms(of: name) {
                escaped[form, default: []].insert(name)
            }
        }
        self.escaped = escaped
    }
}
