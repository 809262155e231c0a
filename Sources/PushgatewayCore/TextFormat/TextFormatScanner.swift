#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The byte-level half of the text parser: a cursor over UTF-8 bytes with the reading verbs of Go's
// expfmt TextParser. It mirrors that reader's model on purpose — a "current byte" that has been read and
// not yet consumed — because upstream's exact acceptance (and its error texts) fall out of that model.

private let asciiTab: UInt8 = 0x09
private let asciiNewline: UInt8 = 0x0A
private let asciiSpace: UInt8 = 0x20
private let asciiQuote: UInt8 = 0x22
private let asciiBackslash: UInt8 = 0x5C
private let asciiEquals: UInt8 = 0x3D
private let asciiLowerN: UInt8 = 0x6E

/// A cursor over the input with Go's reader semantics: ``current`` is the last byte read.
struct TextFormatScanner {
    private let bytes: UnsafeRawBufferPointer
    /// Index of ``current`` in the input; `bytes.count` once the input is exhausted.
    private var position: Int
    /// The last byte read; meaningless when ``atEnd``.
    private(set) var current: UInt8
    /// Whether a read ran past the end of the input (Go's `io.EOF`).
    private(set) var atEnd: Bool
    /// The 1-based number of the line being read.
    var line: Int

    // The last token read. Tokens without escapes are ranges of the input; an escape moves the token into
    // `scratch`, so common lines copy nothing.
    private var tokenStart: Int
    private var tokenEnd: Int
    private var tokenInScratch: Bool
    private var scratch: [UInt8]
    /// Whether the last name read was quoted; an unquoted name is a legacy name by construction.
    private(set) var nameWasQuoted = false

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.position = -1
        self.current = 0
        self.atEnd = false
        self.line = 0
        self.tokenStart = 0
        self.tokenEnd = 0
        self.tokenInScratch = false
        self.scratch = []
    }

    // MARK: Reading bytes

    /// Reads the next byte into ``current``; false (and ``atEnd``) past the end.
    @inline(__always)
    mutating func readByte() -> Bool {
        self.position += 1
        if self.position < self.bytes.count {
            self.current = self.bytes[self.position]
            return true
        }
        self.position = self.bytes.count
        self.atEnd = true
        return false
    }

    @inline(__always)
    static func isBlankOrTab(_ byte: UInt8) -> Bool {
        byte == asciiSpace || byte == asciiTab
    }

    /// Reads bytes until one is neither blank nor tab; false at the end of input.
    @inline(__always)
    mutating func skipBlankTab() -> Bool {
        while self.readByte() {
            if !Self.isBlankOrTab(self.current) {
                return true
            }
        }
        return false
    }

    /// Like ``skipBlankTab()``, but only if ``current`` is blank or tab.
    @inline(__always)
    mutating func skipBlankTabIfCurrentBlankTab() -> Bool {
        if Self.isBlankOrTab(self.current) {
            return self.skipBlankTab()
        }
        return true
    }

    /// Skips to the newline that ends the line (a generic comment); false at the end of input.
    mutating func skipToNewline() -> Bool {
        while self.current != asciiNewline {
            if !self.readByte() {
                return false
            }
        }
        return true
    }

    // MARK: Tokens

    private mutating func beginToken() {
        self.tokenStart = self.position
        self.tokenEnd = self.position
        self.tokenInScratch = false
    }

    /// Moves the token into scratch so that bytes which differ from the input can follow.
    private mutating func moveTokenToScratch() {
        if !self.tokenInScratch {
            self.scratch.removeAll(keepingCapacity: true)
            if self.tokenEnd > self.tokenStart {
                self.scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: self.bytes[self.tokenStart..<self.tokenEnd]))
            }
            self.tokenInScratch = true
        }
    }

    /// Adds the byte at the current position (unchanged) to the token.
    @inline(__always)
    private mutating func appendCurrentToToken() {
        if self.tokenInScratch {
            self.scratch.append(self.current)
        } else {
            self.tokenEnd = self.position + 1
        }
    }

    /// Adds a byte that is not the input's own (the result of an escape) to the token.
    private mutating func appendToToken(_ byte: UInt8) {
        self.moveTokenToScratch()
        self.scratch.append(byte)
    }

    /// Gives the token's bytes to `body`.
    @inline(__always)
    func withToken<Result>(_ body: (UnsafeRawBufferPointer) throws(TextFormatError) -> Result) throws(TextFormatError) -> Result {
        if self.tokenInScratch {
            // Typed throws cannot cross withUnsafeBytes' rethrows, so route the error through a Result.
            let result: Swift.Result<Result, TextFormatError> = self.scratch.withUnsafeBytes { buffer in
                do throws(TextFormatError) {
                    return .success(try body(buffer))
                } catch {
                    return .failure(error)
                }
            }
            return try result.get()
        }
        return try body(UnsafeRawBufferPointer(rebasing: self.bytes[self.tokenStart..<self.tokenEnd]))
    }

    /// The token's bytes as an array (for error messages).
    var tokenBytes: [UInt8] {
        if self.tokenInScratch {
            return self.scratch
        }
        return Array(UnsafeRawBufferPointer(rebasing: self.bytes[self.tokenStart..<self.tokenEnd]))
    }

    /// The token's length in bytes.
    var tokenCount: Int {
        self.tokenInScratch ? self.scratch.count : self.tokenEnd - self.tokenStart
    }

    /// Whether the token is empty.
    var tokenIsEmpty: Bool {
        self.tokenInScratch ? self.scratch.isEmpty : self.tokenEnd == self.tokenStart
    }

    /// Whether the token's bytes are exactly `string`'s UTF-8.
    @inline(__always)
    func tokenEquals(_ string: String) -> Bool {
        withUTF8Bytes(string) { utf8 in
            if self.tokenInScratch {
                return self.scratch.count == utf8.count && self.scratch.withUnsafeBufferPointer { $0.elementsEqual(utf8) }
            }
            let length = self.tokenEnd - self.tokenStart
            guard length == utf8.count else { return false }
            guard length > 0 else { return true }
            return bytesEqual(self.bytes.baseAddress! + self.tokenStart, utf8.baseAddress!, count: length)
        }
    }

    /// The token as a String; `nil` if it is not valid UTF-8.
    func tokenString() -> String? {
        if self.tokenInScratch {
            return self.scratch.withUnsafeBytes { makeValidatedString($0) }
        }
        return makeValidatedString(UnsafeRawBufferPointer(rebasing: self.bytes[self.tokenStart..<self.tokenEnd]))
    }

    /// The token as a String, invalid UTF-8 repaired (for help texts, which upstream does not validate).
    func tokenStringRepairingUTF8() -> String {
        if self.tokenInScratch {
            return String(decoding: self.scratch, as: UTF8.self)
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[self.tokenStart..<self.tokenEnd]), as: UTF8.self)
    }

    // MARK: Reading tokens

    /// Reads from ``current`` up to the next blank, tab or newline (which stays in ``current``).
    /// False at the end of input.
    mutating func readTokenUntilWhitespace() -> Bool {
        self.beginToken()
        if self.atEnd { return false }
        while !Self.isBlankOrTab(self.current) && self.current != asciiNewline {
            self.appendCurrentToToken()
            if !self.readByte() {
                return false
            }
        }
        return true
    }

    /// Reads from ``current`` up to the newline (which stays in ``current``). With `escapes`, `\\`, `\n` and
    /// `\"` are decoded and any other escape is an error. False at the end of input.
    mutating func readTokenUntilNewline(escapes: Bool) throws(TextFormatError) -> Bool {
        self.beginToken()
        if self.atEnd { return false }
        var escaped = false
        repeat {
            if escapes && escaped {
                switch self.current {
                case asciiBackslash, asciiQuote: self.appendToToken(self.current)
                case asciiLowerN: self.appendToToken(asciiNewline)
                default: throw self.invalidEscape()
                }
                escaped = false
            } else {
                switch self.current {
                case asciiNewline:
                    return true
                case asciiBackslash where escapes:
                    escaped = true
                    self.moveTokenToScratch()
                default:
                    self.appendCurrentToToken()
                }
            }
        } while self.readByte()
        return false
    }

    /// If the input at ``current`` is exactly the unquoted legacy name `name` (followed by a byte that cannot
    /// continue a name), makes it the token, moves past it as ``readMetricName()`` would and returns true.
    /// Lines mostly repeat the previous line's names, so this replaces the byte-by-byte scan.
    @inline(__always)
    mutating func readKnownName(_ name: UnsafeBufferPointer<UInt8>, isMetricName: Bool) -> Bool {
        let count = name.count
        let end = self.position + count
        guard count > 0, !self.atEnd, end < self.bytes.count, let base = self.bytes.baseAddress, let nameBase = name.baseAddress,
            bytesEqual(base + self.position, nameBase, count: count),
            // A name that only quotes can carry (`le="`) must not match its raw bytes in unquoted text.
            LegacyName.isValid(name, allowColon: isMetricName)
        else { return false }
        let next = self.bytes[end]
        if Self.isNameContinuation(next, metric: isMetricName, quoted: false) || next == asciiQuote {
            return false
        }
        self.tokenStart = self.position
        self.tokenEnd = end
        self.tokenInScratch = false
        self.nameWasQuoted = false
        self.position = end
        self.current = next
        return true
    }

    /// Reads a metric name starting at ``current``: a legacy name, or a quoted one (`"my.metric"`) with
    /// escapes. Leaves the first byte after the name in ``current``; the token is empty if ``current``
    /// cannot start a name. False at the end of input.
    mutating func readMetricName() throws(TextFormatError) -> Bool {
        try self.readName(isMetricName: true)
    }

    /// Reads a label name starting at ``current``; as ``readMetricName()`` but `:` is not allowed, and an
    /// unquoted name also ends at `=`.
    mutating func readLabelName() throws(TextFormatError) -> Bool {
        try self.readName(isMetricName: false)
    }

    @inline(__always)
    private static func isNameStart(_ byte: UInt8, metric: Bool) -> Bool {
        byte == asciiQuote || LegacyName.isNameByte(byte, first: true, allowColon: metric)
    }

    @inline(__always)
    private static func isNameContinuation(_ byte: UInt8, metric: Bool, quoted: Bool) -> Bool {
        // Inside quotes Go accepts any byte (`utf8.ValidString(string(b))` widens the byte to a rune).
        quoted || byte == asciiQuote || LegacyName.isNameByte(byte, first: false, allowColon: metric)
    }

    private mutating func readName(isMetricName: Bool) throws(TextFormatError) -> Bool {
        self.beginToken()
        self.nameWasQuoted = false
        if self.atEnd { return false }
        guard Self.isNameStart(self.current, metric: isMetricName) else { return true }
        // Fast path: an unquoted name is a run of name bytes; only a quote needs the full state machine.
        if self.current != asciiQuote {
            var end = self.position + 1
            while end < self.bytes.count {
                guard LegacyName.isNameByte(self.bytes[end], first: false, allowColon: isMetricName) else { break }
                end += 1
            }
            if end == self.bytes.count {
                self.tokenEnd = end
                self.position = end
                self.atEnd = true
                return false
            }
            if self.bytes[end] != asciiQuote {
                self.tokenEnd = end
                self.position = end
                self.current = self.bytes[end]
                return true
            }
        }
        var quoted = false
        var escaped = false
        while true {
            if escaped {
                switch self.current {
                case asciiBackslash, asciiQuote: self.appendToToken(self.current)
                case asciiLowerN: self.appendToToken(asciiNewline)
                default: throw self.invalidEscape()
                }
                escaped = false
            } else {
                switch self.current {
                case asciiQuote:
                    // The quotes are not part of the name: drop what came so far into scratch.
                    self.nameWasQuoted = true
                    self.moveTokenToScratch()
                    quoted.toggle()
                    if !quoted {
                        return self.readByte()
                    }
                case asciiNewline:
                    let what = isMetricName ? "metric name" : "label name"
                    throw TextFormatError(
                        isMetricName ? .invalidMetricName : .invalidLabelName,
                        line: self.line,
                        message: "\(what) \(GoQuote.string(self.tokenBytes)) contains unescaped new-line"
                    )
                case asciiBackslash:
                    self.moveTokenToScratch()
                    escaped = true
                default:
                    self.appendCurrentToToken()
                }
            }
            if !self.readByte() {
                return false
            }
            if !Self.isNameContinuation(self.current, metric: isMetricName, quoted: quoted) {
                return true
            }
            if !quoted && (self.current == asciiSpace || (!isMetricName && self.current == asciiEquals)) {
                return true
            }
        }
    }

    /// Reads a quoted label value; ``current`` is the opening quote. Escapes `\"`, `\\`, `\n`; a raw
    /// newline is an error. Leaves the closing quote in ``current``. False at the end of input.
    mutating func readLabelValue() throws(TextFormatError) -> Bool {
        guard self.readByte() else {
            self.beginToken()
            return false
        }
        self.beginToken()
        // Fast path: scan to the closing quote; most values have no escapes.
        let end = firstIndex(
            of: asciiQuote,
            asciiBackslash,
            asciiNewline,
            in: self.bytes.baseAddress!,
            from: self.position,
            to: self.bytes.count
        )
        if end < self.bytes.count && self.bytes[end] == asciiQuote {
            self.tokenEnd = end
            self.position = end
            self.current = asciiQuote
            return true
        }
        var escaped = false
        while true {
            let byte = self.current
            if escaped {
                switch byte {
                case asciiQuote, asciiBackslash: self.appendToToken(byte)
                case asciiLowerN: self.appendToToken(asciiNewline)
                default: throw self.invalidEscape()
                }
                escaped = false
            } else {
                switch byte {
                case asciiQuote:
                    return true
                case asciiNewline:
                    throw TextFormatError(
                        .invalidLabelValue,
                        line: self.line,
                        message: "label value \(GoQuote.string(self.tokenBytes)) contains unescaped new-line"
                    )
                case asciiBackslash:
                    self.moveTokenToScratch()
                    escaped = true
                default:
                    self.appendCurrentToToken()
                }
            }
            if !self.readByte() {
                return false
            }
        }
    }

    private func invalidEscape() -> TextFormatError {
        // Go prints the byte with %c, which widens it to a rune.
        let character = String(Character(Unicode.Scalar(self.current)))
        return TextFormatError(.invalidEscapeSequence, line: self.line, message: "invalid escape sequence '\\\(character)'")
    }
}
