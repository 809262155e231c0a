// Shared by the fuzz harnesses (scripts/fuzz.sh compiles this file with each of them).

/// Aborts with `message` (libFuzzer records the input) unless `condition` holds.
func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("fuzz check failed: \(message())")
    }
}

/// Families a text scrape can carry without ambiguity: unique names (also counting the `_sum`, `_count` and
/// `_bucket` lines), values of the family's type, label names that are unique, not reserved and not the
/// `le`/`quantile` the writer adds. The consistency check keeps anything else out of the store.
private func countsSurviveText(_ value: MetricValue) -> Bool {
    let exact: UInt64 = 1 << 53
    switch value {
    case .summary(let summary):
        return summary.sampleCount <= exact
    case .histogram(let histogram):
        return histogram.sampleCount <= exact && histogram.buckets.allSatisfy { $0.cumulativeCount <= exact }
    default:
        return true
    }
}

func textCanCarry(_ families: [MetricFamily]) -> Bool {
    var names = Set<String>()
    for family in families {
        guard names.insert(family.name).inserted else { return false }
    }
    for family in families {
        for suffix in ["_sum", "_count", "_bucket"] where names.contains(family.name + suffix) {
            return false
        }
        for metric in family.metrics {
            switch (family.type, metric.value) {
            case (.counter, .counter), (.gauge, .gauge), (.untyped, .untyped), (.summary, .summary), (.histogram, .histogram),
                (.gaugeHistogram, .histogram), (_, .none):
                break
            default:
                return false
            }
            // Counts are written as integers but read back as doubles (Go's parser does the same), so one
            // above 2^53 comes back rounded; a negative `_count` line makes such a count (Go's uint64 cast).
            if !countsSurviveText(metric.value) {
                return false
            }
            var labelNames = Set<String>()
            for label in metric.labels {
                guard !label.name.isEmpty, !label.name.hasPrefix("__"), labelNames.insert(label.name).inserted else { return false }
                guard label.name != "le" && label.name != "quantile" else { return false }
                // Known, left to the consistency check: a label name with `:` is written unquoted (as Go's
                // expfmt does, by the metric-name rule) but no text parser reads it back.
                guard !label.name.utf8.contains(0x3A) else { return false }
            }
        }
    }
    return true
}
