import PushgatewayCore
import Synchronization

// Upstream's handler instrumentation (PG handler/metrics.go, client_golang promhttp): a request counter by
// handler, status code and lower-cased method, and for pushes two summaries by method with the quantiles 0.1,
// 0.5 and 0.9 over the last ten minutes. Go's summaries estimate quantiles in five rotating buckets; here a
// bounded window of recent observations gives exact quantiles at scrape time instead. Count and sum cover the
// whole process lifetime, as in Go.

/// The request counter and push summaries, safe to update from any request.
final class HTTPMetrics: Sendable {
    /// The names and help texts upstream registers.
    static let requestsName = "pushgateway_http_requests_total"
    static let requestsHelp = "Total HTTP requests processed by the Pushgateway, excluding scrapes."
    static let pushSizeName = "pushgateway_http_push_size_bytes"
    static let pushSizeHelp = "HTTP request size for pushes to the Pushgateway."
    static let pushDurationName = "pushgateway_http_push_duration_seconds"
    static let pushDurationHelp = "HTTP request duration for pushes to the Pushgateway."

    /// The families as the store must know them up front.
    static let ownFamilies: [(name: String, type: MetricType, help: String)] = [
        (requestsName, .counter, requestsHelp),
        (pushSizeName, .summary, pushSizeHelp),
        (pushDurationName, .summary, pushDurationHelp),
    ]

    private struct RequestKey: Hashable {
        var code: Int
        var handler: String
        var method: String
    }

    private struct State {
        var requests: [RequestKey: UInt64] = [:]
        var pushSize: [String: SummaryWindow] = [:]
        var pushDuration: [String: SummaryWindow] = [:]
    }

    private let state = Mutex(State())
    private let window: Duration
    private let capacity: Int

    /// Creates empty metrics.
    /// - Parameters:
    ///   - window: How far back quantiles look (upstream's MaxAge, ten minutes).
    ///   - capacity: How many recent observations per summary child are kept for the quantiles.
    init(window: Duration = .seconds(600), capacity: Int = 4096) {
        self.window = window
        self.capacity = capacity
    }

    /// Counts one answered request (upstream's `InstrumentHandlerCounter`).
    func countRequest(handler: String, code: Int, method: String) {
        let key = RequestKey(code: code, handler: handler, method: Self.sanitizedMethod(method))
        self.state.withLock { $0.requests[key, default: 0] += 1 }
    }

    /// Records one push (upstream's `InstrumentHandlerDuration` and `InstrumentHandlerRequestSize`).
    func observePush(method: String, size: Int, duration: Duration, at now: ContinuousClock.Instant) {
        let method = Self.sanitizedMethod(method)
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        self.state.withLock { state in
            state.pushSize[method, default: SummaryWindow(capacity: self.capacity)].observe(Double(size), at: now)
            state.pushDuration[method, default: SummaryWindow(capacity: self.capacity)].observe(seconds, at: now)
        }
    }

    /// The three families as of `now`; a family without children is returned empty (the store skips it).
    func families(at now: ContinuousClock.Instant) -> [MetricFamily] {
        let (requests, size, duration) = self.state.withLock { state in
            (
                state.requests,
                state.pushSize.mapValues { $0.snapshot(at: now, window: self.window) },
                state.pushDuration.mapValues { $0.snapshot(at: now, window: self.window) }
            )
        }
        let requestMetrics = requests.sorted { ($0.key.code, $0.key.handler, $0.key.method) < ($1.key.code, $1.key.handler, $1.key.method) }
            .map { key, count in
                Metric(
                    labels: [
                        LabelPair(name: "code", value: String(key.code)),
                        LabelPair(name: "handler", value: key.handler),
                        LabelPair(name: "method", value: key.method),
                    ],
                    value: .counter(Counter(value: Double(count)))
                )
            }
        return [
            MetricFamily(name: Self.requestsName, help: Self.requestsHelp, type: .counter, metrics: requestMetrics),
            MetricFamily(name: Self.pushSizeName, help: Self.pushSizeHelp, type: .summary, metrics: Self.summaryMetrics(size)),
            MetricFamily(name: Self.pushDurationName, help: Self.pushDurationHelp, type: .summary, metrics: Self.summaryMetrics(duration)),
        ]
    }

    private static func summaryMetrics(_ children: [String: Summary]) -> [Metric] {
        children.sorted { $0.key < $1.key }.map { method, summary in
            Metric(labels: [LabelPair(name: "method", value: method)], value: .summary(summary))
        }
    }

    /// promhttp's `sanitizeMethod`: the common methods lower-cased, anything else `unknown`.
    static func sanitizedMethod(_ method: String) -> String {
        switch method {
        case "GET", "get": "get"
        case "PUT", "put": "put"
        case "HEAD", "head": "head"
        case "POST", "post": "post"
        case "DELETE", "delete": "delete"
        case "CONNECT", "connect": "connect"
        case "OPTIONS", "options": "options"
        case "NOTIFY", "notify": "notify"
        case "TRACE", "trace": "trace"
        case "PATCH", "patch": "patch"
        default: "unknown"
        }
    }
}

/// One summary child: lifetime count and sum, and a bounded ring of recent observations for the quantiles.
struct SummaryWindow: Sendable {
    /// The quantiles upstream's summaries report.
    static let quantiles = [0.1, 0.5, 0.9]

    private var count: UInt64 = 0
    private var sum: Double = 0
    private var recent: [(time: ContinuousClock.Instant, value: Double)] = []
    private var next = 0
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    mutating func observe(_ value: Double, at time: ContinuousClock.Instant) {
        self.count += 1
        self.sum += value
        if self.recent.count < self.capacity {
            self.recent.append((time, value))
        } else {
            self.recent[self.next] = (time, value)
            self.next = (self.next + 1) % self.capacity
        }
    }

    /// The summary as of `now`: quantiles over the observations not older than `window` (NaN when there are
    /// none, as in Go), by the nearest-rank method.
    func snapshot(at now: ContinuousClock.Instant, window: Duration) -> Summary {
        let values = self.recent.filter { now - $0.time <= window }.map(\.value).sorted()
        let quantiles = Self.quantiles.map { quantile in
            guard !values.isEmpty else { return Quantile(quantile: quantile, value: .nan) }
            let rank = Int((quantile * Double(values.count)).rounded(.up))
            return Quantile(quantile: quantile, value: values[min(max(rank, 1), values.count) - 1])
        }
        return Summary(sampleCount: self.count, sampleSum: self.sum, quantiles: quantiles)
    }
}
