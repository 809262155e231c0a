// Go's time.Time JSON form is the RFC3339Nano layout ("2006-01-02T15:04:05.999999999Z07:00"). Upstream writes
// the server's local offset; we always write UTC ("Z"), as the gateway runs in UTC (containers, TZ unset).

/// Go's `time.RFC3339Nano` layout for a ``Timestamp``, in UTC.
package enum RFC3339Nano {
    /// Appends `timestamp` as `YYYY-MM-DDTHH:MM:SS[.fraction]Z`: the fraction has up to nine digits, trailing
    /// zeros trimmed, and is left out (with its dot) for whole seconds.
    ///
    /// Upstream refuses to marshal years outside 0...9999; here such a year is written as Go's `Format` does
    /// (at least four digits, a leading `-` when negative). Nanoseconds outside 0..<1e9 carry into the seconds,
    /// and seconds near the ends of `Int64` wrap rather than trap.
    package static func append(_ timestamp: Timestamp, to buffer: inout [UInt8]) {
        self.append(timestamp, milliseconds: false, to: &buffer)
    }

    /// promlog's log timestamp, `2006-01-02T15:04:05.000Z`: always three fraction digits, truncated.
    package static func formatMilliseconds(_ timestamp: Timestamp) -> String {
        var buffer: [UInt8] = []
        self.append(timestamp, milliseconds: true, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func append(_ timestamp: Timestamp, milliseconds: Bool, to buffer: inout [UInt8]) {
        let nanosPerSecond: Int64 = 1_000_000_000
        var seconds = timestamp.seconds
        var nanos = Int64(timestamp.nanos)
        if nanos < 0 || nanos >= nanosPerSecond {
            seconds &+= self.floorDivide(nanos, nanosPerSecond)
            nanos -= self.floorDivide(nanos, nanosPerSecond) * nanosPerSecond
        }
        let days = self.floorDivide(seconds, 86_400)
        // Wrapping: near Int64.min the product leaves the range, the difference (0..<86400) does not.
        let secondOfDay = seconds &- days &* 86_400
        let (year, month, day) = self.civilDate(daysSinceEpoch: days)

        if year < 0 {
            buffer.append(0x2D)
        }
        self.appendDigits(UInt64(year.magnitude), width: 4, to: &buffer)
        buffer.append(0x2D)
        self.appendDigits(UInt64(month), width: 2, to: &buffer)
        buffer.append(0x2D)
        self.appendDigits(UInt64(day), width: 2, to: &buffer)
        buffer.append(0x54)
        self.appendDigits(UInt64(secondOfDay / 3600), width: 2, to: &buffer)
        buffer.append(0x3A)
        self.appendDigits(UInt64(secondOfDay / 60 % 60), width: 2, to: &buffer)
        buffer.append(0x3A)
        self.appendDigits(UInt64(secondOfDay % 60), width: 2, to: &buffer)
        if milliseconds {
            buffer.append(0x2E)
            self.appendDigits(UInt64(nanos / 1_000_000), width: 3, to: &buffer)
        } else if nanos != 0 {
            var fraction = nanos
            var width = 9
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            buffer.append(0x2E)
            self.appendDigits(UInt64(fraction), width: width, to: &buffer)
        }
        buffer.append(0x5A)
    }

    /// Formats `timestamp` as ``append(_:to:)`` writes it.
    package static func format(_ timestamp: Timestamp) -> String {
        var buffer: [UInt8] = []
        self.append(timestamp, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`:
    /// 400-year eras of 146097 days, years starting on March 1 so the leap day comes last).
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days from 0000-03-01
        let era = self.floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097  // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365, from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0...11, March is 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ dividend: Int64, _ divisor: Int64) -> Int64 {
        let quotient = dividend / divisor
        return dividend % divisor < 0 ? quotient - 1 : quotient
    }

    /// Appends `value` in decimal, zero-padded to at least `width` digits.
    private static func appendDigits(_ value: UInt64, width: Int, to buffer: inout [UInt8]) {
        let digits = String(value).utf8
        if digits.count < width {
            buffer.append(contentsOf: repeatElement(0x30, count: width - digits.count))
        }
        buffer.append(contentsOf: digits)
    }
}
