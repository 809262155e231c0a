import HTTPTypes
import HummingbirdTesting
import NIOCore

/// An HTTP answer as the suite compares it.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: [UInt8]

    /// The body as UTF-8 text.
    var text: String { String(decoding: self.body, as: UTF8.self) }

    /// One header's value.
    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { self.headers[$0] }
    }
}

/// Sends one request on a fresh connection to `127.0.0.1:port` and returns the answer; the path goes out
/// byte for byte as given (no normalisation, no redirect following).
func send(
    _ method: String,
    _ path: String,
    port: Int,
    headers: [(String, String)] = [],
    body: [UInt8]? = nil
) async throws -> HTTPAnswer {
    var fields = HTTPFields()
    for (name, value) in headers {
        guard let name = HTTPField.Name(name) else { throw PeerError("bad header name \(name)") }
        fields.append(HTTPField(name: name, value: value))
    }
    let request = TestClient.Request(
        path,
        method: HTTPRequest.Method(method) ?? .get,
        // Go's server answers 400 to an HTTP/1.1 request without Host.
        authority: "127.0.0.1:\(port)",
        headers: fields,
        body: body.map { ByteBuffer(bytes: $0) }
    )
    let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
        try await client.execute(request)
    }
    return HTTPAnswer(
        status: response.status.code,
        headers: response.headers,
        body: response.body.map { Array($0.readableBytesView) } ?? []
    )
}

/// Sends a text body.
func send(_ method: String, _ path: String, port: Int, headers: [(String, String)] = [], text: String) async throws -> HTTPAnswer {
    try await send(method, path, port: port, headers: headers, body: Array(text.utf8))
}
