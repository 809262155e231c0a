// Go-compatible number formatting and parsing. Go's expfmt writes `strconv.AppendFloat(f, 'g', -1, 64)`:
// shortest round-trip digits, exponent form iff the decimal exponent is < -4 or >= 6 (whatever the digit
// count), at least two exponent digits, `+Inf`/`-Inf`/`NaN`. Swift's `description` has the same digits
// but other thresholds and spellings, so only its digits are used here.

/// Go-compatible float formatting and parsing on UTF-8 bytes.
package enum GoFloat {
    /// Appends `value` as Go's `strconv.FormatFloat(value, 'g', -1, 64)` (and `fmt.Sprint`) writes it.
    @inlinable
    package static func append(_ value: Double, to buffer: inout [UInt8]) {
        if value.isNaN {
            buffer.append(contentsOf: [0x4E, 0x61, 0x4E])  // NaN
            return
        }
        if value.isInfinite {
            buffer.append(value < 0 ? 0x2D : 0x2B)
            buffer.append(contentsOf: [0x49, 0x6E, 0x66])  // Inf
            return
        }
        if value.sign == .minus {
            buffer.append(0x2D)
        }
        let magnitude = value.magnitude
        // Integers below 2^53 print their own digits: the shortest representation of an integer is the
        // integer itself with trailing zeros moved into the exponent.
        if magnitude < 9_007_199_254_740_992, magnitude.rounded(.towardZero) == magnitude {
            self.appendInteger(UInt64(magnitude), to: &buffer)
            return
        }
        self.appendShortest(magnitude, to: &buffer)
    }

    /// Appends `value` as Go's expfmt `writeFloat` does: like ``append(_:to:)`` but `-0` prints as `0`.
    @inlinable
    package static func appendExposition(_ value: Double, to buffer: inout [UInt8]) {
        if value == 0 {
            buffer.append(0x30)
        } else {
            self.append(value, to: &buffer)
        }
    }

    /// Formats `value` as Go's `strconv.FormatFloat(value, 'g', -1, 64)`.
    package static func format(_ value: Double) -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(24)
        self.append(value, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @usableFromInline
    static func appendInteger(_ integer: UInt64, to buffer: inout [UInt8]) {
        if integer == 0 {
            buffer.append(0x30)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            var rest = integer
            while rest > 0 {
                digits[19 - count] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
                count += 1
            }
            let first = 20 - count
            var significant = count
            while significant > 1 && digits[first + significant - 1] == 0x30 {
                significant -= 1
            }
            self.appendDigits(UnsafeBufferPointer(rebasing: digits[first..<(first + significant)]), decimalPoint: count, to: &buffer)
        }
    }

    @usableFromInline
    static func appendShortest(_ magnitude: Double, to buffer: inout [UInt8]) {
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
                self.appendDigits(UnsafeBufferPointer(rebasing: digits[first..<last]), decimalPoint: decimalPoint, to: &buffer)
            }
        }
    }

    /// Writes digits `d1 d2 … dn` with the decimal point after `decimalPoint` digits in Go's `%g` layout.
    @usableFromInline
    static func appendDigits(_ digits: UnsafeBufferPointer<UInt8>, decimalPoint: Int, to buffer: inout [UInt8]) {
        let exponent = decimalPoint - 1
        if exponent < -4 || exponent >= 6 {
            // %e with the shortest digits: d.ddde±XX
            buffer.append(digits[0])
            if digits.count > 1 {
                buffer.append(0x2E)
                buffer.append(contentsOf: digits[1...])
            }
            buffer.append(0x65)
            buffer.append(exponent < 0 ? 0x2D : 0x2B)
            let magnitude = exponent.magnitude
            if magnitude < 10 {
                buffer.append(0x30)
                buffer.append(UInt8(magnitude) &+ 0x30)
            } else if magnitude < 100 {
                buffer.append(UInt8(magnitude / 10) &+ 0x30)
                buffer.append(UInt8(magnitude % 10) &+ 0x30)
            } else {
                buffer.append(UInt8(magnitude / 100) &+ 0x30)
                buffer.append(UInt8(magnitude / 10 % 10) &+ 0x30)
                buffer.append(UInt8(magnitude % 10) &+ 0x30)
            }
            return
        }
        // %f with exactly the digits needed.
        if decimalPoint <= 0 {
            buffer.append(0x30)
            buffer.append(0x2E)
            for _ in 0..<(-decimalPoint) {
                buffer.append(0x30)
            }
            buffer.append(contentsOf: digits)
            return
        }
        if digits.count <= decimalPoint {
            buffer.append(contentsOf: digits)
            for _ in 0..<(decimalPoint - digits.count) {
                buffer.append(0x30)
            }
            return
        }
        buffer.append(contentsOf: digits[0..<decimalPoint])
        buffer.append(0x2E)
        buffer.append(contentsOf: digits[decimalPoint...])
    }
}
