import PushgatewayCore

// `make bench-codecs`: throughput of the four codecs on one 100k-series exposition, release build.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
// Each codec runs once to warm up, then 15 timed runs; the table gives the median and the best run (this
// machine is shared and noisy). MB/s counts the bytes of the text or protobuf form (1 MB = 10^6 bytes).

/// A deterministic 100k-series exposition shaped like what batch jobs push: mostly counters and gauges with
/// four labels, some summaries and classic histograms, values from small integers to Unix timestamps.
func makeFamilies(seriesCount: Int) -> [MetricFamily] {
    var families: [MetricFamily] = []
    var series = 0
    var familyIndex = 0
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    while series < seriesCount {
        let kind = familyIndex % 50
        let type: MetricType = kind == 0 ? .summary : kind == 1 ? .histogram : kind % 3 == 0 ? .gauge : kind % 3 == 1 ? .counter : .untyped
        var metrics: [Metric] = []
        for index in 0..<100 where series < seriesCount {
            let labels = [
                LabelPair(name: "code", value: index % 7 == 0 ? "500" : "200"),
                LabelPair(name: "instance", value: "host-\(index % 20).example.org:9100"),
                LabelPair(name: "job", value: "batch_job_\(familyIndex % 13)"),
                LabelPair(name: "path", value: "/api/v1/resource/\(index)"),
            ]
            let value: Double
            switch next() % 4 {
            case 0: value = Double(next() % 100_000)
            case 1: value = Double(next() % 1_000_000) / 1000
            case 2: value = 1_700_000_000 + Double(next() % 1_000_000) / 1_000_000
            default: value = Double(next() % 1000) * 0.001
            }
            switch type {
            case .counter: metrics.append(Metric(labels: labels, value: .counter(Counter(value: value))))
            case .gauge: metrics.append(Metric(labels: labels, value: .gauge(value)))
            case .untyped, .gaugeHistogram: metrics.append(Metric(labels: labels, value: .untyped(value)))
            case .summary:
                let quantiles = [0.5, 0.9, 0.99].map { Quantile(quantile: $0, value: value * $0) }
                metrics.append(
                    Metric(labels: labels, value: .summary(Summary(sampleCount: next() % 10_000, sampleSum: value, quantiles: quantiles)))
                )
            case .histogram:
                var cumulative: UInt64 = 0
                let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map { bound -> Bucket in
                    cumulative += next() % 100
                    return Bucket(cumulativeCount: cumulative, upperBound: bound)
                }
                metrics.append(
                    Metric(labels: labels, value: .histogram(Histogram(sampleCount: cumulative + 3, sampleSum: value, buckets: buckets)))
                )
            }
            series += 1
        }
        families.append(
            MetricFamily(
                name: "batch_job_metric_\(familyIndex)_total",
                help: "Benchmark family \(familyIndex).",
                type: type,
                metrics: metrics
            )
        )
        familyIndex += 1
    }
    return families
}

func measure(_ name: String, bytes: Int, runs: Int = timedRuns, _ body: () throws -> Void) rethrows -> (String, Double, Double, Double) {
    try body()  // warm-up
    var durations: [Duration] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        durations.append(try clock.measure(body))
    }
    durations.sort()
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    let median = seconds(durations[durations.count / 2])
    let best = seconds(durations[0])
    return (name, median * 1000, Double(bytes) / median / 1_000_000, Double(bytes) / best / 1_000_000)
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func format(_ value: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    if let dot = text.firstIndex(of: ".") {
        let fraction = text.distance(from: dot, to: text.endIndex) - 1
        if fraction < decimals { text += String(repeating: "0", count: decimals - fraction) }
    }
    return text
}

// BENCH_SERIES and BENCH_RUNS shrink the run (for instruction counting under valgrind).
let seriesCount = getenv("BENCH_SERIES").flatMap { Int(String(cString: $0)) } ?? 100_000
let timedRuns = getenv("BENCH_RUNS").flatMap { Int(String(cString: $0)) } ?? 15
let families = makeFamilies(seriesCount: seriesCount)
let text = TextFormatEncoder.encode(families)
let codec = ProtobufCodec()
let protobuf = codec.encodeDelimited(families)

// Sanity: both forms decode back to what was encoded before anything is timed (text via its bytes, since
// the text writer adds the +Inf bucket the model leaves implicit).
let fromText = try TextFormatParser().parse(text)
let fromProtobuf = try codec.decodeDelimited(protobuf)
guard TextFormatEncoder.encode(fromText) == text, fromProtobuf == families else {
    print("benchmark input does not round-trip; refusing to measure")
    exit(1)
}

// BENCH_DUMP=DIR writes the inputs to DIR/input.txt and DIR/input.pb (to measure other programs on them).
if let directory = getenv("BENCH_DUMP").map({ String(cString: $0) }) {
    for (name, bytes) in [("input.txt", text), ("input.pb", protobuf)] {
        guard let file = fopen(directory + "/" + name, "wb") else { continue }
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
    }
}

// `CodecBenchmarks <name>…` runs only the named codecs (for profiling one at a time).
let selected = Set(CommandLine.arguments.dropFirst())
func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }

var sink = 0
var results: [(String, Double, Double, Double)] = []
if wanted("text-parse") {
    results.append(try measure("text parse", bytes: text.count) { sink &+= try TextFormatParser().parse(text).count })
}
if wanted("text-write") {
    results.append(measure("text write", bytes: text.count) { sink &+= TextFormatEncoder.encode(families).count })
}
if wanted("protobuf-decode") {
    results.append(try measure("protobuf decode", bytes: protobuf.count) { sink &+= try codec.decodeDelimited(protobuf).count })
}
if wanted("protobuf-encode") {
    results.append(measure("protobuf encode", bytes: protobuf.count) { sink &+= codec.encodeDelimited(families).count })
}

print("input: \(seriesCount) series in \(families.count) families; text \(text.count) bytes, protobuf \(protobuf.count) bytes")
print("")
print("| codec           | median ms | MB/s (median) | MB/s (best) |")
print("| --------------- | --------- | ------------- | ----------- |")
for (name, milliseconds, throughput, best) in results {
    print(
        "| \(pad(name, 15)) | \(pad(format(milliseconds, decimals: 1), 9)) | \(pad(format(throughput, decimals: 0), 13)) | \(pad(format(best, decimals: 0), 11)) |"
    )
}
if sink == 42 { print("") }
