// The one home of upstream's legacy name rules (prometheus/common model: IsValidLegacyMetricName and the
// legacy label name rule), which the text parser, the text writer, name escaping and the grouping path all
// apply. Bytes, not characters: every allowed character is ASCII, so a multi-byte scalar is never allowed.

/// Upstream's legacy metric and label name rules.
package enum LegacyName {
    /// Whether `byte` may appear in a legacy name: a letter, `_`, a digit unless `first`, and `:` if
    /// `allowColon` (metric names).
    @inline(__always)
    package static func isNameByte(_ byte: UInt8, first: Bool, allowColon: Bool) -> Bool {
        let lower = byte | 0x20
        return (lower >= 0x61 && lower <= 0x7A) || byte == 0x5F || (allowColon && byte == 0x3A)
            || (!first && byte >= 0x30 && byte <= 0x39)
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (`allowColon`) or `[a-zA-Z_][a-zA-Z0-9_]*`; never the empty name.
    @inline(__always)
    package static func isValid(_ bytes: UnsafeBufferPointer<UInt8>, allowColon: Bool) -> Bool {
        guard !bytes.isEmpty else { return false }
        var first = true
        for byte in bytes {
            guard self.isNameByte(byte, first: first, allowColon: allowColon) else { return false }
            first = false
        }
        return true
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, upstream's IsValidLegacyMetricName (which name escaping and the text
    /// writer apply to label names too).
    @inline(__always)
    package static func isValidMetricName(_ name: String) -> Bool {
        withUTF8Bytes(name) { self.isValid($0, allowColon: true) }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, upstream's legacy label name rule.
    @inline(__always)
    package static func isValidLabelName(_ name: String) -> Bool {
        withUTF8Bytes(name) { self.isValid($0, allowColon: false) }
    }

    /// The metric name rule on bytes.
    package static func isValidMetricName(_ bytes: some Collection<UInt8>) -> Bool {
        self.isValid(bytes, allowColon: true)
    }

    /// The label name rule on bytes.
    package static func isValidLabelName(_ bytes: some Collection<UInt8>) -> Bool {
        self.isValid(bytes, allowColon: false)
    }

    private static func isValid(_ bytes: some Collection<UInt8>, allowColon: Bool) -> Bool {
        if let result = bytes.withContiguousStorageIfAvailable({ self.isValid($0, allowColon: allowColon) }) {
            return result
        }
        return Array(bytes).withUnsafeBufferPointer { self.isValid($0, allowColon: allowColon) }
    }
}
