import Foundation
import HTTPTypes
import Testing

/// The same `--web.config.file` given to Debian's Go gateway and to ours: the same answers with and without
/// credentials, the same configured headers, and the same start-up errors for files that cannot be used.
@Suite(.interop, .serialized)
struct WebConfigConformanceTests {
    static let config = """
        basic_auth_users:
          alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
        http_server_config:
          headers:
            X-Frame-Options: deny
            X-Content-Type-Options: nosniff

        """

    static let right = "Basic " + Data("alice:fakepassword".utf8).base64EncodedString()
    static let wrong = "Basic " + Data("alice:nope".utf8).base64EncodedString()
    static let unknownUser = "Basic " + Data("mallory:fakepassword".utf8).base64EncodedString()

    /// Starts `binary` with the web config on a free port and waits until an authorised `/-/ready` answers.
    static func start(_ kind: RunningGateway.Kind, _ binary: String, config: String) async throws -> RunningGateway {
        let port = try freePort()
        let process = try ChildProcess(
            binary,
            ["--web.listen-address=127.0.0.1:\(port)", "--persistence.file=", "--web.config.file=\(config)"]
        )
        let gateway = RunningGateway(kind: kind, port: port, process: process)
        for _ in 0..<100 {
            if let answer = try? await send("GET", "/-/ready", port: port, headers: [("Authorization", Self.right)]),
                answer.status == 200
            {
                return gateway
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        await gateway.stop()
        throw PeerError("\(binary) did not start:\n\(process.log)")
    }

    /// Debian's Go gateway and ours, both with the web config file at `config`.
    static func startBoth(config: String) async throws -> (go: RunningGateway, ours: RunningGateway) {
        let go = try await Self.start(.go, Peers.goGateway, config: config)
        do {
            return (go, try await Self.start(.ours, Peers.ourGateway, config: config))
        } catch {
            await go.stop()
            throw error
        }
    }

    @Test func answersLikeTheGoGatewayWithAndWithoutCredentials() async throws {
        let config = try temporaryFile(Self.config, named: "web-\(UUID().uuidString.prefix(8)).yml")
        let (go, ours) = try await Self.startBoth(config: config)
        defer { Task { await go.stop() } }
        defer { Task { await ours.stop() } }
        let requests: [(method: String, path: String, body: String?)] = [
            ("GET", "/-/healthy", nil), ("GET", "/-/ready", nil), ("GET", "/metrics", nil), ("GET", "/api/v1/status", nil),
            ("PUT", "/metrics/job/auth", "auth_metric 1\n"), ("DELETE", "/metrics/job/auth", nil), ("GET", "/nowhere", nil),
        ]
        let compared: [HTTPField.Name] = [
            .wwwAuthenticate, .contentType, HTTPField.Name("X-Frame-Options")!,
            HTTPField.Name("X-Content-Type-Options")!,
        ]
        for credentials in [nil, Self.wrong, Self.unknownUser, Self.right] {
            for request in requests {
                let headers = credentials.map { [("Authorization", $0)] } ?? []
                async let goAnswer = send(
                    request.method,
                    request.path,
                    port: go.port,
                    headers: headers,
                    body: request.body.map { Array($0.utf8) }
                )
                async let ourAnswer = send(
                    request.method,
                    request.path,
                    port: ours.port,
                    headers: headers,
                    body: request.body.map { Array($0.utf8) }
                )
                let (goSide, ourSide) = try await (goAnswer, ourAnswer)
                let what = "\(request.method) \(request.path) with \(credentials ?? "no credentials")"
                #expect(ourSide.status == goSide.status, "\(what)")
                if credentials != Self.right {
                    #expect(ourSide.status == 401, "\(what)")
                    #expect(ourSide.text == goSide.text, "\(what)")
                }
                // An authorised scrape's Content-Type carries `escaping=underscores` here, as newer upstream
                // versions write it (1.5.1 predates it); the other headers are the web config's.
                for name in compared where !(credentials == Self.right && name == .contentType) {
                    #expect(ourSide.headers[name] == goSide.headers[name], "\(name) of \(what)")
                }
            }
        }
    }

    @Test func readsTheFileAgainWhenItChangesAsTheGoGatewayDoes() async throws {
        let config = try temporaryFile(Self.config, named: "live-\(UUID().uuidString.prefix(8)).yml")
        let (go, ours) = try await Self.startBoth(config: config)
        defer { Task { await go.stop() } }
        defer { Task { await ours.stop() } }
        let bob = "Basic " + Data("bob:fakepassword".utf8).base64EncodedString()
        func bothAnswer(_ authorization: String) async throws -> (go: HTTPAnswer, ours: HTTPAnswer) {
            async let goAnswer = send("GET", "/-/healthy", port: go.port, headers: [("Authorization", authorization)])
            async let ourAnswer = send("GET", "/-/healthy", port: ours.port, headers: [("Authorization", authorization)])
            return try await (goAnswer, ourAnswer)
        }
        // bob is not asked for before he exists: upstream remembers failed checks too, so it would go on
        // refusing him (here only successes are remembered, so a wrong password is never cheap to try).
        let carol = "Basic " + Data("carol:fakepassword".utf8).base64EncodedString()
        var answers = try await bothAnswer(carol)
        #expect(answers.go.status == 401)
        #expect(answers.ours.status == 401)

        // A second user, added while both run.
        let withBob = Self.config.replacingOccurrences(
            of: "http_server_config:",
            with: "  bob: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\nhttp_server_config:"
        )
        try withBob.write(toFile: config, atomically: true, encoding: .utf8)
        answers = try await bothAnswer(bob)
        #expect(answers.go.status == 200, "\(answers.go.text)")
        #expect(answers.ours.status == 200, "\(answers.ours.text)")

        // A file broken while both run: every answer is a 500 until it is fixed.
        try "basic_auth_users: [\n".write(toFile: config, atomically: true, encoding: .utf8)
        answers = try await bothAnswer(Self.right)
        #expect(answers.go.status == 500)
        #expect(answers.ours.status == answers.go.status)
        #expect(answers.ours.text == answers.go.text)
        try Self.config.write(toFile: config, atomically: true, encoding: .utf8)
        answers = try await bothAnswer(Self.right)
        #expect(answers.go.status == 200, "\(answers.go.text)")
        #expect(answers.ours.status == 200, "\(answers.ours.text)")
    }

    @Test(arguments: [
        ("unconfigurable-header", "http_server_config:\n  headers:\n    Foo: bar\n"),
        ("unknown-field", "basic_auth_users:\n  alice: notahash\nfoo: 1\n"),
        ("bad-frame-options", "http_server_config:\n  headers:\n    X-Frame-Options: allow\n"),
    ])
    func refusesAnUnusableFileAsTheGoGatewayDoes(name: String, yaml: String) async throws {
        let config = try temporaryFile(yaml, named: "\(name)-\(UUID().uuidString.prefix(8)).yml")
        try await self.compareStartFailure(config: config)
    }

    @Test func refusesAMissingFileAsTheGoGatewayDoes() async throws {
        try await self.compareStartFailure(config: "/nonexistent-\(UUID().uuidString.prefix(8)).yml")
    }

    /// Both gateways end at once, with status 0 and the same `HTTP server stopped` line (upstream's main logs
    /// the error of `web.ListenAndServe` and returns).
    private func compareStartFailure(config: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let arguments = ["--web.listen-address=127.0.0.1:\(try freePort())", "--persistence.file=", "--web.config.file=\(config)"]
        async let goRun = ChildProcess.run(Peers.goGateway, arguments, timeout: .seconds(20))
        async let ourRun = ChildProcess.run(Peers.ourGateway, arguments, timeout: .seconds(20))
        let (go, ours) = try await (goRun, ourRun)
        func stopped(_ output: String) -> String? {
            // Without the time and caller, which differ.
            output.split(separator: "\n").first { $0.contains(#"msg="HTTP server stopped""#) }
                .map { line in line.range(of: "level=").map { String(line[$0.lowerBound...]) } ?? String(line) }
        }
        #expect(go.status == 0, sourceLocation: sourceLocation)
        #expect(ours.status == go.status, "\(ours.output)", sourceLocation: sourceLocation)
        let goLine = try #require(stopped(go.output), "\(go.output)", sourceLocation: sourceLocation)
        #expect(stopped(ours.output) == goLine, "\(ours.output)", sourceLocation: sourceLocation)
    }
}
