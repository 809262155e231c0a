import Hummingbird
import PushgatewayCore

// Responses shaped as Go's net/http writes them, because upstream answers with its helpers: http.Error (plain
// text, nosniff, message + "\n"), http.Redirect (Location made absolute and cleaned, a small HTML body for
// GET), and handlers that write a short body without a Content-Type, which Go then sniffs as plain text.

/// Go net/http response helpers.
enum GoResponses {
    /// Go's `http.Error(w, message, status)`: `text/plain; charset=utf-8`, `X-Content-Type-Options: nosniff`,
    /// body `message` + `"\n"`.
    static func error(_ message: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }

    /// Go's `http.NotFound`: 404 `404 page not found`.
    static func notFound() -> Response {
        self.error("404 page not found", status: .notFound)
    }

    /// A handler that writes `text` without setting a Content-Type: Go sniffs `text/plain; charset=utf-8`.
    static func text(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A handler that writes only a status: no Content-Type, empty body.
    static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers, body: .init())
    }

    /// What Go's server answers, before any handler, to a request target it cannot parse (a bad `%` escape or
    /// a control byte): a bare `400 Bad Request` that closes the connection.
    static func badRequestLine() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.connection] = "close"
        return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "400 Bad Request")))
    }

    /// Go's `http.Redirect(w, r, location, status)`.
    ///
    /// A location without scheme and host is resolved against the request path's directory when relative and
    /// then cleaned (keeping a trailing slash and the query); `Location` has non-ASCII bytes hex-escaped; GET
    /// and HEAD get `text/html`, and GET a body `<a href="…">Moved Permanently</a>.` plus two line feeds.
    /// - Parameters:
    ///   - location: The URL as upstream built it (`url.URL.String()`).
    ///   - status: 301, 307 or 308.
    ///   - method: The request method.
    ///   - requestPath: The decoded request path, for relative locations.
    static func redirect(
        to location: String,
        status: HTTPResponse.Status,
        method: HTTPRequest.Method,
        requestPath: [UInt8]
    ) -> Response {
        var location = location
        if !location.hasPrefix("//") && !location.contains("://") {
            var url = Array(location.utf8)
            if url.first != 0x2F {
                let base = requestPath.isEmpty ? [0x2F] : requestPath
                let directoryEnd = (base.lastIndex(of: 0x2F) ?? -1) + 1
                url = Array(base[..<directoryEnd]) + url
            }
            var query: [UInt8] = []
            if let questionMark = url.firstIndex(of: 0x3F) {
                query = Array(url[questionMark...])
                url = Array(url[..<questionMark])
            }
            let trailing = url.last == 0x2F
            var cleaned = GoPath.clean(url)
            if trailing && cleaned.last != 0x2F {
                cleaned.append(0x2F)
            }
            location = String(decoding: cleaned + query, as: UTF8.self)
        }
        var headers = HTTPFields()
        headers[.location] = GoURL.hexEscapingNonASCII(location)
        if method == .get || method == .head {
            headers[.contentType] = "text/html; charset=utf-8"
        }
        guard method == .get else {
            return Response(status: status, headers: headers, body: .init())
        }
        let body = "<a href=\"\(GoURL.htmlEscaped(location))\">\(status.reasonPhrase)</a>.\n\n"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// Go's `url.URL{Path: path, RawQuery: query}.String()` for an absolute path: the path escaped, then
    /// `?query` if there is one.
    static func urlString(path: [UInt8], query: Substring?) -> String {
        var url = String(decoding: GoURL.escapedPath(path), as: UTF8.self)
        if let query, !query.isEmpty {
            url += "?" + query
        }
        return url
    }
}
