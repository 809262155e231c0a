// The one home of hexadecimal digits: every writer of `%XX`, `\xXX` or `\u00XX` escapes and every reader of
// them goes through here, instead of a digit table per file.

/// ASCII hexadecimal digits, both ways.
package enum HexDigits {
    /// The lower-case digit of the low four bits of `nibble`.
    @inline(__always)
    package static func lower(_ nibble: UInt8) -> UInt8 {
        let value = nibble & 0xF
        return value < 10 ? 0x30 + value : 0x61 - 10 + value
    }

    /// The upper-case digit of the low four bits of `nibble`.
    @inline(__always)
    package static func upper(_ nibble: UInt8) -> UInt8 {
        let value = nibble & 0xF
        return value < 10 ? 0x30 + value : 0x41 - 10 + value
    }

    /// Appends `byte` as two digits, the high four bits first.
    @inline(__always)
    package static func append(_ byte: UInt8, uppercase: Bool, to buffer: inout [UInt8]) {
        if uppercase {
            buffer.append(self.upper(byte >> 4))
            buffer.append(self.upper(byte))
        } else {
            buffer.append(self.lower(byte >> 4))
            buffer.append(self.lower(byte))
        }
    }

    /// Appends the last `digits` hexadecimal digits of `value` in lower case, zero-padded.
    package static func appendLower(_ value: UInt32, digits: Int, to buffer: inout [UInt8]) {
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            buffer.append(self.lower(UInt8(truncatingIfNeeded: value >> UInt32(shift))))
        }
    }

    /// The value of a hexadecimal digit (either case); nil for any other byte.
    @inline(__always)
    package static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
