private let asciiLineFeed: UInt8 = 0x0A
private let asciiCarriageReturn: UInt8 = 0x0D
private let asciiEquals: UInt8 = 0x3D
private let asciiUnderscore: UInt8 = 0x5F

/// Go's `base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))`, as upstream's `decodeBase64` calls it.
enum Base64URL {
    /// Decodes `input`; on error also returns what Go returns with it.
    ///
    /// - Returns: The decoded bytes — on error only the complete 4-character quanta before the bad one, which
    ///   Go returns alongside the error — and the offset Go reports (`illegal base64 data at input byte N`):
    ///   the first byte outside the URL-safe alphabet, or for a single leftover character, its index (line
    ///   feeds and carriage returns, which Go skips, count towards that index).
    static func decode(_ input: ArraySlice<UInt8>) -> (bytes: [UInt8], errorOffset: Int?) {
        var end = input.endIndex
        while end > input.startIndex && input[end - 1] == asciiEquals {
            end -= 1
        }
        let source = input[input.startIndex..<end]
        var output: [UInt8] = []
        output.reserveCapacity(source.count * 3 / 4)
        var index = 0
        while index < source.count {
            var quantum: UInt32 = 0
            var characters = 0
            quantumLoop: while characters < 4 {
                guard index < source.count else {
                    if characters == 0 { return (output, nil) }
                    if characters == 1 { return (output, index - characters) }
                    break quantumLoop
                }
                let byte = source[source.startIndex + index]
                index += 1
                if let value = self.value(of: byte) {
                    quantum = quantum << 6 | value
                    characters += 1
                } else if byte != asciiLineFeed && byte != asciiCarriageReturn {
                    return (output, index - 1)
                }
            }
            quantum <<= 6 * UInt32(4 - characters)
            output.append(UInt8(truncatingIfNeeded: quantum >> 16))
            if characters > 2 { output.append(UInt8(truncatingIfNeeded: quantum >> 8)) }
            if characters > 3 { output.append(UInt8(truncatingIfNeeded: quantum)) }
        }
        return (output, nil)
    }

    /// The 6-bit value of a base64url character (`A–Z a–z 0–9 - _`).
    private static func value(of byte: UInt8) -> UInt32? {
        switch byte {
        case 0x41...0x5A: UInt32(byte - 0x41)
        case 0x61...0x7A: UInt32(byte - 0x61 + 26)
        case 0x30...0x39: UInt32(byte - 0x30 + 52)
        case 0x2D: 62
        case asciiUnderscore: 63
        default: nil
        }
    }
}
