#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// Go's strconv.ParseFloat accepts decimal floats, `inf`/`infinity` with an optional sign and `nan`
// (case-insensitive), hex floats and `_` digit separators; the text parser rejects any `p`, `P` or `_`
// first, which leaves exactly: [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)? and the specials.
// Values beyond the double range are errors; values that underflow become zero or subnormal.

extension GoFloat {
    /// Parses bytes as the Go text parser's `parseFloat`; `nil` when Go would return an error.
    package static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        let count = bytes.count
        guard count > 0 else { return nil }
        if let special = self.parseSpecial(bytes) {
            return special
        }
        var index = 0
        var negative = false
        if bytes[0] == 0x2B || bytes[0] == 0x2D {
            negative = bytes[0] == 0x2D
            index = 1
        }
        // Mantissa: collect up to 19 significant digits exactly; beyond that fall back to strtod.
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var droppedDigits = false
        var fractionDigits = 0
        var sawDigit = false
        var sawPoint = false
        while index < count {
            let byte = bytes[index]
            if byte >= 0x30 && byte <= 0x39 {
                sawDigit = true
                if mantissa == 0 && byte == 0x30 {
                    if sawPoint { fractionDigits += 1 }
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(byte &- 0x30)
                    significantDigits += 1
                    if sawPoint { fractionDigits += 1 }
                } else {
                    droppedDigits = true
                    if !sawPoint { fractionDigits -= 1 }
                }
            } else if byte == 0x2E && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if index < count {
            guard bytes[index] == 0x65 || bytes[index] == 0x45 else { return nil }
            index += 1
            var exponentNegative = false
            if index < count, bytes[index] == 0x2B || bytes[index] == 0x2D {
                exponentNegative = bytes[index] == 0x2D
                index += 1
            }
            guard index < count else { return nil }
            while index < count {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                if exponent < 100_000 {
                    exponent = exponent * 10 + Int(byte &- 0x30)
                }
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        let decimalExponent = exponent - fractionDigits
        // Clinger's fast path: both the mantissa and the power of ten are exact doubles.
        if !droppedDigits, mantissa < (1 << 53), decimalExponent >= -22, decimalExponent <= 22 {
            var value = Double(mantissa)
            if decimalExponent < 0 {
                value /= exactPowersOfTen[-decimalExponent]
            } else {
                value *= exactPowersOfTen[decimalExponent]
            }
            return negative ? -value : value
        }
        if mantissa == 0 && !droppedDigits {
            return negative ? -0.0 : 0.0
        }
        return self.parseWithStrtod(bytes)
    }

    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    private static func parseSpecial(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var index = 0
        var sign = 1.0
        let first = bytes[0]
        if first == 0x2B || first == 0x2D {
            if first == 0x2D { sign = -1 }
            index = 1
        } else if first | 0x20 == 0x6E {  // n / N: only unsigned
            if bytes.count == 3, bytes[1] | 0x20 == 0x61, bytes[2] | 0x20 == 0x6E {
                return .nan
            }
            return nil
        }
        let rest = bytes.count - index
        guard rest == 3 || rest == 8, bytes[index] | 0x20 == 0x69 else { return nil }
        let word: [UInt8] = [0x69, 0x6E, 0x66, 0x69, 0x6E, 0x69, 0x74, 0x79]  // infinity
        for offset in 0..<rest where bytes[index + offset] | 0x20 != word[offset] {
            return nil
        }
        return sign * .infinity
    }

    private static func parseWithStrtod(_ bytes: UnsafeRawBufferPointer) -> Double? {
        // The grammar is already checked; strtod rounds correctly. A huge result means Go's ErrRange.
        let value: Double = withUnsafeTemporaryAllocation(of: CChar.self, capacity: bytes.count + 1) { buffer in
            for index in 0..<bytes.count {
                buffer[index] = CChar(bitPattern: bytes[index])
            }
            buffer[bytes.count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
        return value.isInfinite ? nil : value
    }

    /// Parses bytes as Go's `strconv.ParseInt(s, 10, 64)`; `nil` when Go would return an error.
    package static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        var negative = false
        guard bytes.count > 0 else { return nil }
        if bytes[0] == 0x2B || bytes[0] == 0x2D {
            negative = bytes[0] == 0x2D
            index = 1
        }
        guard index < bytes.count else { return nil }
        var magnitude: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte &- 0x30))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
