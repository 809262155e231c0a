import Hummingbird
import NIOCore

// Upstream's decodeRequest wrapper (PG main.go) runs before its router for every non-API request: by the whole
// lower-cased Content-Encoding value, `gzip` bodies go through gzip.NewReader (which reads the header at once,
// so a bad header is a 400 even for a 404 route or a GET), `snappy` bodies through a snappy framing reader
// (errors only when a handler reads), anything else is passed on untouched.

/// The request body after upstream's request decoding, read at most once, capped at `--push.max-body-size`.
struct RequestBodyReader {
    /// How the body is encoded.
    enum Encoding {
        case identity
        /// Already collected, and its first gzip header checked.
        case gzip([UInt8])
        case snappy
    }

    private var request: Request
    private let encoding: Encoding
    private let limit: Int

    /// Applies upstream's request decoding.
    /// - Throws: ``GzipError`` for a gzip body whose header Go's reader rejects; ``BodyTooLargeError`` for a
    ///   gzip body over the limit.
    static func decoding(_ request: Request, limit: Int) async throws -> RequestBodyReader {
        let contentEncoding = request.headers[values: .contentEncoding].first?.lowercased() ?? ""
        switch contentEncoding {
        case "gzip":
            let (bytes, request) = try await Self.collect(request, limit: limit)
            try GzipBody.checkHeader(bytes)
            return RequestBodyReader(request: request, encoding: .gzip(bytes), limit: limit)
        case "snappy":
            return RequestBodyReader(request: request, encoding: .snappy, limit: limit)
        default:
            return RequestBodyReader(request: request, encoding: .identity, limit: limit)
        }
    }

    /// A body that is never decoded (the API routes).
    static func undecoded(_ request: Request, limit: Int) -> RequestBodyReader {
        RequestBodyReader(request: request, encoding: .identity, limit: limit)
    }

    /// The body as it arrived, collected up to the limit; ``CollectedBody/decoded()`` decodes it.
    /// - Throws: ``BodyTooLargeError``.
    mutating func collect() async throws -> CollectedBody {
        switch self.encoding {
        case .identity:
            let (bytes, request) = try await Self.collect(self.request, limit: self.limit)
            self.request = request
            return CollectedBody(bytes: bytes, encoding: .identity, limit: self.limit)
        case .gzip(let compressed):
            return CollectedBody(bytes: compressed, encoding: .gzip, limit: self.limit)
        case .snappy:
            // The compressed body is capped like any other; the decoded one again while decoding.
            let (compressed, request) = try await Self.collect(self.request, limit: self.limit)
            self.request = request
            return CollectedBody(bytes: compressed, encoding: .snappy, limit: self.limit)
        }
    }

    private static func collect(_ request: Request, limit: Int) async throws -> ([UInt8], Request) {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw BodyTooLargeError(limit: limit)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return (Array(buffer.readableBytesView), request)
        } catch is NIOTooManyBytesError {
            throw BodyTooLargeError(limit: limit)
        }
    }
}

/// A request body as it arrived, before the decoding its Content-Encoding asks for.
struct CollectedBody: Sendable {
    /// How ``bytes`` are encoded.
    enum Encoding: Sendable {
        case identity
        case gzip
        case snappy
    }

    /// The body as received.
    var bytes: [UInt8]
    /// How the body is encoded.
    var encoding: Encoding
    /// The largest decoded body (`--push.max-body-size`).
    var limit: Int

    /// Whether decoding it can take long enough to stall an event loop: any compressed body (a few kilobytes
    /// may decode to the limit), and a plain one from `threshold` bytes on (parsing and storing it).
    func isHeavy(threshold: Int) -> Bool {
        self.encoding != .identity || self.bytes.count >= threshold
    }

    /// The decoded body.
    /// - Throws: ``BodyTooLargeError``, ``GzipError`` for a corrupt gzip stream, or ``SnappyError`` for a
    ///   corrupt snappy stream.
    func decoded() throws -> [UInt8] {
        switch self.encoding {
        case .identity:
            return self.bytes
        case .gzip:
            return try GzipBody.decompress(self.bytes, limit: self.limit)
        case .snappy:
            return try SnappyBody.decompress(self.bytes, limit: self.limit)
        }
    }
}
