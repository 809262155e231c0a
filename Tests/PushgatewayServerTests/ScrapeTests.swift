import Hummingbird
import HummingbirdTesting
import PushgatewayCore
import Testing

@testable import PushgatewayServer

struct ScrapeTests {
    static let textType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
    static let protobufType =
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited; escaping=underscores"

    @Test(arguments: [
        (nil as String?, textType),
        ("text/plain", textType),
        ("*/*", textType),
        ("application/openmetrics-text; version=1.0.0", textType),
        ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", protobufType),
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text,text/plain;q=0.5",
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text; escaping=underscores"
        ),
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text",
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=compact-text; escaping=underscores"
        ),
        // Prometheus 3's default Accept: the escaping of the OpenMetrics clause sticks to the text answer.
        (
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,"
                + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
            "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8"
        ),
        (
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,text/plain;version=0.0.4;q=0.2",
            protobufType
        ),
    ])
    func contentTypeIsNegotiated(accept: String?, contentType: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            var headers = HTTPFields()
            if let accept {
                headers[.accept] = accept
            }
            let response = try await client.send(.get, "/metrics", headers: headers)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == contentType)
            #expect(response.headers[.contentEncoding] == nil)
        }
    }

    @Test func protobufTextScrapesWriteEveryFamily() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            #expect(try await client.send(.put, "/metrics/job/pt", body: "# TYPE m gauge\nm 1\n").status == .ok)
            let accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding="
            let text = try await client.send(.get, "/metrics", headers: [.accept: accept + "text"]).text
            #expect(text.contains("name: \"m\"\ntype: GAUGE\nmetric: {\n  label: {\n    name: \"instance\"\n    value: \"\"\n  }\n"))
            #expect(text.contains("  gauge: {\n    value: 1\n  }\n}\n\nname: \"process_cpu_seconds_total\""))
            let compact = try await client.send(.get, "/metrics", headers: [.accept: accept + "compact-text"]).text
            #expect(
                compact.split(separator: "\n").contains(
                    #"name:"m" type:GAUGE metric:{label:{name:"instance" value:""} label:{name:"job" value:"pt"} gauge:{value:1}}"#
                )
            )
        }
    }

    @Test func namesAreEscapedAsNegotiated() async throws {
        let app = try makeApplication { $0.enableUTF8Names = true }
        try await app.test(.router) { client in
            let push = try await client.send(.put, "/metrics/job/u", body: "{\"my.metric\"} 1\n")
            #expect(push.status == .ok)
            let underscores = try await client.scrape()
            #expect(samples(of: "my_metric", in: underscores) == ["my_metric{instance=\"\",job=\"u\"} 1"])
            let utf8 = try await client.send(.get, "/metrics", headers: [.accept: "text/plain;version=0.0.4;escaping=allow-utf-8"])
            #expect(utf8.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8")
            #expect(utf8.text.contains("{\"my.metric\",instance=\"\",job=\"u\"} 1\n"))
        }
    }

    @Test func protobufScrapeDecodes() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/p", body: "# HELP foo Some help.\n# TYPE foo gauge\nfoo 3\n")
            let accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
            let response = try await client.send(.get, "/metrics", headers: [.accept: accept])
            let families = try ProtobufCodec().decodeDelimited(response.bytes)
            let foo = try #require(families.first { $0.name == "foo" })
            #expect(foo.help == "Some help.")
            #expect(foo.type == .gauge)
            #expect(foo.metrics.map(\.value) == [.gauge(3)])
            #expect(families.contains { $0.name == "pushgateway_build_info" })
            #expect(families.map(\.name) == families.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }

    @Test(arguments: [
        ("gzip", true),
        ("gzip, deflate, br", true),
        ("identity;q=0.5, gzip", true),
        ("gzip;q=0", false),
        ("*", false),
        ("identity, gzip", false),
        ("br", false),
    ])
    func gzipFollowsAcceptEncoding(acceptEncoding: String, compressed: Bool) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/metrics", headers: [.acceptEncoding: acceptEncoding])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == Self.textType)
            if compressed {
                #expect(response.headers[.contentEncoding] == "gzip")
                let text = String(decoding: try GzipBody.decompress(response.bytes, limit: 1 << 24), as: UTF8.self)
                #expect(text.contains("# TYPE pushgateway_build_info gauge\n"))
            } else {
                #expect(response.headers[.contentEncoding] == nil)
                #expect(response.text.contains("# TYPE pushgateway_build_info gauge\n"))
            }
        }
    }

    @Test func ownMetricsArePresent() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let exposition = try await client.scrape()
            let buildInfo = samples(of: "pushgateway_build_info", in: exposition)
            #expect(buildInfo.count == 1)
            #expect(buildInfo.first?.hasPrefix("pushgateway_build_info{branch=\"\(BuildInformation.branch)\",goarch=\"") == true)
            #expect(buildInfo.first?.contains("version=\"\(BuildInformation.version)\"} 1") == true)
            #expect(
                exposition.contains(
                    "# HELP pushgateway_build_info A metric with a constant '1' value labeled by version, revision, branch, goversion from which pushgateway was built, and the goos and goarch for the build.\n"
                )
            )
            for name in [
                "process_cpu_seconds_total", "process_open_fds", "process_max_fds", "process_resident_memory_bytes",
                "process_virtual_memory_bytes", "process_virtual_memory_max_bytes", "process_start_time_seconds",
            ] {
                #expect(samples(of: name, in: exposition).count == 1, "\(name)")
            }
            #expect(!exposition.contains("go_"))
            // Scrapes are not counted and children appear only once used.
            #expect(!exposition.contains("pushgateway_http_requests_total"))
            #expect(!exposition.contains("pushgateway_http_push_size_bytes"))
        }
    }

    @Test func requestsAndPushesAreInstrumented() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1")
            _ = try await client.send(.post, "/metrics/job/a", body: "foo 1\n")
            _ = try await client.send(.delete, "/metrics/job/a")
            _ = try await client.send(.get, "/-/healthy")
            _ = try await client.send(.get, "/-/ready")
            _ = try await client.send(.get, "/status")
            _ = try await client.send(.get, "/static/x.js")
            _ = try await client.send(.get, "/api/v1/metrics")
            _ = try await client.send(.options, "/api/v1/metrics")
            _ = try await client.send(.get, "/nothing")
            _ = try await client.send(.get, "/metrics")
            let exposition = try await client.scrape()
            #expect(
                samples(of: "pushgateway_http_requests_total", in: exposition) == [
                    "pushgateway_http_requests_total{code=\"200\",handler=\"api/v1/metrics\",method=\"get\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"api/v1/options\",method=\"options\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"healthy\",method=\"get\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"push\",method=\"post\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"push\",method=\"put\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"ready\",method=\"get\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"status\",method=\"get\"} 1",
                    "pushgateway_http_requests_total{code=\"202\",handler=\"delete\",method=\"delete\"} 1",
                    "pushgateway_http_requests_total{code=\"400\",handler=\"push\",method=\"put\"} 1",
                    "pushgateway_http_requests_total{code=\"404\",handler=\"static\",method=\"get\"} 1",
                ]
            )
            let sizes = samples(of: "pushgateway_http_push_size_bytes_count", in: exposition)
            #expect(
                sizes == [
                    "pushgateway_http_push_size_bytes_count{method=\"post\"} 1", "pushgateway_http_push_size_bytes_count{method=\"put\"} 2",
                ]
            )
            let quantiles = samples(of: "pushgateway_http_push_duration_seconds", in: exposition)
            #expect(quantiles.count == 6)
            #expect(quantiles.first?.hasPrefix("pushgateway_http_push_duration_seconds{method=\"post\",quantile=\"0.1\"} ") == true)
        }
    }

    @Test func inconsistentStoreIsAServerError() async throws {
        let app = try makeApplication { $0.disableConsistencyCheck = true }
        try await app.test(.router) { client in
            #expect(try await client.send(.put, "/metrics/job/a", body: "# TYPE foo counter\nfoo 1\n").status == .accepted)
            #expect(try await client.send(.put, "/metrics/job/b", body: "# TYPE foo gauge\nfoo 1\n").status == .accepted)
            let response = try await client.send(.get, "/metrics", headers: [.acceptEncoding: "gzip"])
            #expect(response.status == .internalServerError)
            #expect(response.text.hasPrefix("An error has occurred while serving metrics:\n\n"))
            #expect(response.text.hasSuffix("\n"))
            #expect(response.headers[.contentEncoding] == nil)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            // Deleting the offending group heals the scrape.
            #expect(try await client.send(.delete, "/metrics/job/b").status == .accepted)
            #expect(try await client.send(.get, "/metrics").status == .ok)
        }
    }
}
