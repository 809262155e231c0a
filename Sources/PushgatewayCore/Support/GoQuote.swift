// Go's `%q` verb, which upstream error messages use: strconv.Quote for strings (raw bytes, so invalid
// UTF-8 shows as \xNN) and strconv.QuoteRune for single bytes (which Go widens to a rune U+0000…U+00FF).

/// Go-compatible quoting for error messages.
package enum GoQuote {
    /// Quotes bytes as Go's `strconv.Quote` does.
    package static func string(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = [0x22]
        let array = Array(bytes)
        var index = 0
        while index < array.count {
            let byte = array[index]
            if byte < 0x80 {
                self.appendASCII(byte, quote: 0x22, to: &out)
                index += 1
                continue
            }
            if let (scalar, length) = self.decodeScalar(array, at: index) {
                self.appendScalar(scalar, encoded: array[index..<(index + length)], to: &out)
                index += length
            } else {
                self.appendHexByte(byte, to: &out)
                index += 1
            }
        }
        out.append(0x22)
        return Swift.String(decoding: out, as: UTF8.self)
    }

    /// Quotes a string as Go's `strconv.Quote` does.
    package static func string(_ text: String) -> String {
        self.string(Array(text.utf8))
    }

    /// Quotes one byte as Go's `%q` on a `byte` does: a single-quoted rune literal.
    package static func byte(_ byte: UInt8) -> String {
        var out: [UInt8] = [0x27]
        if byte < 0x80 {
            self.appendASCII(byte, quote: 0x27, to: &out)
        } else {
            let scalar = Unicode.Scalar(byte)
            self.appendScalar(scalar, encoded: Array(Swift.String(scalar).utf8)[...], to: &out)
        }
        out.append(0x27)
        return Swift.String(decoding: out, as: UTF8.self)
    }

    private static func appendASCII(_ byte: UInt8, quote: UInt8, to out: inout [UInt8]) {
        switch byte {
        case quote, 0x5C:
            out.append(0x5C)
            out.append(byte)
        case 0x07: out.append(contentsOf: [0x5C, 0x61])
        case 0x08: out.append(contentsOf: [0x5C, 0x62])
        case 0x0C: out.append(contentsOf: [0x5C, 0x66])
        case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
        case 0x0D: out.append(contentsOf: [0x5C, 0x72])
        case 0x09: out.append(contentsOf: [0x5C, 0x74])
        case 0x0B: out.append(contentsOf: [0x5C, 0x76])
        case 0x20...0x7E: out.append(byte)
        default: self.appendHexByte(byte, to: &out)
        }
    }

    private static func appendHexByte(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(contentsOf: [0x5C, 0x78])
        self.appendHex(UInt32(byte), digits: 2, to: &out)
    }

    private static func appendHex(_ value: UInt32, digits: Int, to out: inout [UInt8]) {
        HexDigits.appendLower(value, digits: digits, to: &out)
    }

    private static func appendScalar(_ scalar: Unicode.Scalar, encoded: ArraySlice<UInt8>, to out: inout [UInt8]) {
        if self.isPrintable(scalar) {
            out.append(contentsOf: encoded)
        } else if scalar.value < 0x10000 {
            out.append(contentsOf: [0x5C, 0x75])
            self.appendHex(scalar.value, digits: 4, to: &out)
        } else {
            out.append(contentsOf: [0x5C, 0x55])
            self.appendHex(scalar.value, digits: 8, to: &out)
        }
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
            .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return scalar == " "
        default:
            return true
        }
    }

    /// Decodes one well-formed UTF-8 scalar at `index`, as Go's utf8.DecodeRune accepts it.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        var iterator = bytes[index...].makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar):
            return (scalar, UTF8.width(scalar))
        case .emptyInput, .error:
            return nil
        }
    }
}
