import Foundation

/// A Prometheus server on a loopback port that scrapes one gateway every second.
struct RunningPrometheus: Sendable {
    let port: Int
    let process: ChildProcess
    /// Holds the config, the TSDB (removed at `stop()`) and nothing else.
    let directory: String

    /// The job name of the scrape config.
    static let scrapeJob = "pushgateway"

    /// Starts Prometheus with a fresh config and TSDB directory, scraping `gateway` with `honor_labels: true`,
    /// and waits until `/-/ready` answers 200.
    ///
    /// - Parameter nativeHistograms: passes `--enable-feature=native-histograms,exemplar-storage`: in 2.42 the
    ///   first makes Prometheus ask for protobuf first, the second keeps the exemplars it reads there. Without it
    ///   Prometheus asks for OpenMetrics and falls back to text 0.0.4.
    /// - Parameter scrapeOptions: more YAML of the scrape job (its lines indented by four spaces), such as
    ///   `scheme: https`, `tls_config` or `basic_auth`.
    static func start(
        scraping gateway: RunningGateway,
        nativeHistograms: Bool,
        scrapeOptions: String = ""
    ) async throws -> RunningPrometheus {
        guard FileManager.default.isExecutableFile(atPath: Peers.prometheus) else {
            throw PeerError("\(Peers.prometheus) is missing (make test installs it)")
        }
        let directory = try TemporaryDirectory.shared.file(named: "prometheus-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: \(scrapeJob)
                honor_labels: true
            \(scrapeOptions)    static_configs:
                  - targets: ['127.0.0.1:\(gateway.port)']

            """
        try config.write(toFile: directory + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try freePort()
        var arguments = [
            "--config.file=\(directory)/prometheus.yml",
            "--storage.tsdb.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)",
        ]
        if nativeHistograms { arguments.append("--enable-feature=native-histograms,exemplar-storage") }
        let process = try ChildProcess(Peers.prometheus, arguments, directory: directory)
        let prometheus = RunningPrometheus(port: port, process: process, directory: directory)
        do {
            try await prometheus.waitUntilReady()
        } catch {
            await prometheus.stop()
            throw error
        }
        return prometheus
    }

    /// Polls `/-/ready` for up to 30 seconds.
    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !self.process.isRunning { throw PeerError("\(self.process.commandLine) exited at start:\n\(self.process.log)") }
            if let answer = try? await send("GET", "/-/ready", port: self.port), answer.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerError("\(self.process.commandLine) never became ready:\n\(self.process.log)")
    }

    /// The `data.result` vector of an instant query (`/api/v1/query`).
    func query(_ promQL: String) async throws -> [JSON] {
        let answer = try await send("GET", "/api/v1/query?query=\(Self.percentEncoded(promQL))", port: self.port)
        let document = try JSON(parsing: answer.body)
        guard answer.status == 200, document["status"] == .string("success") else {
            throw PeerError("query \(promQL) answered \(answer.status): \(answer.text)")
        }
        return document["data"]?["result"]?.elements ?? []
    }

    /// The exemplars' `trace_id` labels of the series `promQL` selects, over the last ten minutes.
    func exemplarTraceIDs(_ promQL: String) async throws -> Set<String> {
        let now = Int(Date().timeIntervalSince1970)
        let path = "/api/v1/query_exemplars?query=\(Self.percentEncoded(promQL))&start=\(now - 600)&end=\(now + 60)"
        let answer = try await send("GET", path, port: self.port)
        let document = try JSON(parsing: answer.body)
        guard answer.status == 200, document["status"] == .string("success") else {
            throw PeerError("exemplar query \(promQL) answered \(answer.status): \(answer.text)")
        }
        let exemplars = (document["data"]?.elements ?? []).flatMap { $0["exemplars"]?.elements ?? [] }
        return Set(exemplars.compactMap { $0["labels"]?["trace_id"]?.string })
    }

    /// Polls `promQL` until it returns at least one series or `timeout` passes; returns the last result.
    func awaitResult(_ promQL: String, timeout: Duration = .seconds(30)) async throws -> [JSON] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = try await self.query(promQL)
            if !result.isEmpty || ContinuousClock.now >= deadline { return result }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The values of an instant vector, keyed by the value of label `label` (`""` when absent).
    func values(_ promQL: String, by label: String) async throws -> [String: String] {
        var values: [String: String] = [:]
        for series in try await self.query(promQL) {
            values[series["metric"]?[label]?.string ?? ""] = series["value"]?[1]?.string
        }
        return values
    }

    /// Stops Prometheus (SIGTERM), removes its TSDB and returns its exit status.
    @discardableResult
    func stop() async -> Int32 {
        let status = await self.process.stop()
        try? FileManager.default.removeItem(atPath: self.directory + "/data")
        return status
    }

    /// `string` percent-encoded for a query parameter: everything but RFC 3986 unreserved ASCII.
    private static func percentEncoded(_ string: String) -> String {
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        return string.utf8.map { unreserved.contains($0) ? String(UnicodeScalar($0)) : String(format: "%%%02X", $0) }.joined()
    }
}

/// Runs `body` with a Prometheus scraping `gateway` and stops it afterwards, whether `body` threw or not.
func withPrometheus<T>(
    scraping gateway: RunningGateway,
    nativeHistograms: Bool,
    _ body: (RunningPrometheus) async throws -> T
) async throws -> T {
    let prometheus = try await RunningPrometheus.start(scraping: gateway, nativeHistograms: nativeHistograms)
    do {
        let value = try await body(prometheus)
        await prometheus.stop()
        return value
    } catch {
        await prometheus.stop()
        throw error
    }
}
