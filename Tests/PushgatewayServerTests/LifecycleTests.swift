import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@testable import PushgatewayServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct LifecycleTests {
    @Test(arguments: ["/-/healthy", "/-/ready"])
    func probesAnswerOK(path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, path)
            #expect(response.status == .ok)
            #expect(response.text == "OK")
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
        }
    }

    @Test func quitIsForbiddenWithoutTheLifecycleFlag() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            for method in [HTTPRequest.Method.put, .post] {
                let response = try await client.send(method, "/-/quit")
                #expect(response.status == .forbidden)
                #expect(response.text == "Lifecycle API is not enabled.")
            }
            let get = try await client.send(.get, "/-/quit")
            #expect(get.status == .methodNotAllowed)
            #expect(get.text == "Only POST or PUT requests allowed.")
        }
    }

    @Test func quitAnswersBeforeShuttingDown() async throws {
        let app = try makeApplication { $0.enableLifecycle = true }
        try await app.test(.router) { client in
            let response = try await client.send(.post, "/-/quit")
            #expect(response.status == .ok)
            #expect(response.text == "Requesting termination... Goodbye!")
        }
    }

    /// A fresh directory for a persistence file.
    private static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/pushgateway-server-tests-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) } != nil
        }
        #expect(created)
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The real `run()`: two listeners, a push, then `/-/quit` ends it gracefully and persistence writes last;
    /// a new gateway restores the push.
    @Test(.timeLimit(.minutes(1)))
    func quitStopsTheRunningGatewayAndPersists() async throws {
        let ports = Mutex<[Int]>([])
        let (started, startedContinuation) = AsyncStream.makeStream(of: Int.self)
        let file = try Self.temporaryDirectory() + "/pushgateway.db"
        var settings = PushgatewaySettings()
        settings.listenAddresses = ["127.0.0.1:0", "127.0.0.1:0"]
        settings.enableLifecycle = true
        settings.persistenceFile = file
        settings.persistenceInterval = try GoDuration(parsing: "1h")
        let app = try PushgatewayApplication(settings, logHandlerOutput: { _ in }) { channel in
            if let port = channel.localAddress?.port {
                ports.withLock { $0.append(port) }
                startedContinuation.yield(port)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = started.makeAsyncIterator()
            let first = try #require(await iterator.next())
            let second = try #require(await iterator.next())
            #expect(first != second)

            let client = TestClient(host: "127.0.0.1", port: second, configuration: .init(timeout: .seconds(10)))
            client.connect()
            // With a Host header, as every real client sends (Go and this gateway answer 400 without one).
            let pushed = try await client.execute(
                TestClient.Request("/metrics/job/live", method: .put, authority: "127.0.0.1:\(second)", body: ByteBuffer(string: "foo 1\n"))
            )
            #expect(pushed.status == .ok)
            try await client.shutdown()

            let quitter = TestClient(host: "127.0.0.1", port: first, configuration: .init(timeout: .seconds(10)))
            quitter.connect()
            let response = try await quitter.execute(
                TestClient.Request("/-/quit", method: .post, authority: "127.0.0.1:\(first)", body: ByteBuffer())
            )
            #expect(response.status == .ok)
            #expect(String(buffer: response.body ?? ByteBuffer()) == "Requesting termination... Goodbye!")
            try await quitter.shutdown()
            // run() returns on its own: the gateway shut itself down.
            try await group.next()
        }
        #expect(ports.withLock { $0.count } == 2)

        let restored = try makeApplication { $0.persistenceFile = file }
        try await restored.test(.router) { client in
            let exposition = try await client.scrape()
            #expect(samples(of: "foo", in: exposition) == ["foo{instance=\"\",job=\"live\"} 1"])
        }
        unlink(file)
    }

    @Test func unreadablePersistenceFileStopsTheStart() throws {
        let file = try Self.temporaryDirectory() + "/corrupt.db"
        let descriptor = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(descriptor >= 0)
        _ = "not a persistence file".withCString { write(descriptor, $0, 22) }
        close(descriptor)
        #expect(throws: ConfigurationError.self) {
            _ = try makeApplication { $0.persistenceFile = file }
        }
        unlink(file)
    }
}
