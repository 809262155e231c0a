import PushgatewayCore

/// The Accept header Prometheus 2.42 sends with `--enable-feature=native-histograms`: protobuf first.
let protobufScrapeAccept =
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
    + "application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,"
    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

/// The Accept header Prometheus 2.42 sends by default: OpenMetrics first, text 0.0.4 as the fallback.
let textScrapeAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

/// What the gateway holds, as its three read interfaces show it.
extension RunningGateway {
    /// `GET /metrics` with Prometheus' default Accept header; requires 200 and a text 0.0.4 answer.
    func scrapeText() async throws -> String {
        let answer = try await send("GET", "/metrics", port: self.port, headers: [("Accept", textScrapeAccept)])
        guard answer.status == 200, answer.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true else {
            throw PeerError("text scrape answered \(answer.status) \(answer.header("Content-Type") ?? "-"): \(answer.text)")
        }
        return answer.text
    }

    /// `GET /metrics` as Prometheus asks with native histograms on, decoded; requires 200 and a protobuf answer.
    func scrapeProtobuf() async throws -> [MetricFamily] {
        let answer = try await send("GET", "/metrics", port: self.port, headers: [("Accept", protobufScrapeAccept)])
        guard answer.status == 200, answer.header("Content-Type")?.hasPrefix("application/vnd.google.protobuf") == true else {
            throw PeerError("protobuf scrape answered \(answer.status) \(answer.header("Content-Type") ?? "-"): \(answer.text)")
        }
        return try ProtobufCodec().decodeDelimited(answer.body)
    }

    /// The `data` array of `GET /api/v1/metrics`: one object per group.
    func apiGroups() async throws -> [JSON] {
        let answer = try await send("GET", "/api/v1/metrics", port: self.port)
        guard answer.status == 200 else { throw PeerError("/api/v1/metrics answered \(answer.status): \(answer.text)") }
        let document = try JSON(parsing: answer.body)
        guard document["status"] == .string("success"), case .array(let groups)? = document["data"] else {
            throw PeerError("/api/v1/metrics answered an unexpected document: \(answer.text)")
        }
        return groups
    }

    /// The API's group whose grouping labels are exactly `labels`, if there is one.
    func apiGroup(_ labels: [String: String]) async throws -> JSON? {
        try await self.apiGroups().first { $0["labels"] == .labels(labels) }
    }

    /// Every group's grouping labels, as the API lists them.
    func groupingKeys() async throws -> Set<[String: String]> {
        Set(
            try await self.apiGroups().map { group in
                guard case .object(let labels)? = group["labels"] else { return [:] }
                return labels.compactMapValues(\.string)
            }
        )
    }
}

extension JSON {
    /// In an API group: the metric of family `family` whose labels are exactly `labels`.
    func apiMetric(_ family: String, _ labels: [String: String]) -> JSON? {
        self[family]?["metrics"]?.elements.first { $0["labels"] == .labels(labels) }
    }
}

/// Text exposition helpers: the lines of one family, or the exposition without some families.
enum Exposition {
    /// The lines of `family` (its HELP and TYPE lines and its samples, `_bucket`/`_sum`/`_count` included), in
    /// the order the scrape had them.
    static func lines(of family: String, in text: String) -> [String] {
        self.split(text).filter { $0.family == family }.map(\.line)
    }

    /// The exposition without the families whose names start with one of `prefixes`.
    static func dropping(prefixes: [String], from text: String) -> String {
        self.split(text)
            .filter { entry in !prefixes.contains { entry.family.hasPrefix($0) } }
            .map { $0.line + "\n" }
            .joined()
    }

    /// Every line with the family it belongs to: a HELP or TYPE line starts a family, a sample belongs to the
    /// family announced last when its name extends that family's name, else to a family of its own name.
    private static func split(_ text: String) -> [(family: String, line: String)] {
        var current = ""
        var entries: [(family: String, line: String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                current = String(line.dropFirst(7).prefix { $0 != " " })
                entries.append((current, line))
            } else if line.hasPrefix("#") {
                entries.append((current, line))
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                if current.isEmpty || !name.hasPrefix(current) { current = name }
                entries.append((current, line))
            }
        }
        return entries
    }
}

extension [MetricFamily] {
    /// The family named `name`.
    func family(_ name: String) -> MetricFamily? {
        self.first { $0.name == name }
    }
}

extension MetricFamily {
    /// The metric whose label `name` has `value`.
    func metric(where name: String, is value: String) -> Metric? {
        self.metrics.first { metric in metric.labels.contains { $0.name == name && $0.value == value } }
    }

    /// Whether the family could have been pushed: `false` for the gateway's own families (`pushgateway_*`,
    /// `process_*`, and Go's `go_*`), whose values change on their own.
    var isPushed: Bool {
        !["pushgateway_", "process_", "go_"].contains { self.name.hasPrefix($0) }
    }
}

extension Metric {
    /// The labels as a dictionary.
    var labelDictionary: [String: String] {
        Dictionary(self.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }
}
