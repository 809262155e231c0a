// Go-compatible number formatting and parsing. Go's expfmt writes `strconv.AppendFloat(f, 'g', -1, 64)`:
// shortest round-trip digits, exponent form iff the decimal exponent is < -4 or >= 6 (whatever the digit
// count), at least two exponent digits, `+Inf`/`-Inf`/`NaN`. Swift's `description` has the same digits
// but other thresholds and spellings, so only its digits are used here.

/// Go-compatible float formatting and parsing on UTF-8 bytes.
package enum GoFloat {
    /// The most bytes ``write(_:to:)`` writes (`-1.2345678901234567e-308`).
    package static let maxLength = 32

    /// Appends `value` as Go's `strconv.FormatFloat(value, 'g', -1, 64)` (and `fmt.Sprint`) writes it.

    package static func append(_ value: Double, to buffer: inout [UInt8]) {
        buffer.appendWithWriter(upperBound: self.maxLength) { self.write(value, to: &$0) }
    }

    /// Appends `value` as Go's expfmt `writeFloat` does: like ``append(_:to:)`` but `-0` prints as `0`.

    package static func appendExposition(_ value: Double, to buffer: inout [UInt8]) {
        buffer.appendWithWriter(upperBound: self.maxLength) { self.writeExposition(value, to: &$0) }
    }

    /// Formats `value` as Go's `strconv.FormatFloat(value, 'g', -1, 64)`.
    package static func format(_ value: Double) -> String {
        var buffer: [UInt8] = []
        self.append(value, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// Writes `value` as expfmt's `writeFloat`: `-0` as `0`, otherwise as ``write(_:to:)``.
    @inline(__always)
    static func writeExposition(_ value: Double, to writer: inout ByteWriter) {
        if value == 0 {
            writer.write(0x30)
        } else {
            self.write(value, to: &writer)
        }
    }

    /// Writes at most ``maxLength`` bytes.
    static func write(_ value: Double, to writer: inout ByteWriter) {
        if value.isNaN {
            writer.write("NaN")
            return
        }
        if value.isInfinite {
            writer.write(value < 0 ? "-Inf" : "+Inf")
            return
        }
        if value.sign == .minus {
            writer.write(0x2D)
        }
        let magnitude = value.magnitude
        // Integers below 2^53 print their own digits: the shortest representation of an integer is the
        // integer itself with trailing zeros moved into the exponent.
        if magnitude < 9_007_199_254_740_992, magnitude.rounded(.towardZero) == magnitude {
            self.writeInteger(UInt64(magnitude), to: &writer)
            return
        }
        self.writeShortest(magnitude, to: &writer)
    }

    /// Writes an integer as `%g` does, or with `plain` all its digits (as `strconv.AppendInt`).
    static func writeInteger(_ integer: UInt64, plain: Bool = false, to writer: inout ByteWriter) {
        if integer == 0 {
            writer.write(0x30)
        } else if plain {
            self.withDigits(of: integer) { writer.write($0) }
        } else {
            self.writeDecimal(integer, fractionDigits: 0, to: &writer)
        }
    }

    /// Gives the decimal digits of `integer` (> 0) to `body`.
    private static func withDigits(of integer: UInt64, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            var rest = integer
            while rest > 0 {
                digits[19 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
                count += 1
            }
            body(UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    static func writeShortest(_ magnitude: Double, to writer: inout ByteWriter) {
        // Fast path: a decimal d / 10^k with d < 10^15 that converts back to this double is the only decimal
        // of at most 15 significant digits that does (doubles carry 15.95 digits), so it is the shortest.
        // Both d and 10^k are exact doubles, so the division is the correctly rounded conversion.
        if magnitude >= 1e-4 && magnitude < 1e15 {
            var scale = 10.0
            for fractionDigits in 1...9 {
                let scaled = magnitude * scale
                if scaled >= 1e15 { break }
                let candidate = scaled.rounded()
                if candidate / scale == magnitude {
                    self.writeDecimal(UInt64(candidate), fractionDigits: fractionDigits, to: &writer)
                    return
                }
                scale *= 10
            }
        }
        // Swift's description gives the shortest round-trip digits, as `ddd.ddd` or `d.ddde±XX`.
        var description = magnitude.description
        description.withUTF8 { text in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digits in
                var count = 0
                var integerDigits = 0
                var seenPoint = false
                var exponent = 0
                var index = 0
                while index < text.count {
                    let byte = text[index]
                    if byte == 0x2E {
                        seenPoint = true
                    } else if byte == 0x65 || byte == 0x45 {
                        var negative = false
                        index += 1
                        if index < text.count, text[index] == 0x2D || text[index] == 0x2B {
                            negative = text[index] == 0x2D
                            index += 1
                        }
                        while index < text.count {
                            exponent = exponent * 10 + Int(text[index] &- 0x30)
                            index += 1
                        }
                        if negative { exponent = -exponent }
                        break
                    } else if count < 32 {
                        digits[count] = byte
                        count += 1
                        if !seenPoint { integerDigits += 1 }
                    }
                    index += 1
                }
                // Normalise: drop leading zeros (moving the point) and trailing zeros.
                var first = 0
                while first < count - 1 && digits[first] == 0x30 {
                    first += 1
                }
                var last = count
                while last > first + 1 && digits[last - 1] == 0x30 {
                    last -= 1
                }
                let decimalPoint = integerDigits - first + exponent
                self.writeDigits(UnsafeBufferPointer(rebasing: digits[first..<last]), decimalPoint: decimalPoint, to: &writer)
            }
        }
    }

    /// Writes `integer / 10^fractionDigits` (integer > 0) in Go's `%g` layout.
    static func writeDecimal(_ integer: UInt64, fractionDigits: Int, to writer: inout ByteWriter) {
        self.withDigits(of: integer) { digits in
            var significant = digits.count
            while significant > 1 && digits[significant - 1] == 0x30 {
                significant -= 1
            }
            self.writeDigits(
                UnsafeBufferPointer(rebasing: digits[..<significant]),
                decimalPoint: digits.count - fractionDigits,
                to: &writer
            )
        }
    }

    /// Writes digits `d1 d2 … dn` with the decimal point after `decimalPoint` digits in Go's `%g` layout.
    static func writeDigits(_ digits: UnsafeBufferPointer<UInt8>, decimalPoint: Int, to writer: inout ByteWriter) {
        let exponent = decimalPoint - 1
        if exponent < -4 || exponent >= 6 {
            // %e with the shortest digits: d.ddde±XX
            writer.write(digits[0])
            if digits.count > 1 {
                writer.write(0x2E)
                writer.write(UnsafeBufferPointer(rebasing: digits[1...]))
            }
            writer.write(0x65)
            writer.write(exponent < 0 ? 0x2D : 0x2B)
            let magnitude = exponent.magnitude
            if magnitude < 10 {
                writer.write(0x30)
                writer.write(UInt8(magnitude) &+ 0x30)
            } else if magnitude < 100 {
                writer.write(UInt8(magnitude / 10) &+ 0x30)
                writer.write(UInt8(magnitude % 10) &+ 0x30)
            } else {
                writer.write(UInt8(magnitude / 100) &+ 0x30)
                writer.write(UInt8(magnitude / 10 % 10) &+ 0x30)
                writer.write(UInt8(magnitude % 10) &+ 0x30)
            }
            return
        }
        // %f with exactly the digits needed.
        if decimalPoint <= 0 {
            writer.write(0x30)
            writer.write(0x2E)
            for _ in 0..<(-decimalPoint) {
                writer.write(0x30)
            }
            writer.write(digits)
            return
        }
        if digits.count <= decimalPoint {
            writer.write(digits)
            for _ in 0..<(decimalPoint - digits.count) {
                writer.write(0x30)
            }
            return
        }
        writer.write(UnsafeBufferPointer(rebasing: digits[0..<decimalPoint]))
        writer.write(0x2E)
        writer.write(UnsafeBufferPointer(rebasing: digits[decimalPoint...]))
    }
}
