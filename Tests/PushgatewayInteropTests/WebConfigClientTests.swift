import Foundation
import Testing

/// Real clients through `--web.config.file`: client_golang's and prometheus_client's basic auth pushing, and
/// Prometheus scraping over TLS with basic auth.
@Suite(.interop, .serialized)
struct WebConfigClientTests {
    /// exporter-toolkit's bcrypt hash of "fakepassword" for user alice, as htpasswd writes it.
    static let users = "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"

    @Test func clientLibrariesPushThroughBasicAuth() async throws {
        let certificates = try await WebConfigTLSTests.Certificates()
        let gateway = try WebConfigTLSTests.startGateway(config: try certificates.webConfig(Self.users))
        defer { Task { await gateway.stop() } }
        var ready: Int32 = 7
        for _ in 0..<100 where ready != 0 {
            try await Task.sleep(for: .milliseconds(100))
            ready = try await ChildProcess.run("curl", ["-fsS", "-u", "alice:fakepassword", "\(gateway.url)/-/ready"]).status
        }
        try #require(ready == 0, "the gateway never answered:\n\(gateway.process.log)")

        // Without credentials both clients are refused (401 is an error to each of them).
        let goRefused = try await ChildProcess.run(Peers.goPusher, ["-gateway", gateway.url, "-job", "go_noauth"])
        #expect(goRefused.status == 1, "\(goRefused.output)")
        #expect(goRefused.output.contains("401"), "\(goRefused.output)")
        let pythonRefused = try await ChildProcess.run(
            Peers.python,
            [Peers.peerFile("python_pusher.py"), "--gateway", gateway.url, "--job", "py_noauth", "--basic-auth", "alice:wrong"]
        )
        #expect(pythonRefused.status == 1, "\(pythonRefused.output)")

        try await goPusher(gateway, .push, job: "go_auth", basicAuth: "alice:fakepassword")
        try await pythonPusher(gateway, .push, job: "py_auth", basicAuth: "alice:fakepassword")
        let scrape = try await ChildProcess.run("curl", ["-fsS", "-u", "alice:fakepassword", "\(gateway.url)/metrics"])
        #expect(scrape.output.contains(#"interop_go_temperature_celsius{instance="",job="go_auth"} -12.5"#))
        #expect(scrape.output.contains(#"interop_py_queue_depth{instance="",job="py_auth"} 3.5"#))
        #expect(!scrape.output.contains("noauth"))
    }

    @Test func prometheusScrapesOverTLSWithBasicAuth() async throws {
        let certificates = try await WebConfigTLSTests.Certificates()
        let config = try certificates.webConfig("tls_server_config:\n" + WebConfigTLSTests.serverFiles + Self.users)
        let gateway = try await WebConfigTLSTests.startTLS(certificates, config: config)
        defer { Task { await gateway.stop() } }
        let pushed = try await WebConfigTLSTests.curl(
            certificates,
            port: gateway.port,
            "/metrics/job/tls_job",
            extra: ["-u", "alice:fakepassword", "-X", "PUT", "--data-binary", "tls_metric 42\n"]
        )
        #expect(pushed.output.hasSuffix("200"), "\(pushed.output)")

        let options = """
                scheme: https
                tls_config:
                  ca_file: \(certificates.path("ca.crt"))
                basic_auth:
                  username: alice
                  password: fakepassword

            """
        let prometheus = try await RunningPrometheus.start(scraping: gateway, nativeHistograms: false, scrapeOptions: options)
        defer { Task { _ = await prometheus.stop() } }
        let up = try await prometheus.awaitResult(#"up{job="\#(RunningPrometheus.scrapeJob)"} == 1"#)
        #expect(up.count == 1, "Prometheus did not scrape the gateway over TLS:\n\(prometheus.process.log)")
        let value = try await prometheus.awaitResult(#"tls_metric{job="tls_job"}"#)
        #expect(value.first?["value"]?[1]?.string == "42")
    }
}
