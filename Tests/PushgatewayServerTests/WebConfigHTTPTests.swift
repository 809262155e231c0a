import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@testable import PushgatewayServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A web configuration file in a fresh temporary directory, removed by `remove()`.
struct TemporaryWebConfig {
    let directory: String
    let path: String

    init(_ yaml: String) throws {
        self.directory = "/tmp/pushgateway-webconfig-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        try #require(mkdir(self.directory, 0o700) == 0)
        self.path = self.directory + "/web.yml"
        let file = try #require(fopen(self.path, "w"))
        fputs(yaml, file)
        fclose(file)
    }

    func remove() {
        unlink(self.path)
        rmdir(self.directory)
    }
}

/// `basic_auth_users` and `http_server_config.headers` on every route, as exporter-toolkit's handler applies them.
@Suite struct WebConfigHTTPTests {
    // exporter-toolkit's own bcrypt hash of "fakepassword" (cost 10), in htpasswd's `$2y$` form.
    static let users = """
        basic_auth_users:
          alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
        http_server_config:
          headers:
            X-Frame-Options: deny
        """

    static func basic(_ user: String, _ password: String) -> HTTPFields {
        let credentials = Array("\(user):\(password)".utf8)
        return [.authorization: "Basic " + base64(credentials)]
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * position) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    @Test(arguments: [
        (HTTPRequest.Method.get, "/metrics"), (.get, "/-/healthy"), (.get, "/-/ready"), (.get, "/"), (.get, "/status"),
        (.get, "/api/v1/status"), (.get, "/api/v1/metrics"), (.put, "/metrics/job/j"), (.delete, "/metrics/job/j"),
        (.get, "/static/nothing"), (.get, "/no/such/route"),
    ])
    func everyRouteNeedsCredentials(method: HTTPRequest.Method, path: String) async throws {
        let file = try TemporaryWebConfig(Self.users)
        defer { file.remove() }
        let app = try makeApplication { $0.webConfigFile = file.path }
        try await app.test(.router) { client in
            for headers: HTTPFields in [[:], Self.basic("alice", "wrong"), Self.basic("mallory", "fakepassword"), Self.basic("alice", "")] {
                let response = try await client.send(method, path, body: method == .put ? "x 1\n" : nil, headers: headers)
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Basic")
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "deny")
                #expect(response.text == "Unauthorized\n")
            }
            let response = try await client.send(
                method,
                path,
                body: method == .put ? "x 1\n" : nil,
                headers: Self.basic("alice", "fakepassword")
            )
            #expect(response.status != .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == nil)
            #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "deny")
        }
    }

    @Test func rightCredentialsReachTheStore() async throws {
        let file = try TemporaryWebConfig(Self.users)
        defer { file.remove() }
        let app = try makeApplication { $0.webConfigFile = file.path }
        try await app.test(.router) { client in
            let auth = Self.basic("alice", "fakepassword")
            #expect(try await client.send(.put, "/metrics/job/j", body: "x 1\n", headers: auth).status == .ok)
            // The second request is answered from the verification cache; the answer is the same.
            let scrape = try await client.send(.get, "/metrics", headers: auth)
            #expect(scrape.status == .ok)
            #expect(scrape.text.contains("x{instance=\"\",job=\"j\"} 1"))
            #expect(try await client.send(.get, "/metrics", headers: Self.basic("alice", "fakepassword2")).status == .unauthorized)
        }
    }

    @Test func headersWithoutUsersNeedNoCredentials() async throws {
        let file = try TemporaryWebConfig("http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=1\n")
        defer { file.remove() }
        let app = try makeApplication { $0.webConfigFile = file.path }
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/-/healthy")
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("Strict-Transport-Security")!] == "max-age=1")
        }
    }

    @Test func rateLimitAnswers429PastTheBurst() async throws {
        let file = try TemporaryWebConfig("rate_limit:\n  interval: 1h\n  burst: 2\n")
        defer { file.remove() }
        let app = try makeApplication { $0.webConfigFile = file.path }
        try await app.test(.router) { client in
            #expect(try await client.send(.get, "/-/healthy").status == .ok)
            #expect(try await client.send(.get, "/-/healthy").status == .ok)
            let limited = try await client.send(.get, "/-/healthy")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.text == "Too Many Requests\n")
        }
    }

    @Test(arguments: [
        ("Basic YWxpY2U6ZmFrZXBhc3N3b3Jk", true),
        ("bAsIc YWxpY2U6ZmFrZXBhc3N3b3Jk", true),
        ("Basic YWxpY2U6ZmFrZXBhc3N3b3Jk=", false),
        ("Bearer YWxpY2U6ZmFrZXBhc3N3b3Jk", false),
        ("Basic YWxpY2U", false),
    ])
    func parsesAuthorizationAsGoDoes(header: String, parses: Bool) {
        let credentials = BasicAuthenticator.basicCredentials(header)
        #expect((credentials != nil) == parses)
        if parses {
            #expect(credentials?.user == "alice" && credentials?.password == "fakepassword")
        }
    }

    @Test func badFileStopsTheStartWithUpstreamsLogLine() async throws {
        let file = try TemporaryWebConfig("basic_auth_users:\n  alice: plain\n")
        defer { file.remove() }
        let lines = Mutex<[String]>([])
        var settings = PushgatewaySettings()
        settings.listenAddresses = ["127.0.0.1:0"]
        settings.webConfigFile = file.path
        let app = try PushgatewayApplication(settings, logHandlerOutput: { line in lines.withLock { $0.append(line) } })
        try await app.run()
        let last = try #require(lines.withLock { $0.last })
        // Upstream's slog writes `level=ERROR`, go-kit wrote `level=error`.
        #expect(last.lowercased().contains("level=error"))
        #expect(last.contains(#"msg="HTTP server stopped""#))
        #expect(last.contains(#"err="crypto/bcrypt: hashedSecret too short to be a bcrypted password""#))
    }
}
