// `swift run -c release StoreBenchmarks`: the cost of one push inside the store (no HTTP), with 300 groups
// of 100 series stored and with 10,000 groups, the cost of a scrape, and what the web UI and the JSON API
// read (group summaries, one group's JSON object, the whole `/api/v1/metrics` body). Medians of repeated runs.

import PushgatewayCore
import PushgatewayStorage

#if canImport(Glibc)
    import Glibc
#endif

/// The process's anonymous resident memory in bytes (`RssAnon` of /proc/self/status; 0 where there is none).
func anonymousResidentBytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("RssAnon:") {
            return (Int(text.dropFirst(8).filter(\.isNumber)) ?? 0) * 1024
        }
    }
    return 0
}

func body(group: Int, round: Int) -> [UInt8] {
    var text = ""
    for family in 0..<10 {
        text += "# HELP bench_family_\(family) A benchmark family.\n# TYPE bench_family_\(family) gauge\n"
        for series in 0..<10 {
            text +=
                "bench_family_\(family){code=\"\(200 + series)\",path=\"/api/v1/items/\(series)\"} \(Double(group * 1000 + round) + 0.25)\n"
        }
    }
    return Array(text.utf8)
}

func key(_ group: Int) -> GroupingKey {
    GroupingKey([LabelPair(name: "job", value: "bench"), LabelPair(name: "instance", value: "i\(group)")])
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15
}

func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}

let parser = TextFormatParser()
let clock = ContinuousClock()
for groups in [300, 10_000] {
    let residentBefore = anonymousResidentBytes()
    let store = MetricStore()
    for group in 0..<groups {
        try store.push(PushRequest(key: key(group), families: parser.parse(body(group: group, round: 0)), replace: true))
    }
    _ = try store.exposition(.text).get().bytes
    _ = try store.exposition(.protobufDelimited).get().bytes
    let residentPerSeries = (anonymousResidentBytes() - residentBefore) / (groups * 100)
    var parse: [Double] = []
    var push: [Double] = []
    for round in 1...400 {
        let bytes = body(group: round % groups, round: round)
        var families: [MetricFamily] = []
        parse.append(milliseconds(try clock.measure { families = try parser.parse(bytes) }))
        push.append(
            milliseconds(try clock.measure { try store.push(PushRequest(key: key(round % groups), families: families, replace: true)) })
        )
    }
    var scrape: [Double] = []
    for _ in 0..<(groups <= 300 ? 20 : 3) {
        scrape.append(milliseconds(try clock.measure { _ = try store.exposition(.text).get().bytes }))
    }
    let repeats = groups <= 300 ? 20 : 5
    var summaries: [Double] = []
    for _ in 0..<repeats {
        summaries.append(milliseconds(clock.measure { _ = store.groupSummaries() }))
    }
    let oneGroup = milliseconds(clock.measure { _ = store.groupJSON(key(groups / 2)) })
    let firstJSON = milliseconds(clock.measure { _ = store.metricsJSON() })
    var json: [Double] = []
    for _ in 0..<repeats {
        json.append(milliseconds(clock.measure { _ = store.metricsJSON() }))
    }
    print(
        "\(groups) groups × 100 series: group summaries p50 \(median(summaries)) ms, one group's JSON object (first) \(oneGroup) ms, /api/v1/metrics body first \(firstJSON) ms, then p50 \(median(json)) ms"
    )
    print(
        "\(groups) groups × 100 series: parse p50 \(median(parse)) ms, store push p50 \(median(push)) ms, scrape (text) p50 \(median(scrape)) ms, heap \(residentPerSeries) bytes per stored series (after a scrape in each format)"
    )
}
