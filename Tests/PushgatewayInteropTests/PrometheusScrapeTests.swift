import Foundation
import Testing

/// Debian's Prometheus 2.42 scraping our gateway, and promtool reading its exposition.
@Suite(.interop)
struct PrometheusScrapeTests {
    /// The job the Go pusher pushes as.
    static let job = "prom_go"
    /// Its grouping value, with `/`.
    static let instance = "host/a1"
    /// The selector of the Go pusher's group.
    static let group = "{job=\"prom_go\",instance=\"host/a1\"}"

    /// The pushed path values as Prometheus returns them, keyed by value.
    static let pathCounts = Dictionary(uniqueKeysWithValues: trickyPathValues.map { ($0.value, "\($0.count)") })

    /// Prometheus with native histograms negotiates protobuf and reads native histograms and exemplars.
    @Test func prometheusScrapesProtobufWithNativeHistograms() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])
            try await withPrometheus(scraping: gateway, nativeHistograms: true) { prometheus in
                let temperature = try await prometheus.awaitResult("interop_go_temperature_celsius\(Self.group)")
                try #require(temperature.count == 1, "Prometheus never ingested the pushed gauge:\n\(prometheus.process.log)")
                #expect(temperature.first?["value"]?[1] == .string("-12.5"))
                #expect(temperature.first?["metric"]?["job"] == .string(Self.job))
                #expect(temperature.first?["metric"]?["instance"] == .string(Self.instance))

                let up = try await prometheus.query("up{job=\"\(RunningPrometheus.scrapeJob)\"}")
                #expect(up.first?["value"]?[1] == .string("1"), "up: \(up)")
                #expect(try await prometheus.values("interop_go_requests_total\(Self.group)", by: "path") == Self.pathCounts)
                #expect(try await prometheus.values("interop_go_exemplar_total\(Self.group)", by: "job") == [Self.job: "7"])
                #expect(
                    try await prometheus.values("interop_go_latency_seconds\(Self.group)", by: "quantile") == ["0.5": "5", "0.9": "9"]
                )
                // Only a protobuf scrape carries the native histogram these functions read.
                let count = try await prometheus.values("histogram_count(interop_go_duration_seconds\(Self.group))", by: "job")
                #expect(count == [Self.job: "6"])
                let sum = try await prometheus.values("histogram_sum(interop_go_duration_seconds\(Self.group))", by: "job")
                #expect(sum == [Self.job: "11.3125"])
                #expect(try await prometheus.values("push_failure_time_seconds\(Self.group)", by: "job") == [Self.job: "0"])
                // Exemplars survive the protobuf exposition; for a native histogram Prometheus 2.42 keeps one.
                #expect(try await prometheus.exemplarTraceIDs("interop_go_exemplar_total\(Self.group)") == ["4bf92f3577b34da6"])
                let histogramExemplars = try await prometheus.exemplarTraceIDs("interop_go_duration_seconds\(Self.group)")
                #expect(
                    !histogramExemplars.isEmpty && histogramExemplars.isSubset(of: ["bucket-0.5", "bucket-inf"]),
                    "\(histogramExemplars)"
                )
            }
        }
    }

    /// Prometheus without the feature flag falls back to text and reads the same classic values.
    @Test func prometheusWithoutNativeHistogramsScrapesClassicText() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])
            try await pythonPusher(gateway, .push, job: "prom_py", grouping: [("instance", "py host/01")], compression: "gzip")
            try await withPrometheus(scraping: gateway, nativeHistograms: false) { prometheus in
                let count = try await prometheus.awaitResult("interop_go_duration_seconds_count\(Self.group)")
                try #require(count.count == 1, "Prometheus never ingested the pushed histogram:\n\(prometheus.process.log)")
                #expect(count.first?["value"]?[1] == .string("6"))

                let up = try await prometheus.query("up{job=\"\(RunningPrometheus.scrapeJob)\"}")
                #expect(up.first?["value"]?[1] == .string("1"), "up: \(up)")
                #expect(try await prometheus.values("interop_go_duration_seconds_sum\(Self.group)", by: "job") == [Self.job: "11.3125"])
                #expect(
                    try await prometheus.values("interop_go_duration_seconds_bucket\(Self.group)", by: "le") == [
                        "0.1": "1", "0.5": "3", "1": "4", "5": "5", "+Inf": "6",
                    ]
                )
                #expect(try await prometheus.query("histogram_count(interop_go_duration_seconds\(Self.group))").isEmpty)
                #expect(
                    try await prometheus.values("interop_go_latency_seconds\(Self.group)", by: "quantile") == ["0.5": "5", "0.9": "9"]
                )
                #expect(try await prometheus.values("interop_go_latency_seconds_count\(Self.group)", by: "job") == [Self.job: "10"])
                #expect(try await prometheus.values("interop_go_latency_seconds_sum\(Self.group)", by: "job") == [Self.job: "55"])
                #expect(try await prometheus.values("interop_go_requests_total\(Self.group)", by: "path") == Self.pathCounts)
                #expect(try await prometheus.values("interop_go_temperature_celsius\(Self.group)", by: "job") == [Self.job: "-12.5"])

                let python = "{job=\"prom_py\",instance=\"py host/01\"}"
                #expect(try await prometheus.values("interop_py_jobs_total\(python)", by: "path") == Self.pathCounts)
                #expect(
                    try await prometheus.values("interop_py_size_bytes_bucket\(python)", by: "le") == [
                        "100": "1", "1000": "2", "+Inf": "3",
                    ]
                )
                #expect(try await prometheus.values("interop_py_queue_depth\(python)", by: "job") == ["prom_py": "3.5"])
            }
        }
    }

    /// `promtool check metrics` finds neither parse errors nor lint problems in the text exposition.
    @Test func promtoolChecksTextExpositionClean() async throws {
        try await withGateway(.ours) { gateway in
            try await goPusher(gateway, .push, job: Self.job, grouping: [("instance", Self.instance)])
            try await pythonPusher(gateway, .push, job: "prom_py", grouping: [("instance", "py host/01")])
            let exposition = try temporaryFile(try await gateway.scrapeText(), named: "exposition.txt")
            // promtool reads the exposition from stdin; ChildProcess gives children /dev/null there.
            let check = try await ChildProcess.run("/bin/sh", ["-c", "exec \"$0\" check metrics < \"$1\"", Peers.promtool, exposition])
            #expect(check.status == 0, "promtool check metrics: \(check.output)")
        }
    }
}
