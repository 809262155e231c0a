import PushgatewayCore

// Go's time.Duration as kingpin reads and prints it (`--persistence.interval`): time.ParseDuration accepts a
// sign, then one or more `<decimal><unit>` terms (`1h30m`, `1.5h`, `500ms`, `0`), and Duration.String prints
// `5m0s`, `1h30m0s`, `500ms`, `1.5µs`. Both are reproduced here, error texts included, because the status API
// shows the flag value and operators' scripts pass Go durations.

/// A duration with Go's `time.Duration` syntax: a signed count of nanoseconds.
public struct GoDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    /// Creates a duration of `nanoseconds`.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Parses `text` as Go's `time.ParseDuration` does.
    ///
    /// Units are `ns`, `us` (or `µs`, `μs`), `ms`, `s`, `m` and `h`; every term needs one, except a lone `0`.
    /// - Throws: ``GoDurationError`` with Go's message (`time: invalid duration "x"`, `time: missing unit in
    ///   duration "5"`, `time: unknown unit "d" in duration "1d"`).
    public init(parsing text: String) throws(GoDurationError) {
        self.nanoseconds = try Self.parse(Array(text.utf8), original: text)
    }

    /// The duration as a Swift `Duration`.
    public var duration: Duration {
        .nanoseconds(self.nanoseconds)
    }

    /// Orders durations by length.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Go's `Duration.String()`: `0s`, `1.5µs`, `500ms`, `10s`, `5m0s`, `1h30m0s`.
    public var description: String {
        let negative = self.nanoseconds < 0
        var value = self.nanoseconds.magnitude
        var text = ""
        if value < 1_000_000_000 {
            if value == 0 {
                return "0s"
            }
            let unit: String
            let precision: Int
            if value < 1_000 {
                unit = "ns"
                precision = 0
            } else if value < 1_000_000 {
                unit = "µs"
                precision = 3
            } else {
                unit = "ms"
                precision = 6
            }
            let (fraction, whole) = Self.fraction(value, precision: precision)
            text = String(whole) + fraction + unit
        } else {
            let (fraction, seconds) = Self.fraction(value, precision: 9)
            value = seconds
            text = String(value % 60) + fraction + "s"
            value /= 60
            if value > 0 {
                text = String(value % 60) + "m" + text
                value /= 60
                if value > 0 {
                    text = String(value) + "h" + text
                }
            }
        }
        return negative ? "-" + text : text
    }

    /// Go's `fmtFrac`: the `precision` lowest decimal digits of `value` as `.ddd` without trailing zeros (empty
    /// if they are all zero), and the remaining integer part.
    private static func fraction(_ value: UInt64, precision: Int) -> (fraction: String, whole: UInt64) {
        var value = value
        var digits: [Character] = []
        var printing = false
        for _ in 0..<precision {
            let digit = value % 10
            printing = printing || digit != 0
            if printing {
                digits.append(Character(Unicode.Scalar(UInt8(0x30 + digit))))
            }
            value /= 10
        }
        guard printing else { return ("", value) }
        return ("." + String(digits.reversed()), value)
    }

    private static let units: [String: UInt64] = [
        "ns": 1,
        "us": 1_000,
        "\u{00B5}s": 1_000,
        "\u{03BC}s": 1_000,
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]

    private static func parse(_ bytes: [UInt8], original: String) throws(GoDurationError) -> Int64 {
        let invalid = GoDurationError(message: "time: invalid duration \(GoQuote.string(original))")
        var rest = bytes[...]
        var negative = false
        if let sign = rest.first, sign == 0x2D || sign == 0x2B {
            negative = sign == 0x2D
            rest = rest.dropFirst()
        }
        if rest.elementsEqual([0x30]) {
            return 0
        }
        guard !rest.isEmpty else { throw invalid }
        let limit: UInt64 = 1 << 63
        var total: UInt64 = 0
        while let first = rest.first {
            guard first == 0x2E || Self.isDigit(first) else { throw invalid }
            // The integer part: Go's leadingInt, which fails on overflow.
            var whole: UInt64 = 0
            let integerStart = rest.startIndex
            while let byte = rest.first, Self.isDigit(byte) {
                guard whole <= limit / 10 else { throw invalid }
                whole = whole * 10 + UInt64(byte - 0x30)
                guard whole <= limit else { throw invalid }
                rest = rest.dropFirst()
            }
            let hasInteger = rest.startIndex != integerStart
            // The fraction: Go's leadingFraction, which stops accumulating (but keeps consuming) on overflow.
            var fraction: UInt64 = 0
            var scale = 1.0
            var hasFraction = false
            if rest.first == 0x2E {
                rest = rest.dropFirst()
                var overflow = false
                while let byte = rest.first, Self.isDigit(byte) {
                    hasFraction = true
                    rest = rest.dropFirst()
                    if overflow {
                        continue
                    }
                    if fraction > (limit - 1) / 10 {
                        overflow = true
                        continue
                    }
                    let next = fraction * 10 + UInt64(byte - 0x30)
                    if next > limit {
                        overflow = true
                        continue
                    }
                    fraction = next
                    scale *= 10
                }
            }
            guard hasInteger || hasFraction else { throw invalid }
            let unitEnd = rest.firstIndex { $0 == 0x2E || Self.isDigit($0) } ?? rest.endIndex
            let unitBytes = rest[..<unitEnd]
            guard !unitBytes.isEmpty else {
                throw GoDurationError(message: "time: missing unit in duration \(GoQuote.string(original))")
            }
            rest = rest[unitEnd...]
            let unitName = String(decoding: unitBytes, as: UTF8.self)
            guard let unit = Self.units[unitName] else {
                throw GoDurationError(
                    message: "time: unknown unit \(GoQuote.string(unitBytes)) in duration \(GoQuote.string(original))"
                )
            }
            guard whole <= limit / unit else { throw invalid }
            var term = whole * unit
            if fraction > 0 {
                term += UInt64(Double(fraction) * (Double(unit) / scale))
                guard term <= limit else { throw invalid }
            }
            total += term
            guard total <= limit else { throw invalid }
        }
        if negative {
            return total == limit ? Int64.min : -Int64(total)
        }
        guard total <= limit - 1 else { throw invalid }
        return Int64(total)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }
}

/// A duration flag value Go's `time.ParseDuration` would reject; ``description`` is Go's message.
public struct GoDurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Go's error text.
    public var message: String

    /// Go's message.
    public var description: String { self.message }
}
