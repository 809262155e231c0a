import PushgatewayCore

// Every byte of the web UI goes through this writer: markup the renderer spells out itself is appended as it
// is, everything that came from a push, a flag or the store (label names and values, help, family names,
// values) through `text`, which escapes it. There is no other way to put a string into a page.

/// Builds an HTML document or fragment as UTF-8 bytes.
struct HTMLWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []

    /// Creates an empty writer with room for `capacity` bytes.
    init(capacity: Int = 4096) {
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends markup written by the renderer itself (never data).
    mutating func raw(_ markup: StaticString) {
        markup.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
    }

    /// Appends data as text: `& < > " '` become entities, so the result is safe in element content and in
    /// quoted attribute values alike.
    mutating func text(_ text: String) {
        for byte in text.utf8 {
            self.appendEscaped(byte)
        }
    }

    /// Appends bytes of data (UTF-8) as ``text(_:)`` does.
    mutating func text(bytes: some Sequence<UInt8>) {
        for byte in bytes {
            self.appendEscaped(byte)
        }
    }

    /// Appends an integer.
    mutating func number(_ value: some BinaryInteger) {
        self.bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a float as Go's `strconv.FormatFloat(value, 'f', -1, 64)`, as upstream's template prints values.
    mutating func value(_ value: Double) {
        self.bytes.append(contentsOf: UIFormat.fixed(value).utf8)
    }

    /// Appends a time as RFC 3339 (UTC, fraction only when not whole seconds).
    mutating func time(_ timestamp: Timestamp) {
        RFC3339Nano.append(timestamp, to: &self.bytes)
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case 0x26: self.raw("&amp;")
        case 0x3C: self.raw("&lt;")
        case 0x3E: self.raw("&gt;")
        case 0x22: self.raw("&#34;")
        case 0x27: self.raw("&#39;")
        default: self.bytes.append(byte)
        }
    }
}

/// Number and name formatting the web UI shares with upstream's template.
enum UIFormat {
    /// Go's `strconv.FormatFloat(value, 'f', -1, 64)`: the shortest digits that read back as `value`, never an
    /// exponent (`1e+06` is `1000000`, `1.5e-07` is `0.00000015`); `NaN`, `+Inf`, `-Inf` as Go spells them.
    static func fixed(_ value: Double) -> String {
        let shortest = GoFloat.format(value)
        guard value.isFinite, let exponentIndex = shortest.utf8.firstIndex(of: 0x65) else {
            return shortest
        }
        // `[-]d[.ddd]e±XX`: move the point by the exponent.
        var mantissa = Substring(shortest[..<exponentIndex])
        let exponent = Int(shortest[shortest.index(after: exponentIndex)...].replacing("+", with: "")) ?? 0
        let negative = mantissa.hasPrefix("-")
        if negative {
            mantissa = mantissa.dropFirst()
        }
        let digits = Array(mantissa.utf8.filter { $0 != 0x2E })
        // The point sits after the first digit of the mantissa.
        let point = 1 + exponent
        var out: [UInt8] = negative ? [0x2D] : []
        if point <= 0 {
            out += [0x30, 0x2E] + Array(repeating: 0x30, count: -point) + digits
        } else if point >= digits.count {
            out += digits + Array(repeating: 0x30, count: point - digits.count)
        } else {
            out += digits[..<point] + [0x2E] + digits[point...]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A label name as upstream's page shows it: as it is when it is a legacy name, else Go-quoted (`%q`).
    static func labelName(_ name: String) -> String {
        LegacyName.isValidLabelName(name) ? name : GoQuote.string(name)
    }

    /// A badge text: `name="value"`, the value as it is between the quotes, as upstream's template writes it.
    static func badge(_ label: LabelPair) -> String {
        self.labelName(label.name) + "=\"" + label.value + "\""
    }
}
