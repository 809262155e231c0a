// The pieces of Go's net/url and path packages that decide what upstream's server routes and what Location
// its redirects carry: percent-decoding of the request path, `escape(s, encodePath)` (URL.EscapedPath and
// URL.String), `path.Clean`, `path.Join`, and net/http's `hexEscapeNonASCII` and `htmlEscape`.

private let asciiPercent: UInt8 = 0x25
private let asciiDot: UInt8 = 0x2E
private let asciiSlash: UInt8 = 0x2F

/// Go's URL path encoding rules.
package enum GoURL {
    /// Go's `unescape(s, encodePath)`: `%XX` decoded, `+` kept; `nil` for a `%` not followed by two hex digits.
    package static func percentDecoded(_ raw: some Collection<UInt8>) -> [UInt8]? {
        let raw = Array(raw)
        guard raw.contains(asciiPercent) else { return raw }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == asciiPercent else {
                decoded.append(byte)
                index += 1
                continue
            }
            guard index + 2 < raw.count, let high = HexDigits.value(raw[index + 1]), let low = HexDigits.value(raw[index + 2]) else {
                return nil
            }
            decoded.append(high << 4 | low)
            index += 3
        }
        return decoded
    }

    /// Go's `escape(s, encodePath)`: every byte but unreserved characters and `$&+,/:;=@` as upper-case `%XX`.
    package static func escapedPath(_ decoded: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(decoded.count)
        for byte in decoded {
            if self.shouldEscapeInPath(byte) {
                out.append(asciiPercent)
                HexDigits.append(byte, uppercase: true, to: &out)
            } else {
                out.append(byte)
            }
        }
        return out
    }

    /// Go's `validEncoded(s, encodePath)`: whether a raw path needs no re-escaping to be sent.
    package static func isValidEncodedPath(_ raw: some Collection<UInt8>) -> Bool {
        raw.allSatisfy { byte in
            switch byte {
            case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D, 0x3A, 0x40, 0x5B, 0x5D, asciiPercent:
                true
            default:
                !self.shouldEscapeInPath(byte)
            }
        }
    }

    /// Go's `URL.EscapedPath()` for a request whose raw path was `raw` and whose decoded path is now `path`:
    /// the raw form while it still decodes to `path`, otherwise `path` escaped afresh.
    package static func escapedPath(_ path: [UInt8], raw: [UInt8]) -> [UInt8] {
        if self.isValidEncodedPath(raw), let decoded = self.percentDecoded(raw), decoded == path {
            return raw
        }
        return self.escapedPath(path)
    }

    /// Go's `shouldEscape(c, encodePath)`.
    private static func shouldEscapeInPath(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, asciiDot, 0x5F, 0x7E:
            false
        case 0x24, 0x26, 0x2B, 0x2C, asciiSlash, 0x3A, 0x3B, 0x3D, 0x40:
            false
        default:
            true
        }
    }

    /// net/http's `hexEscapeNonASCII`: bytes ≥ 0x80 as `%xx` (lower-case hex, as `strconv.AppendInt(…, 16)`).
    package static func hexEscapingNonASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        var out: [UInt8] = []
        for byte in text.utf8 {
            if byte >= 0x80 {
                out.append(asciiPercent)
                HexDigits.append(byte, uppercase: false, to: &out)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// net/http's `htmlEscape`: `& < > " '` as entities.
    package static func htmlEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}

/// Go's `path` package functions on byte strings.
package enum GoPath {
    /// Go's `path.Clean`: single slashes, no `.` elements, `..` resolved (and dropped at the root of a rooted
    /// path); `.` for an empty result.
    package static func clean(_ path: some Collection<UInt8>) -> [UInt8] {
        let path = Array(path)
        guard !path.isEmpty else { return [asciiDot] }
        let rooted = path[0] == asciiSlash
        var segments: [ArraySlice<UInt8>] = []
        for segment in path.split(separator: asciiSlash, omittingEmptySubsequences: true) {
            if segment.elementsEqual([asciiDot]) {
                continue
            }
            if segment.elementsEqual([asciiDot, asciiDot]) {
                if let last = segments.last, !last.elementsEqual([asciiDot, asciiDot]) {
                    segments.removeLast()
                } else if !rooted {
                    segments.append(segment)
                }
                continue
            }
            segments.append(segment)
        }
        var out: [UInt8] = rooted ? [asciiSlash] : []
        for (index, segment) in segments.enumerated() {
            if index > 0 {
                out.append(asciiSlash)
            }
            out.append(contentsOf: segment)
        }
        return out.isEmpty ? [asciiDot] : out
    }

    /// httprouter's `CleanPath` (and net/http's `cleanPath`): rooted, cleaned, a trailing slash kept.
    package static func cleanKeepingTrailingSlash(_ path: some Collection<UInt8>) -> [UInt8] {
        var rooted = Array(path)
        guard !rooted.isEmpty else { return [asciiSlash] }
        if rooted[0] != asciiSlash {
            rooted.insert(asciiSlash, at: 0)
        }
        var cleaned = self.clean(rooted)
        if rooted.last == asciiSlash && cleaned != [asciiSlash] {
            cleaned.append(asciiSlash)
        }
        return cleaned
    }

    /// Go's `path.Join`: the non-empty elements joined with `/` and cleaned; empty if all are empty.
    package static func join(_ elements: String...) -> String {
        let nonEmpty = elements.filter { !$0.isEmpty }
        guard !nonEmpty.isEmpty else { return "" }
        return String(decoding: self.clean(Array(nonEmpty.joined(separator: "/").utf8)), as: UTF8.self)
    }
}
