// Header parsing exactly as upstream's dependencies do it, quirks included, because clients and scrapers were
// tested against them: Go's mime.ParseMediaType for the push Content-Type (PG handler/push.go), goautoneg's
// ParseAccept under prometheus/common expfmt.Negotiate for /metrics, and golang/gddo's ParseAccept under
// client_golang promhttp for Accept-Encoding.

private let asciiTab: UInt8 = 0x09
private let asciiLineFeed: UInt8 = 0x0A
private let asciiCarriageReturn: UInt8 = 0x0D
private let asciiSpace: UInt8 = 0x20
private let asciiQuote: UInt8 = 0x22
private let asciiPercent: UInt8 = 0x25
private let asciiApostrophe: UInt8 = 0x27
private let asciiStar: UInt8 = 0x2A
private let asciiComma: UInt8 = 0x2C
private let asciiDot: UInt8 = 0x2E
private let asciiSlash: UInt8 = 0x2F
private let asciiSemicolon: UInt8 = 0x3B
private let asciiEquals: UInt8 = 0x3D
private let asciiBackslash: UInt8 = 0x5C

/// How a push body is parsed, decided by its Content-Type.
public enum PushBodyFormat: Hashable, Sendable {
    /// Text format 0.0.4: the fallback for every Content-Type that is not exactly protobuf-delimited.
    case text
    /// Varint-delimited `io.prometheus.client.MetricFamily` messages.
    case protobufDelimited
}

/// Content negotiation for pushes and scrapes, matching upstream byte for byte.
public enum ContentNegotiation {
    /// The formats /metrics can answer in; the default for ``expositionFormat(accept:supportedFormats:)``.
    public static let allExpositionFormats: Set<ExpositionFormat> = [.text, .protobufDelimited, .protobufText, .protobufCompactText]

    // MARK: Push body format

    /// The format of a push body, as upstream decides it from the Content-Type.
    ///
    /// Protobuf only if Go's `mime.ParseMediaType` succeeds, the media type is
    /// `application/vnd.google.protobuf` and the parameters `encoding` and `proto` are exactly `delimited`
    /// and `io.prometheus.client.MetricFamily`. Type and parameter names are case-insensitive, values are
    /// case-sensitive and may be quoted, order does not matter, RFC 2231 continuations (`proto*0=…`) count.
    /// Everything else, including a missing header or any parse error, is text.
    ///
    /// - Parameter contentType: The first Content-Type header value, `nil` if absent.
    public static func pushBodyFormat(contentType: String?) -> PushBodyFormat {
        guard let contentType else { return .text }
        let bytes = Array(contentType.utf8)
        let baseEnd = bytes.firstIndex(of: asciiSemicolon) ?? bytes.endIndex
        guard self.isProtobufMediaType(bytes[..<baseEnd]), let parameters = self.mediaParameters(bytes[baseEnd...]) else {
            return .text
        }
        let isDelimited = parameters["encoding"].map { $0.elementsEqual("delimited".utf8) } ?? false
        let isMetricFamily = parameters["proto"].map { $0.elementsEqual("io.prometheus.client.MetricFamily".utf8) } ?? false
        return isDelimited && isMetricFamily ? .protobufDelimited : .text
    }

    /// Whether the part before the first `;` is the protobuf media type once Go has lower-cased and
    /// Unicode-trimmed it (a non-ASCII character can never make it match, so ASCII lower-casing suffices).
    private static func isProtobufMediaType(_ base: ArraySlice<UInt8>) -> Bool {
        let scalars = String(decoding: base, as: UTF8.self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return false }
        let trimmed = scalars[first...last]
        let target = "application/vnd.google.protobuf".unicodeScalars
        return trimmed.count == target.count
            && zip(trimmed, target).allSatisfy { scalar, expected in
                scalar.isASCII && (scalar.value >= 0x41 && scalar.value <= 0x5A ? scalar.value | 0x20 : scalar.value) == expected.value
            }
    }

    /// The parameters of a media type as Go's `mime.ParseMediaType` returns them; `nil` where it fails.
    private static func mediaParameters(_ input: ArraySlice<UInt8>) -> [String: [UInt8]]? {
        var parameters: [String: [UInt8]] = [:]
        // Parameters whose name contains `*` (RFC 2231), keyed by the name before the `*`.
        var continuations: [String: [String: [UInt8]]] = [:]
        var rest = input
        while !rest.isEmpty {
            rest = self.trimmingLeadingSpace(rest)
            if rest.isEmpty {
                break
            }
            guard let (key, value, next) = self.mediaParameter(rest) else {
                // A trailing `;` is tolerated, anything else unparsable fails the whole header.
                let trimmed = self.trimmingTrailingSpace(self.trimmingLeadingSpace(rest))
                if trimmed.elementsEqual([asciiSemicolon]) {
                    break
                }
                return nil
            }
            if let star = key.firstIndex(of: "*") {
                let baseName = String(key[..<star])
                if let existing = continuations[baseName]?[key], existing != value {
                    return nil
                }
                continuations[baseName, default: [:]][key] = value
            } else {
                // Newer Go (1.21+) allows a repeated parameter with an identical value.
                if let existing = parameters[key], existing != value {
                    return nil
                }
                parameters[key] = value
            }
            rest = next
        }
        for (baseName, pieces) in continuations {
            if let value = pieces[baseName + "*"] {
                if let decoded = self.decodeRFC2231(value) {
                    parameters[baseName] = decoded
                }
                continue
            }
            var stitched: [UInt8] = []
            var valid = false
            var piece = 0
            while true {
                if let value = pieces["\(baseName)*\(piece)"] {
                    valid = true
                    stitched.append(contentsOf: value)
                    piece += 1
                    continue
                }
                guard let value = pieces["\(baseName)*\(piece)*"] else {
                    break
                }
                valid = true
                if piece == 0 {
                    stitched.append(contentsOf: self.decodeRFC2231(value) ?? [])
                } else {
                    stitched.append(contentsOf: GoURL.percentDecoded(value[...]) ?? [])
                }
                piece += 1
            }
            if valid {
                parameters[baseName] = stitched
            }
        }
        return parameters
    }

    /// Go's `consumeMediaParam`: `; name = value` with the name lower-cased; `nil` where Go returns no name.
    private static func mediaParameter(
        _ input: ArraySlice<UInt8>
    ) -> (name: String, value: [UInt8], rest: ArraySlice<UInt8>)? {
        var rest = self.trimmingLeadingSpace(input)
        guard rest.first == asciiSemicolon else { return nil }
        rest = self.trimmingLeadingSpace(rest.dropFirst())
        let nameEnd = rest.firstIndex { !self.isMIMETokenByte($0) } ?? rest.endIndex
        guard nameEnd > rest.startIndex else { return nil }
        let name = String(decoding: rest[..<nameEnd].map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
        rest = self.trimmingLeadingSpace(rest[nameEnd...])
        guard rest.first == asciiEquals else { return nil }
        rest = self.trimmingLeadingSpace(rest.dropFirst())
        guard let (value, next) = self.mediaValue(rest) else { return nil }
        return (name, value, next)
    }

    /// Go's `consumeValue`: a token or a quoted string; `nil` where Go consumes nothing.
    private static func mediaValue(_ input: ArraySlice<UInt8>) -> (value: [UInt8], rest: ArraySlice<UInt8>)? {
        guard let first = input.first else { return nil }
        guard first == asciiQuote else {
            let end = input.firstIndex { !self.isMIMETokenByte($0) } ?? input.endIndex
            return end > input.startIndex ? (Array(input[..<end]), input[end...]) : nil
        }
        var value: [UInt8] = []
        var index = input.startIndex + 1
        while index < input.endIndex {
            let byte = input[index]
            if byte == asciiQuote {
                return (value, input[(index + 1)...])
            }
            // Go keeps a backslash literally unless it escapes a tspecial (MSIE sends unescaped file paths).
            if byte == asciiBackslash, index + 1 < input.endIndex, self.isTSpecial(input[index + 1]) {
                value.append(input[index + 1])
                index += 2
                continue
            }
            if byte == asciiCarriageReturn || byte == asciiLineFeed {
                return nil
            }
            value.append(byte)
            index += 1
        }
        return nil
    }

    /// Go's `decode2231Enc`: `charset'language'percent-encoded`, charset `us-ascii` or `utf-8`.
    private static func decodeRFC2231(_ value: [UInt8]) -> [UInt8]? {
        guard let firstQuote = value.firstIndex(of: asciiApostrophe),
            let secondQuote = value[(firstQuote + 1)...].firstIndex(of: asciiApostrophe)
        else { return nil }
        let charset = String(decoding: value[..<firstQuote], as: UTF8.self).lowercased()
        guard charset == "us-ascii" || charset == "utf-8" else { return nil }
        return GoURL.percentDecoded(value[(secondQuote + 1)...])
    }

    /// Go mime's `isTokenChar`: printable ASCII except space and tspecials.
    private static func isMIMETokenByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !self.isTSpecial(byte)
    }

    /// RFC 2045 tspecials: `()<>@,;:\"/[]?=`.
    private static func isTSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, asciiComma, asciiSemicolon, 0x3A, asciiBackslash, asciiQuote, asciiSlash, 0x5B, 0x5D,
            0x3F, asciiEquals:
            return true
        default:
            return false
        }
    }

    /// Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`.
    private static func trimmingLeadingSpace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let length = self.spaceLength(bytes, at: index)
            guard length > 0 else { break }
            index += length
        }
        return bytes[index...]
    }

    /// Go's `strings.TrimRightFunc(s, unicode.IsSpace)`, by scanning forward over whole characters.
    private static func trimmingTrailingSpace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let length = self.spaceLength(bytes, at: index)
            if length > 0 {
                index += length
            } else {
                index += 1
                end = index
            }
        }
        return bytes[..<end]
    }

    /// The UTF-8 length of the white-space character at `index` (Go's `unicode.IsSpace`, which is Unicode's
    /// White_Space property), or 0.
    private static func spaceLength(_ bytes: ArraySlice<UInt8>, at index: Int) -> Int {
        let byte = bytes[index]
        if byte < 0x80 {
            return byte == asciiSpace || (asciiTab...asciiCarriageReturn).contains(byte) ? 1 : 0
        }
        var iterator = bytes[index...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator), scalar.properties.isWhitespace else {
            return 0
        }
        return UTF8.width(scalar)
    }

    // MARK: Scrape format

    /// The format and name escaping of a /metrics response, as upstream's `expfmt.Negotiate` picks them.
    ///
    /// The Accept header is parsed like goautoneg (split on `,` and `;`, only spaces trimmed, `q` read with
    /// Go's `ParseFloat`, parameter names and values case-sensitive) and walked by descending q. Any clause
    /// carrying `escaping=` with a known scheme sets the escaping, which sticks for later clauses even if that
    /// clause is not selected. The first clause that is `application/vnd.google.protobuf` with
    /// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited|text|compact-text`, or `text/plain`
    /// with `version=0.0.4` or no version, decides; wildcards and OpenMetrics never match; the fallback is text.
    ///
    /// goautoneg sorts with Go's unstable `sort.Sort` and a comparator that also prefers non-wildcard types.
    /// For up to 12 clauses Go's sort is an insertion sort, reproduced here exactly (so it is stable). For more,
    /// Go's pdqsort leaves ties (and the comparator's inconsistent cases) in an arbitrary order; this uses a
    /// stable sort on (q descending, wildcard type last, wildcard subtype last) instead.
    ///
    /// - Parameters:
    ///   - accept: The first Accept header value, `nil` if absent (empty and missing both give text).
    ///   - supportedFormats: Formats this server can write; a clause asking for another is skipped as if it did
    ///     not match. Text is the fallback regardless.
    /// - Returns: The format and the escaping scheme, `underscores` unless a clause asked otherwise.
    public static func expositionFormat(
        accept: String?,
        supportedFormats: Set<ExpositionFormat> = allExpositionFormats
    ) -> (format: ExpositionFormat, escaping: NameEscapingScheme) {
        var escaping = NameEscapingScheme.underscores
        guard let accept else { return (.text, escaping) }
        for clause in self.acceptClauses(Array(accept.utf8)) {
            if let value = clause.parameters["escaping"], let scheme = NameEscapingScheme(rawValue: value) {
                escaping = scheme
            }
            if clause.type == "application", clause.subtype == "vnd.google.protobuf",
                clause.parameters["proto"] == "io.prometheus.client.MetricFamily"
            {
                let format: ExpositionFormat? =
                    switch clause.parameters["encoding"] {
                    case "delimited": .protobufDelimited
                    case "text": .protobufText
                    case "compact-text": .protobufCompactText
                    default: nil
                    }
                if let format, supportedFormats.contains(format) {
                    return (format, escaping)
                }
            }
            let version = clause.parameters["version"] ?? ""
            if clause.type == "text", clause.subtype == "plain", version == "0.0.4" || version.isEmpty,
                supportedFormats.contains(.text)
            {
                return (.text, escaping)
            }
        }
        return (.text, escaping)
    }

    /// One media range of an Accept header, as goautoneg's `Accept`.
    struct AcceptClause: Equatable {
        var type: String
        var subtype: String
        var quality: Double
        var parameters: [String: String]
    }

    /// goautoneg's `ParseAccept`, sorted as described in ``expositionFormat(accept:supportedFormats:)``.
    static func acceptClauses(_ header: [UInt8]) -> [AcceptClause] {
        var clauses: [AcceptClause] = []
        for part in header.split(separator: asciiComma, omittingEmptySubsequences: false) {
            let pieces = self.trimmingSpaces(part).split(separator: asciiSemicolon, omittingEmptySubsequences: false)
            let range = pieces[0].split(separator: asciiSlash, omittingEmptySubsequences: false)
            let type = String(decoding: self.trimmingSpaces(range[0]), as: UTF8.self)
            let subtype: String
            if range.count == 1 && type == "*" {
                subtype = "*"
            } else if range.count == 2 {
                subtype = String(decoding: self.trimmingSpaces(range[1]), as: UTF8.self)
            } else {
                continue
            }
            var clause = AcceptClause(type: type, subtype: subtype, quality: 1, parameters: [:])
            for parameter in pieces.dropFirst() {
                guard let equals = parameter.firstIndex(of: asciiEquals) else { continue }
                let name = String(decoding: self.trimmingSpaces(parameter[..<equals]), as: UTF8.self)
                let value = parameter[(equals + 1)...]
                if name == "q" {
                    clause.quality = self.parseQuality(value)
                } else {
                    clause.parameters[name] = String(decoding: self.trimmingSpaces(value), as: UTF8.self)
                }
            }
            clauses.append(clause)
        }
        if clauses.count <= 12 {
            // Go's sort.Sort is an insertion sort up to 12 elements: swap while Less(j, j-1).
            for index in clauses.indices.dropFirst() {
                var position = index
                while position > 0 && self.goautonegLess(clauses[position], clauses[position - 1]) {
                    clauses.swapAt(position, position - 1)
                    position -= 1
                }
            }
            return clauses
        }
        return clauses.enumerated()
            .sorted { lhs, rhs in
                if lhs.element.quality != rhs.element.quality {
                    return lhs.element.quality > rhs.element.quality
                }
                let lhsKey = (lhs.element.type == "*" ? 1 : 0, lhs.element.subtype == "*" ? 1 : 0, lhs.offset)
                let rhsKey = (rhs.element.type == "*" ? 1 : 0, rhs.element.subtype == "*" ? 1 : 0, rhs.offset)
                return lhsKey < rhsKey
            }
            .map(\.element)
    }

    /// goautoneg's `Less`: higher q first, and a non-wildcard type or subtype before a wildcard one even at a
    /// lower q (which makes it inconsistent, hence the exact insertion sort above).
    private static func goautonegLess(_ lhs: AcceptClause, _ rhs: AcceptClause) -> Bool {
        lhs.quality > rhs.quality || (lhs.type != "*" && rhs.type == "*") || (lhs.subtype != "*" && rhs.subtype == "*")
    }

    /// Go's `strconv.ParseFloat(s, 32)` with the error ignored: 0 for anything malformed (including blanks
    /// around the number). Hex floats and decimals beyond the double range, which Go reads as a value or ±Inf,
    /// also give 0 here.
    private static func parseQuality(_ value: ArraySlice<UInt8>) -> Double {
        let parsed = value.withUnsafeBytes { GoFloat.parse($0) } ?? 0
        return Double(Float(parsed))
    }

    /// goautoneg's `strings.Trim(s, " ")`: spaces only, not tabs.
    private static func trimmingSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { $0 != asciiSpace }), let last = bytes.lastIndex(where: { $0 != asciiSpace }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }

    // MARK: Response compression

    /// Whether to gzip a /metrics response, as client_golang's promhttp negotiates `Accept-Encoding`.
    ///
    /// The offers are `identity` then `gzip`; the best q wins, a tie goes to the earlier offer (identity), `*`
    /// matches identity first, and a best match at q=0 falls back to identity. Codings are case-sensitive; a
    /// malformed element drops the rest of its header line (golang/gddo's parser).
    ///
    /// - Parameter acceptEncoding: Every Accept-Encoding header value, in order (Go reads all of them).
    public static func shouldGzip(acceptEncoding: [String]) -> Bool {
        var specs: [(coding: ArraySlice<UInt8>, quality: Double)] = []
        for header in acceptEncoding {
            self.appendAcceptEncodingSpecs(Array(header.utf8)[...], to: &specs)
        }
        var bestOffer = "identity"
        var bestQuality = -1.0
        for offer in ["identity", "gzip"] {
            for spec in specs where spec.quality > bestQuality {
                if spec.coding.elementsEqual([asciiStar]) || spec.coding.elementsEqual(offer.utf8) {
                    bestQuality = spec.quality
                    bestOffer = offer
                }
            }
        }
        return bestOffer == "gzip" && bestQuality != 0
    }

    /// golang/gddo `header.ParseAccept` for one header line.
    private static func appendAcceptEncodingSpecs(
        _ line: ArraySlice<UInt8>,
        to specs: inout [(coding: ArraySlice<UInt8>, quality: Double)]
    ) {
        var rest = line
        while true {
            let end = rest.firstIndex { !self.isHTTPTokenByte($0) && $0 != asciiSlash } ?? rest.endIndex
            let coding = rest[..<end]
            guard !coding.isEmpty else { return }
            rest = self.skippingHTTPSpace(rest[end...])
            var quality = 1.0
            if rest.first == asciiSemicolon {
                rest = self.skippingHTTPSpace(rest.dropFirst())
                guard rest.starts(with: [0x71, asciiEquals]) else { return }
                let parsed = self.expectQuality(rest.dropFirst(2))
                guard parsed.quality >= 0 else { return }
                quality = parsed.quality
                rest = parsed.rest
            }
            specs.append((coding, quality))
            rest = self.skippingHTTPSpace(rest)
            guard rest.first == asciiComma else { return }
            rest = self.skippingHTTPSpace(rest.dropFirst())
        }
    }

    /// gddo's `expectQuality`: `0` or `1`, optionally `.` and digits (any number of them, so `1.5` is 1.5);
    /// -1 if malformed. The digit accumulators are Go `int`s and wrap the same way.
    private static func expectQuality(_ input: ArraySlice<UInt8>) -> (quality: Double, rest: ArraySlice<UInt8>) {
        guard let first = input.first, first == 0x30 || first == 0x31 else {
            return (-1, input[input.endIndex...])
        }
        let whole = Double(first - 0x30)
        var rest = input.dropFirst()
        guard rest.first == asciiDot else { return (whole, rest) }
        rest = rest.dropFirst()
        var numerator: Int64 = 0
        var denominator: Int64 = 1
        while let digit = rest.first, digit >= 0x30 && digit <= 0x39 {
            numerator = numerator &* 10 &+ Int64(digit - 0x30)
            denominator = denominator &* 10
            rest = rest.dropFirst()
        }
        return (whole + Double(numerator) / Double(denominator), rest)
    }

    /// gddo's token octets: ASCII except controls and `" \t\"(),/:;<>?@[]\\{}"`.
    private static func isHTTPTokenByte(_ byte: UInt8) -> Bool {
        guard byte > 0x20 && byte < 0x7F else { return false }
        switch byte {
        case asciiQuote, 0x28, 0x29, asciiComma, asciiSlash, 0x3A, asciiSemicolon, 0x3C, 0x3E, 0x3F, 0x40, 0x5B, asciiBackslash, 0x5D,
            0x7B, 0x7D:
            return false
        default:
            return true
        }
    }

    /// gddo's `skipSpace`: space, tab, CR and LF.
    private static func skippingHTTPSpace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        bytes.drop { $0 == asciiSpace || $0 == asciiTab || $0 == asciiCarriageReturn || $0 == asciiLineFeed }
    }
}
