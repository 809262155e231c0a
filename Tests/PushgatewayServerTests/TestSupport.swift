import CompressNIO
import Hummingbird
import HummingbirdTesting
import NIOCore
import PushgatewayCore
import Testing

@testable import PushgatewayServer

/// A gateway on an ephemeral loopback port with upstream's defaults, changed by `configure`; logs discarded.
func makeApplication(_ configure: (inout PushgatewaySettings) -> Void = { _ in }) throws -> PushgatewayApplication {
    var settings = PushgatewaySettings()
    settings.listenAddresses = ["127.0.0.1:0"]
    configure(&settings)
    return try PushgatewayApplication(settings, logHandlerOutput: { _ in })
}

extension TestResponse {
    /// The body as UTF-8 text.
    var text: String {
        String(decoding: self.body.readableBytesView, as: UTF8.self)
    }

    /// The body bytes.
    var bytes: [UInt8] {
        Array(self.body.readableBytesView)
    }
}

extension TestClientProtocol {
    /// Sends a request with a text body.
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        body: String? = nil,
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await self.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    /// Sends a request with a binary body.
    func send(
        _ method: HTTPRequest.Method,
        _ uri: String,
        bytes: [UInt8],
        headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        try await self.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: bytes))
    }

    /// The text exposition of `/metrics`.
    func scrape(_ path: String = "/metrics") async throws -> String {
        let response = try await self.send(.get, path)
        #expect(response.status == .ok)
        return response.text
    }
}

/// Gzips `text` as a client would.
func gzipped(_ text: String) throws -> [UInt8] {
    var buffer = ByteBuffer(string: text)
    let compressed = try buffer.compress(with: .gzip())
    return Array(compressed.readableBytesView)
}

/// The lines of an exposition that belong to the family `name` (its samples, not its HELP/TYPE lines).
func samples(of name: String, in exposition: String) -> [String] {
    exposition.split(separator: "\n").map(String.init).filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
}
