// The grouping key of a push or delete URL, read the way upstream's Go stack reads it: net/url percent-decodes
// the whole path first (so `%2F` becomes a separator), httprouter splits the decoded path into `:job` and
// `*labels`, then the push handler (PG handler/push.go `splitLabels`, `decodeBase64`) validates and decodes.
// Before any of that, Go's ServeMux answers 301 to the cleaned path for `//`, `/./` and `/../` (ServeMuxPath).
// The path is decoded once, before routing; the parser here gets the decoded bytes.

private let asciiSlash: UInt8 = 0x2F
private let asciiUnderscore: UInt8 = 0x5F
private let base64Suffix = Array("@base64".utf8)

/// A push or delete URL that upstream would not route, or whose grouping key it rejects.
///
/// ``description`` is upstream's message. The push and delete handlers answer it verbatim (plus `\n`) with
/// 400; ``Code-swift.struct/invalidURL`` and ``Code-swift.struct/routeNotFound`` happen in Go before any handler.
public struct GroupingPathError: Error, Hashable, Sendable {
    /// A broad classification; codes may be added without breaking `switch`es elsewhere.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidURL
            case routeNotFound
            case invalidJobBase64
            case oddNumberOfComponents
            case improperLabelName
            case invalidLabelBase64
            case missingJob
            case invalidUTF8
        }

        private var wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A `%` not followed by two hex digits, or a control byte: Go's server rejects the request line with
        /// a bare `400 Bad Request` (and closes the connection) before routing.
        public static var invalidURL: Self { Self(.invalidURL) }
        /// Nothing after `/metrics/job/` (or `/metrics/job@base64/`): no route matches, 404 `404 page not found`.
        public static var routeNotFound: Self { Self(.routeNotFound) }
        /// The `job@base64` segment is not valid base64url.
        public static var invalidJobBase64: Self { Self(.invalidJobBase64) }
        /// The labels part does not split into name/value pairs.
        public static var oddNumberOfComponents: Self { Self(.oddNumberOfComponents) }
        /// A label name is not valid, or starts with `__`.
        public static var improperLabelName: Self { Self(.improperLabelName) }
        /// A `name@base64` label value is not valid base64url.
        public static var invalidLabelBase64: Self { Self(.invalidLabelBase64) }
        /// The job name is empty.
        public static var missingJob: Self { Self(.missingJob) }
        /// The job or a label value is not valid UTF-8 once decoded. Upstream accepts it here and fails later
        /// (consistency check, or every scrape with the check disabled); rejecting it is a deliberate difference.
        public static var invalidUTF8: Self { Self(.invalidUTF8) }

        public var description: String { String(describing: self.wrapped) }
    }

    /// What went wrong, broadly.
    public var code: Code
    /// Upstream's message, e.g. `improper label name "__a"`.
    public var message: String

    package init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }
}

extension GroupingPathError: CustomStringConvertible {
    public var description: String { self.message }
}

/// Parses the grouping key of push and delete URLs (`/metrics/job/<job>{/<name>/<value>}` and the
/// `/metrics/job@base64/<job>…` form) exactly as upstream does.
public enum GroupingPath {
    /// Parses the grouping key from the path that follows `/metrics/job/` or `/metrics/job@base64/`, already
    /// percent-decoded once (the route parameters).
    ///
    /// The job is the first segment of the decoded path and the labels are the rest, as Go's router sees it, so
    /// a `%2F` that was sent separates segments. Label values with a `@base64` name suffix, and the job on the
    /// `job@base64` route, are RFC 4648 base64url with any trailing `=` ignored (`=` alone is the empty value).
    /// A `job` label in the labels part is overwritten by the job segment; of duplicate names the last one
    /// wins. A trailing slash (`x/a/`) yields `a=""`.
    ///
    /// - Parameters:
    ///   - path: The decoded path after the route prefix, without the query string. It is not decoded again:
    ///     a `%` in it is a literal `%`.
    ///   - jobIsBase64: Whether the route was `/metrics/job@base64/`.
    ///   - utf8Names: Upstream's `--push.enable-utf8-names`: label names may be any non-empty UTF-8 and are
    ///     unescaped from the `U__` value encoding (prometheus/common `UnescapeName`, "values" scheme).
    /// - Returns: The grouping key, `job` included.
    /// - Throws: ``GroupingPathError``: an empty path (no route matches), then upstream's handler checks in its
    ///   order (job base64, each label pair in turn, the empty job), and last a job or label value that is not
    ///   UTF-8.
    public static func parse(
        _ path: [UInt8],
        jobIsBase64: Bool,
        utf8Names: Bool = false
    ) throws(GroupingPathError) -> GroupingKey {
        guard !path.isEmpty else {
            throw GroupingPathError(.routeNotFound, message: "404 page not found")
        }
        let jobEnd = path.firstIndex(of: asciiSlash) ?? path.endIndex
        var job = Array(path[..<jobEnd])
        let labelsPart = path[jobEnd...]

        if jobIsBase64 {
            let (decoded, errorOffset) = Base64URL.decode(job[...])
            if let errorOffset {
                // Upstream overwrites the job variable before formatting, so %q shows the partial decoding.
                throw GroupingPathError(
                    .invalidJobBase64,
                    message: "invalid base64 encoding in job name \(GoQuote.string(decoded)): "
                        + "illegal base64 data at input byte \(errorOffset)"
                )
            }
            job = decoded
        }

        var labels: [(name: [UInt8], value: [UInt8])] = []
        if labelsPart.count > 1 {
            let components = labelsPart.dropFirst().split(separator: asciiSlash, omittingEmptySubsequences: false)
            guard components.count % 2 == 0 else {
                throw GroupingPathError(
                    .oddNumberOfComponents,
                    message: "odd number of components in label string \(GoQuote.string(labelsPart))"
                )
            }
            for pair in stride(from: 0, to: components.count, by: 2) {
                labels.append(try self.label(name: components[pair], value: components[pair + 1], utf8Names: utf8Names))
            }
        }

        guard !job.isEmpty else {
            throw GroupingPathError(.missingJob, message: "job name is required")
        }

        var pairs: [LabelPair] = []
        pairs.reserveCapacity(labels.count + 1)
        for (name, value) in labels {
            pairs.append(LabelPair(name: String(decoding: name, as: UTF8.self), value: try self.string(value, label: name)))
        }
        pairs.append(LabelPair(name: "job", value: try self.string(job, label: Array("job".utf8))))
        return GroupingKey(pairs)
    }

    /// Validates and decodes one name/value pair of the labels part (upstream's `splitLabels` loop body).
    private static func label(
        name: ArraySlice<UInt8>,
        value: ArraySlice<UInt8>,
        utf8Names: Bool
    ) throws(GroupingPathError) -> (name: [UInt8], value: [UInt8]) {
        let isBase64 = name.count >= base64Suffix.count && name.suffix(base64Suffix.count).elementsEqual(base64Suffix)
        let trimmedName = isBase64 ? name.dropLast(base64Suffix.count) : name
        let unescapedName = utf8Names ? self.unescapeValueEncoding(trimmedName) : Array(trimmedName)
        let isValid = utf8Names ? self.isValidUTF8Name(unescapedName) : LegacyName.isValidLabelName(unescapedName)
        // The reserved-prefix check looks at the name as sent, before U__ unescaping.
        guard isValid, !trimmedName.starts(with: [asciiUnderscore, asciiUnderscore]) else {
            throw GroupingPathError(.improperLabelName, message: "improper label name \(GoQuote.string(trimmedName))")
        }
        guard isBase64 else {
            return (unescapedName, Array(value))
        }
        let (decoded, errorOffset) = Base64URL.decode(value)
        if let errorOffset {
            throw GroupingPathError(
                .invalidLabelBase64,
                message: "invalid base64 encoding for label \(String(decoding: trimmedName, as: UTF8.self))=\(GoQuote.string(value)): "
                    + "illegal base64 data at input byte \(errorOffset)"
            )
        }
        return (unescapedName, decoded)
    }

    /// Upstream's UTF-8 label name rule: any non-empty valid UTF-8.
    private static func isValidUTF8Name(_ name: [UInt8]) -> Bool {
        !name.isEmpty && name.withUnsafeBytes { makeValidatedString($0) } != nil
    }

    /// prometheus/common `UnescapeName` with the "values" scheme: the name unchanged unless it is `U__` + an
    /// encoding in which `__` is `_` and `_<hex>_` is that code point; any malformed escape keeps the name.
    static func unescapeValueEncoding(_ name: ArraySlice<UInt8>) -> [UInt8] {
        let prefix: [UInt8] = [0x55, asciiUnderscore, asciiUnderscore]
        guard name.starts(with: prefix) else { return Array(name) }
        let escaped = Array(name.dropFirst(prefix.count))
        var unescaped: [UInt8] = []
        var index = 0
        while index < escaped.count {
            guard escaped[index] == asciiUnderscore else {
                unescaped.append(escaped[index])
                index += 1
                continue
            }
            index += 1
            guard index < escaped.count else { return Array(name) }
            if escaped[index] == asciiUnderscore {
                unescaped.append(asciiUnderscore)
                index += 1
                continue
            }
            var codePoint: UInt32 = 0
            var digits = 0
            while true {
                // Upstream gives up at a sixth character before the closing `_`, so at most five hex digits.
                guard index < escaped.count, digits < 6 else { return Array(name) }
                if escaped[index] == asciiUnderscore {
                    guard let scalar = Unicode.Scalar(codePoint) else { return Array(name) }
                    unescaped.append(contentsOf: String(scalar).utf8)
                    index += 1
                    break
                }
                // Go lower-cases with `| 0x20` before the range checks, so bytes 0x10–0x19 also read as digits.
                let lowered = escaped[index] | 0x20
                switch lowered {
                case 0x30...0x39: codePoint = codePoint &* 16 &+ UInt32(lowered - 0x30)
                case 0x61...0x66: codePoint = codePoint &* 16 &+ UInt32(lowered - 0x61 + 10)
                default: return Array(name)
                }
                digits += 1
                index += 1
            }
        }
        return unescaped
    }

    /// The decoded bytes as a String; invalid UTF-8 is this gateway's one extra rejection
    /// (``GroupingPathError/Code-swift.struct/invalidUTF8``).
    private static func string(_ bytes: [UInt8], label: [UInt8]) throws(GroupingPathError) -> String {
        guard let string = bytes.withUnsafeBytes({ makeValidatedString($0) }) else {
            throw GroupingPathError(
                .invalidUTF8,
                message: "grouping label \(String(decoding: label, as: UTF8.self)) has a value that is not valid UTF-8: "
                    + GoQuote.string(bytes)
            )
        }
        return string
    }
}
