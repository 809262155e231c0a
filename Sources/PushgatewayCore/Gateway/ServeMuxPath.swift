// Go's ServeMux and URL parser look at a request path before any handler of upstream's server: a path Go
// cannot parse is a bare 400, and an unclean one a 301 to the cleaned path.

private let asciiPercent: UInt8 = 0x25

/// Go's `http.ServeMux` path canonicalisation, which runs before any handler of upstream's server.
public enum ServeMuxPath {
    /// The path Go's ServeMux redirects a request to with 301, or `nil` if it passes the request on.
    ///
    /// Since Go 1.22 the mux cleans the *escaped* path (`URL.EscapedPath()`, normally the path as sent) with
    /// `path.Clean`, keeping a trailing slash, and redirects when that changes it: `//`, `/./`, `/../`, a
    /// trailing `/.` or `/..`. Escaped dots and slashes (`%2E`, `%2F`) are not segments at this stage. Go builds
    /// the Location header from this value with `url.URL{Path: …}.String()`, which escapes it once more (`%`
    /// becomes `%25`) and appends the original query.
    ///
    /// - Parameter rawPath: The request path as sent, without the query string.
    /// - Returns: The cleaned escaped path, or `nil` when there is nothing to clean or the path is one Go's
    ///   server rejects with 400 before routing (see ``isAcceptedByGo(_:)``).
    public static func redirectTarget(forRawPath rawPath: some StringProtocol) -> String? {
        let raw = Array(rawPath.utf8)
        guard let decoded = try? Self.percentDecoded(raw) else {
            return nil
        }
        let escaped = GoURL.isValidEncodedPath(raw) ? raw : GoURL.escapedPath(decoded)
        let cleaned = GoPath.cleanKeepingTrailingSlash(escaped)
        return cleaned == escaped ? nil : String(decoding: cleaned, as: UTF8.self)
    }

    /// Whether Go's `url.ParseRequestURI` accepts the path: every `%` starts a two-hex-digit escape and there is
    /// no control byte. Go answers any other request line with a bare `400 Bad Request` before routing.
    public static func isAcceptedByGo(_ rawPath: some StringProtocol) -> Bool {
        (try? Self.percentDecoded(Array(rawPath.utf8))) != nil
    }

    /// Go's `url.PathUnescape` as `url.ParseRequestURI` applies it, control-byte check included.
    package static func percentDecoded(_ raw: [UInt8]) throws(GroupingPathError) -> [UInt8] {
        if raw.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw GroupingPathError(.invalidURL, message: "net/url: invalid control character in URL")
        }
        if let decoded = GoURL.percentDecoded(raw) {
            return decoded
        }
        // Go names the first `%` that does not start two hex digits.
        let index =
            raw.indices.first { index in
                raw[index] == asciiPercent
                    && !(index + 2 < raw.count && HexDigits.value(raw[index + 1]) != nil && HexDigits.value(raw[index + 2]) != nil)
            } ?? 0
        throw GroupingPathError(.invalidURL, message: "invalid URL escape \(GoQuote.string(raw[index..<min(index + 3, raw.count)]))")
    }
}
