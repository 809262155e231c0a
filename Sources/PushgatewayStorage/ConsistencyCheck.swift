import PushgatewayCore

// Upstream's push-time check is client_golang's Gatherers.Gather over its own registry and a copy of the
// store with the push applied. These are the same rules, evaluated only where a push can break them: the
// pushed families (and the group's push-time gauges) against the cross-group indexes.

extension StoreState {
    /// Checks that writing `families` to the group `key` keeps the exposition valid.
    ///
    /// - Parameters:
    ///   - families: the families about to be written (sanitised, including the push-time gauges).
    ///   - key: the group written to; its current families of the same names are about to be replaced.
    ///   - removing: names of further families of the group that the write removes (PUT).
    /// - Returns: upstream's error message, or nil when the push is consistent.
    mutating func check(
        writing families: [MetricFamily],
        entries: [String: [SeriesEntry]],
        to key: GroupingKey,
        removing: Set<String>
    ) -> String? {
        var errors: [String] = []
        var work = 0
        let writtenNames = Set(families.map(\.name))
        for family in families.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            self.check(
                family,
                // Identities must be made like the stored ones (from the series' encodings).
                identities: (entries[family.name] ?? Self.entries(for: family, codec: ProtobufCodec())).map(\.identity),
                in: key,
                writtenNames: writtenNames,
                removing: removing,
                work: &work,
                into: &errors
            )
        }
        self.work += work
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

    private func check(
        _ family: MetricFamily,
        identities: [SeriesIdentity],
        in key: GroupingKey,
        writtenNames: Set<String>,
        removing: Set<String>,
        work: inout Int,
        into errors: inout [String]
    ) {
        let name = family.name
        if let own = self.own[name], own.type != family.type {
            errors.append("gathered metric family \(name) has type \(family.type.protobufName) but should have \(own.type.protobufName)")
            return
        }
        // The merged family takes the type of what is already there; a push cannot change it.
        let existingType = self.existingType(of: name, excluding: key)
        let mergedType = existingType ?? family.type
        if existingType == nil && self.own[name] == nil {
            if let collision = self.suffixCollision(
                name: name,
                type: family.type,
                group: key,
                writtenNames: writtenNames,
                removing: removing
            ) {
                errors.append(collision)
                return
            }
        }
        // Series of this group's current family of the same name are replaced, so they do not count.
        let old = self.index[name]?.parts[key]?.entries ?? []
        if self.validationError == nil && !self.needsFullValidation, old.count == identities.count,
            zip(old, identities).allSatisfy({ $0.identity == $1 })
        {
            // A consistent store re-pushed with the same series: each is owned once, by the part being
            // replaced, and the part has no duplicates, so only the per-metric rules can fail.
            for metric in family.metrics {
                work += 1
                if let error = Self.metricError(metric, family: name, type: mergedType) {
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
        for (metric, identity) in zip(family.metrics, identities) {
            work += 1
            if let error = Self.metricError(metric, family: name, type: mergedType) {
                errors.append(error)
                continue
            }
            let existing = (self.index[name]?.owners[identity] ?? 0) - (replaced[identity] ?? 0)
            if existing > 0 || !seen.insert(identity).inserted {
                errors.append(
                    "collected metric \(GoQuote.string(name)) { \(Self.describe(metric))} was collected before with the same name and label values"
                )
            }
        }
    }

    /// client_golang's checkMetricConsistency, minus the duplicate check.
    static func metricError(_ metric: Metric, family name: String, type: MetricType) -> String? {
        // Only built when there is an error: describing a metric costs more than checking it.
        var prefix: String { "collected metric \(GoQuote.string(name)) { \(Self.describe(metric))}" }
        if !Self.value(metric.value, satisfies: type) {
            return "\(prefix) is not a \(type.protobufName)"
        }
        var previous: String?
        for label in metric.labels {
            if label.name == previous {
                return "\(prefix) has two or more labels with the same name: \(label.name)"
            }
            // Label names are checked with UTF-8 validation (client_golang's default since v1.11.2's
            // dependency updates): any non-empty name, but not the reserved `__` prefix.
            if label.name.isEmpty || label.name.hasPrefix("__") {
                return "\(prefix) has a label with an invalid name: \(label.name)"
            }
            if case .summary = metric.value, label.name == "quantile" {
                return "\(prefix) must not have an explicit \"quantile\" label"
            }
            previous = label.name
        }
        return nil
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

    /// client_golang's checkSuffixCollisions, for a name new to the exposition, in both directions.
    private func suffixCollision(
        name: String,
        type: MetricType,
        group: GroupingKey,
        writtenNames: Set<String>,
        removing: Set<String>
    )
        -> String?
    {
        func exists(_ other: String) -> Bool {
            if writtenNames.contains(other) || self.own[other] != nil {
                return true
            }
            // Families of this group that the write removes no longer count.
            return self.existingType(of: other, excluding: group) != nil
                || (self.index[other]?.parts[group] != nil && !removing.contains(other))
        }
        func typeOf(_ other: String) -> MetricType? {
            self.own[other]?.type ?? self.existingType(of: other, excluding: group) ?? self.index[other]?.parts[group]?.type
        }
        for suffix in ["_count", "_sum", "_bucket"] where name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count {
            let base = String(name.dropLast(suffix.count))
            guard exists(base) else { continue }
            switch typeOf(base) {
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
            for suffix in ["_count", "_sum"] where exists(name + suffix) {
                return
                    "collected histogram or summary named \(GoQuote.string(name)) collides with previously collected metric named \(GoQuote.string(name + suffix))"
            }
        }
        if type == .histogram && exists(name + "_bucket") {
            return
                "collected histogram named \(GoQuote.string(name)) collides with previously collected metric named \(GoQuote.string(name + "_bucket"))"
        }
        return nil
    }

    /// The identity of a series within its family: sorted label names and values (and the timestamp).
    static func identity(of metric: Metric) -> [UInt8] {
        var identity: [UInt8] = []
        for label in metric.labels {
            identity.append(contentsOf: label.name.utf8)
            identity.append(0xFF)
            identity.append(contentsOf: label.value.utf8)
            identity.append(0xFF)
        }
        if let timestamp = metric.timestampMs {
            identity.append(contentsOf: String(timestamp).utf8)
        }
        return identity
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
            let quantiles = summary.quantiles.map { " quantile:{quantile:\(number($0.quantile)) value:\(number($0.value))}" }.joined()
            parts.append("summary:{sample_count:\(summary.sampleCount) sample_sum:\(number(summary.sampleSum))\(quantiles)}")
        case .histogram(let histogram):
            let buckets = histogram.buckets.map { " bucket:{cumulative_count:\($0.cumulativeCount) upper_bound:\(number($0.upperBound))}" }
                .joined()
            parts.append("histogram:{sample_count:\(histogram.sampleCount) sample_sum:\(number(histogram.sampleSum))\(buckets)}")
        case .none: break
        }
        if let timestamp = metric.timestampMs {
            parts.append("timestamp_ms:\(timestamp)")
        }
        return parts.joined(separator: " ")
    }

    // MARK: Whole-store validation

    /// Upstream's scrape-time Gather over everything: used after writes that skipped the checks.
    func validateAll() -> String? {
        var errors: [String] = []
        var names = Set<String>()
        for name in self.index.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let family = self.index[name] else { continue }
            let groupKeys = family.parts.keys.sorted()
            guard let first = groupKeys.first, let firstType = family.parts[first]?.type else { continue }
            if let own = self.own[name], own.type != firstType {
                errors.append("gathered metric family \(name) has type \(firstType.protobufName) but should have \(own.type.protobufName)")
                continue
            }
            names.insert(name)
            var seen = Set<SeriesIdentity>()
            for key in groupKeys {
                guard let stored = self.family(name, of: key) else { continue }
                for metric in stored.metrics {
                    if let error = Self.metricError(metric, family: name, type: firstType) {
                        errors.append(error)
                    } else if !seen.insert(SeriesIdentity(Self.identity(of: metric))).inserted {
                        errors.append(
                            "collected metric \(GoQuote.string(name)) { \(Self.describe(metric))} was collected before with the same name and label values"
                        )
                    }
                }
            }
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            for suffix in ["_count", "_sum", "_bucket"] where name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count {
                let base = String(name.dropLast(suffix.count))
                let baseType = self.own[base]?.type ?? self.index[base]?.parts.min(by: { $0.key < $1.key })?.value.type
                if baseType == .histogram || (baseType == .summary && suffix != "_bucket") {
                    errors.append(
                        "collected metric named \(GoQuote.string(name)) collides with previously collected \(baseType == .histogram ? "histogram" : "summary") named \(GoQuote.string(base))"
                    )
                }
            }
        }
        return Self.combine(errors)
    }
}
