import Foundation
import PushgatewayCore

extension ConformanceCase {
    /// Every case, grouped by topic (spec §8 names the rules each group covers).
    static let all: [ConformanceCase] =
        groupingKeyCases + pushSemanticsCases + consistencyCases + textFormatCases + protobufCases + contentTypeCases
        + routingCases

    /// The cases whose name contains `CONFORMANCE_FILTER` (all when unset), for working on a few at a time.
    static var selected: [ConformanceCase] {
        guard let filter = ProcessInfo.processInfo.environment["CONFORMANCE_FILTER"], !filter.isEmpty else { return all }
        return all.filter { $0.name.localizedCaseInsensitiveContains(filter) }
    }
}

// Builders for protobuf pushes, so the table reads like the data it sends.

/// A family for a protobuf push.
func family(_ name: String, _ type: MetricType, help: String? = nil, _ metrics: [Metric]) -> MetricFamily {
    MetricFamily(name: name, help: help, type: type, metrics: metrics)
}

/// Label pairs from `name: value` tuples, in the order given.
func labels(_ pairs: KeyValuePairs<String, String>) -> [LabelPair] {
    pairs.map { LabelPair(name: $0.key, value: $0.value) }
}

/// The bytes of a text body.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
