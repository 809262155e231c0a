import Foundation
import Testing

/// `--web.config.file` against the built binary with real `curl` and `openssl s_client`: TLS, each
/// `client_auth_type`, version limits, a certificate replaced on disk, basic auth over TLS, and a bad file.
/// Certificates are made at test time with `openssl req`; no key is ever committed.
@Suite(.interop, .serialized)
struct WebConfigTLSTests {
    /// A CA, a server certificate for 127.0.0.1 signed by it, a client certificate signed by it and a
    /// self-signed client certificate no CA vouches for, in a fresh directory.
    struct Certificates {
        let directory: String

        init() async throws {
            self.directory = try TemporaryDirectory.shared.file(named: "tls-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
            try await self.openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=interop CA",
            ])
            try await self.issue("server", subject: "/CN=localhost", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost")
            try await self.issue("client", subject: "/CN=client", extensions: "subjectAltName=DNS:client.example")
            try await self.openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "stranger.key", "-out", "stranger.crt", "-days", "1", "-subj", "/CN=stranger",
            ])
        }

        /// A key and a certificate `<name>.key`/`<name>.crt` signed by the CA.
        func issue(_ name: String, subject: String, extensions: String) async throws {
            try await self.openssl([
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(name).key", "-out", "\(name).crt", "-days", "1", "-subj", subject,
                "-CA", "ca.crt", "-CAkey", "ca.key", "-addext", extensions,
            ])
        }

        func path(_ name: String) -> String { "\(self.directory)/\(name)" }

        private func openssl(_ arguments: [String]) async throws {
            let result = try await ChildProcess.run(
                "/bin/sh",
                ["-c", "cd '\(self.directory)' && openssl \(arguments.map { "'\($0)'" }.joined(separator: " "))"]
            )
            guard result.status == 0 else { throw PeerError("openssl \(arguments.joined(separator: " ")) failed:\n\(result.output)") }
        }

        /// Writes a web configuration file next to the certificates and returns its path.
        func webConfig(_ yaml: String, name: String = "web.yml") throws -> String {
            let path = self.path(name)
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    /// Our gateway on a loopback port with `--web.config.file`, ready once curl gets `/-/ready` over TLS.
    static func startTLS(_ certificates: Certificates, config: String) async throws -> RunningGateway {
        let gateway = try Self.startGateway(config: config)
        let port = gateway.port
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            guard gateway.process.isRunning else { throw PeerError("the gateway exited at start:\n\(gateway.process.log)") }
            if try await Self.curl(
                certificates,
                port: port,
                "/-/ready",
                extra: [
                    "--cert", certificates.path("client.crt"),
                    "--key", certificates.path("client.key"),
                ]
            ).status == 0 {
                return gateway
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        await gateway.stop()
        throw PeerError("the gateway never answered over TLS:\n\(gateway.process.log)")
    }

    /// `curl --cacert ca.crt https://127.0.0.1:<port><path>`; status 0 when the request got an HTTP answer.
    static func curl(
        _ certificates: Certificates,
        port: Int,
        _ path: String,
        extra: [String] = []
    ) async throws -> (status: Int32, output: String) {
        try await ChildProcess.run(
            "curl",
            ["-sS", "--max-time", "5", "--cacert", certificates.path("ca.crt"), "-w", "\n%{http_code}"] + extra + [
                "https://127.0.0.1:\(port)\(path)"
            ],
            timeout: .seconds(20)
        )
    }

    static let serverFiles = "  cert_file: server.crt\n  key_file: server.key\n"

    @Test func servesCurlAndOpensslOverTLS() async throws {
        let certificates = try await Certificates()
        let gateway = try await Self.startTLS(certificates, config: try certificates.webConfig("tls_server_config:\n" + Self.serverFiles))
        defer { Task { await gateway.stop() } }
        let answer = try await Self.curl(certificates, port: gateway.port, "/-/healthy")
        #expect(answer.status == 0, "\(answer.output)")
        #expect(answer.output.hasSuffix("OK\n200"), "\(answer.output)")
        #expect(gateway.process.log.contains("TLS is enabled."), "\(gateway.process.log)")
        // Plain HTTP on the TLS port gets no HTTP answer.
        let plain = try await ChildProcess.run("curl", ["-sS", "--max-time", "5", "http://127.0.0.1:\(gateway.port)/-/healthy"])
        #expect(plain.status != 0)

        let sClient = try await ChildProcess.run(
            "/bin/sh",
            [
                "-c",
                "openssl s_client -connect 127.0.0.1:\(gateway.port) -CAfile '\(certificates.path("ca.crt"))' -verify_return_error </dev/null",
            ]
        )
        #expect(sClient.output.contains("Verify return code: 0 (ok)"), "\(sClient.output)")
        await gateway.stop()
    }

    /// client_auth_type, whether a CA file is given, and which client certificates connect: none, one the CA
    /// signed, a self-signed stranger.
    @Test(arguments: [
        ("NoClientCert", false, [true, true, true]),
        ("RequestClientCert", false, [true, true, true]),
        ("RequireAnyClientCert", false, [false, true, true]),
        ("VerifyClientCertIfGiven", true, [true, true, false]),
        ("RequireAndVerifyClientCert", true, [false, true, false]),
    ])
    func enforcesClientAuthType(type: String, withCA: Bool, connects: [Bool]) async throws {
        let certificates = try await Certificates()
        let config = try certificates.webConfig(
            "tls_server_config:\n" + Self.serverFiles + "  client_auth_type: \(type)\n" + (withCA ? "  client_ca_file: ca.crt\n" : "")
        )
        let gateway = try await Self.startTLS(certificates, config: config)
        defer { Task { await gateway.stop() } }
        let clients: [[String]] = [
            [],
            ["--cert", certificates.path("client.crt"), "--key", certificates.path("client.key")],
            ["--cert", certificates.path("stranger.crt"), "--key", certificates.path("stranger.key")],
        ]
        for (client, expected) in zip(clients, connects) {
            let answer = try await Self.curl(certificates, port: gateway.port, "/-/healthy", extra: client)
            #expect((answer.status == 0 && answer.output.hasSuffix("200")) == expected, "\(type) \(client): \(answer.output)")
        }
        await gateway.stop()
    }

    @Test(arguments: [("client.example", true), ("someone.else", false)])
    func checksClientAllowedSANs(allowed: String, connects: Bool) async throws {
        let certificates = try await Certificates()
        let config = try certificates.webConfig(
            "tls_server_config:\n" + Self.serverFiles
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  client_allowed_sans: [\(allowed)]\n"
        )
        let gateway = try Self.startGateway(config: config)
        let port = gateway.port
        defer { Task { await gateway.stop() } }
        let client = ["--cert", certificates.path("client.crt"), "--key", certificates.path("client.key")]
        var answer = (status: Int32(7), output: "")
        for _ in 0..<50 where answer.status == 7 {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await Self.curl(certificates, port: port, "/-/healthy", extra: client)
        }
        #expect((answer.status == 0 && answer.output.hasSuffix("200")) == connects, "\(answer.output)")
        await gateway.stop()
    }

    @Test func enforcesMinAndMaxVersion() async throws {
        let certificates = try await Certificates()
        let only13 = try await Self.startTLS(
            certificates,
            config: try certificates.webConfig("tls_server_config:\n" + Self.serverFiles + "  min_version: TLS13\n", name: "13.yml")
        )
        #expect(try await Self.curl(certificates, port: only13.port, "/-/healthy", extra: ["--tls-max", "1.2"]).status != 0)
        #expect(try await Self.curl(certificates, port: only13.port, "/-/healthy", extra: ["--tlsv1.3"]).status == 0)
        await only13.stop()

        let only12 = try await Self.startTLS(
            certificates,
            config: try certificates.webConfig("tls_server_config:\n" + Self.serverFiles + "  max_version: TLS12\n", name: "12.yml")
        )
        #expect(try await Self.curl(certificates, port: only12.port, "/-/healthy", extra: ["--tlsv1.3"]).status != 0)
        #expect(try await Self.curl(certificates, port: only12.port, "/-/healthy", extra: ["--tls-max", "1.2"]).status == 0)
        await only12.stop()
    }

    @Test func servesACertificateReplacedOnDiskFromTheNextConnection() async throws {
        let certificates = try await Certificates()
        let gateway = try await Self.startTLS(certificates, config: try certificates.webConfig("tls_server_config:\n" + Self.serverFiles))
        defer { Task { await gateway.stop() } }
        let before = try await Self.servedSubject(port: gateway.port)
        #expect(before.contains("CN = localhost"), "\(before)")
        // As cert-manager or certbot would: a new key and certificate written in place of the old ones.
        try await certificates.issue("server", subject: "/CN=rotated", extensions: "subjectAltName=IP:127.0.0.1")
        let after = try await Self.servedSubject(port: gateway.port)
        #expect(after.contains("CN = rotated"), "\(after)\n\(gateway.process.log)")
        #expect(try await Self.curl(certificates, port: gateway.port, "/-/healthy").output.hasSuffix("200"))
        await gateway.stop()
    }

    private static func servedSubject(port: Int) async throws -> String {
        try await ChildProcess.run(
            "/bin/sh",
            ["-c", "openssl s_client -connect 127.0.0.1:\(port) </dev/null 2>/dev/null | openssl x509 -noout -subject"]
        ).output
    }

    /// Starts our gateway (or Debian's Go gateway) on a free port with `--web.config.file=<config>` (not
    /// waiting for it: TLS needs a client that speaks it, so each test polls with its own).
    static func startGateway(config: String, kind: RunningGateway.Kind = .ours) throws -> RunningGateway {
        let port = try freePort()
        let process = try ChildProcess(
            kind == .ours ? Peers.ourGateway : Peers.goGateway,
            ["--web.listen-address=127.0.0.1:\(port)", "--persistence.file=", "--web.config.file=\(config)"]
        )
        return RunningGateway(kind: kind, port: port, process: process)
    }

    /// Go's server offers HTTP/2 through ALPN on TLS unless `http_server_config.http2` is false; so does ours, and
    /// a push, a rejected push (whose HTTP/1 answer carries `Connection: close`) and a scrape work over it.
    @Test(arguments: [(RunningGateway.Kind.go, true), (.ours, true), (.go, false), (.ours, false)])
    func offersHTTP2OverTLSAsTheGoGatewayDoes(kind: RunningGateway.Kind, http2: Bool) async throws {
        let certificates = try await Certificates()
        let config = try certificates.webConfig("tls_server_config:\n" + Self.serverFiles + "http_server_config:\n  http2: \(http2)\n")
        let gateway = try Self.startGateway(config: config, kind: kind)
        defer { Task { await gateway.stop() } }
        let port = gateway.port
        let version = ["--http2", "-w", "\n%{http_code} %{http_version}"]
        var answer = (status: Int32(7), output: "")
        for _ in 0..<100 where answer.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await Self.curl(certificates, port: port, "/-/healthy", extra: version)
        }
        #expect(answer.output.hasSuffix("OK\n200 \(http2 ? "2" : "1.1")"), "\(answer.output)\n\(gateway.process.log)")
        let lines = try temporaryFile("h2_pushed 1\n", named: "h2.txt")
        let push = try await Self.curl(
            certificates,
            port: port,
            "/metrics/job/h2",
            extra: version + ["-X", "PUT", "--data-binary", "@\(lines)"]
        )
        #expect(push.output.hasSuffix("200 \(http2 ? "2" : "1.1")"), "\(push.output)")
        let broken = try temporaryFile("h2_broken{ 1\n", named: "h2-broken.txt")
        let rejected = try await Self.curl(certificates, port: port, "/metrics/job/h2", extra: version + ["--data-binary", "@\(broken)"])
        #expect(rejected.output.contains("text format parsing error in line 1"), "\(rejected.output)")
        #expect(rejected.output.hasSuffix("400 \(http2 ? "2" : "1.1")"), "\(rejected.output)")
        let scrape = try await Self.curl(certificates, port: port, "/metrics", extra: version + ["--compressed"])
        #expect(scrape.output.contains(#"h2_pushed{instance="",job="h2"} 1"#), "\(scrape.output.suffix(300))")
        #expect(
            gateway.process.log.contains(#"msg="TLS is enabled.""#) && gateway.process.log.contains("http2=\(http2)"),
            "\(gateway.process.log)"
        )
        await gateway.stop()
    }

    @Test func basicAuthOverTLS() async throws {
        let certificates = try await Certificates()
        // exporter-toolkit's bcrypt hash of "fakepassword", as htpasswd writes it.
        let config = try certificates.webConfig(
            "tls_server_config:\n" + Self.serverFiles
                + "basic_auth_users:\n  alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\n"
        )
        let gateway = try Self.startGateway(config: config)
        let port = gateway.port
        defer { Task { await gateway.stop() } }
        var answer = (status: Int32(7), output: "")
        for _ in 0..<100 where answer.status != 0 {
            try await Task.sleep(for: .milliseconds(100))
            answer = try await Self.curl(certificates, port: port, "/-/healthy")
        }
        #expect(answer.output.hasSuffix("Unauthorized\n\n401"), "\(answer.output)")
        #expect(try await Self.curl(certificates, port: port, "/-/healthy", extra: ["-u", "alice:nope"]).output.hasSuffix("401"))
        #expect(
            try await Self.curl(certificates, port: port, "/-/healthy", extra: ["-u", "alice:fakepassword"]).output.hasSuffix("OK\n200")
        )
        await gateway.stop()
    }

    @Test func badFileStopsTheStartAsUpstreamDoes() async throws {
        let certificates = try await Certificates()
        let config = try certificates.webConfig("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n")
        let result = try await ChildProcess.run(
            Peers.ourGateway,
            ["--web.listen-address=127.0.0.1:\(try freePort())", "--persistence.file=", "--web.config.file=\(config)"],
            timeout: .seconds(30)
        )
        // Upstream's main logs the error of web.ListenAndServe and returns: exit status 0.
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("HTTP server stopped"), "\(result.output)")
        #expect(
            result.output.contains(
                "failed to read cert_file (\(certificates.path("missing.crt"))): open \(certificates.path("missing.crt")): no such file or directory"
            ),
            "\(result.output)"
        )
    }
}
