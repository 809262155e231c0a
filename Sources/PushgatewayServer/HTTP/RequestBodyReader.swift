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

    /// The decoded body.
    /// - Throws: ``BodyTooLargeError``, ``GzipError`` for a corrupt gzip stream, or ``SnappyError`` for a
    ///   corrupt snappy stream.
    mutating func read() async throws -> [UInt8] {
        switch self.encoding {
        case .identity:
            let (bytes, request) = try await Self.collect(self.request, limit: self.limit)
            self.request = request
            return bytes
        case .gzip(let compressed):
            return try GzipBody.decompress(compressed, limit: self.limit)
        case .snappy:
            // The compressed body is capped like any other; the decoded one again while decoding.
            let (compressed, request) = try await Self.collect(self.request, limit: self.limit)
            self.request = request
            return try SnappyBody.decompress(compressed, limit: self.limit)
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
