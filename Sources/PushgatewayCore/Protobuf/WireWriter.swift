// The one writer of raw protobuf wire format in pure Swift, the counterpart of WireFieldReader (protobuf-c
// packs whole messages): the places that assemble a message from parts that are already encoded (the store's
// `MetricFamily` messages from cached `Metric` bytes, the exposition's family headers, the delimited framing)
// write their varints, tags and length prefixes through it.

/// A protobuf wire type, the low three bits of a field's tag.
package enum WireType: UInt8, Sendable {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// Field numbers of the `io.prometheus.client` messages that are assembled by hand (see Proto/metrics.proto).
package enum WireField {
    /// `MetricFamily`, in the order Go marshals it.
    package enum MetricFamily {
        package static let name: UInt32 = 1
        package static let help: UInt32 = 2
        package static let type: UInt32 = 3
        package static let metric: UInt32 = 4
        package static let unit: UInt32 = 5
    }

    /// `Metric`.
    package enum Metric {
        package static let label: UInt32 = 1
    }

    /// `LabelPair`.
    package enum LabelPair {
        package static let name: UInt32 = 1
        package static let value: UInt32 = 2
    }
}

/// Appends protobuf wire format to a byte buffer.
package enum WireWriter {
    /// The longest varint: 64 bits in groups of 7.
    package static let maximumVarintSize = 10

    /// Appends `value` as an unsigned varint.
    package static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }

    /// Writes `value` as an unsigned varint at `output`, which must have room for ``maximumVarintSize`` bytes,
    /// and returns the number of bytes written.
    package static func writeVarint(_ value: UInt64, to output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var rest = value
        var count = 0
        while rest >= 0x80 {
            output[count] = UInt8(truncatingIfNeeded: rest) | 0x80
            rest >>= 7
            count += 1
        }
        output[count] = UInt8(rest)
        return count + 1
    }

    /// Appends the tag of field `number` with `wireType`.
    package static func appendTag(_ number: UInt32, _ wireType: WireType, to buffer: inout [UInt8]) {
        Self.appendVarint(UInt64(number) << 3 | UInt64(wireType.rawValue), to: &buffer)
    }

    /// Appends a tag with a raw wire type, as unknown fields carry it.
    package static func appendTag(_ number: UInt32, rawWireType: UInt32, to buffer: inout [UInt8]) {
        Self.appendVarint(UInt64(number) << 3 | UInt64(rawWireType & 7), to: &buffer)
    }

    /// Appends field `number` as a varint field.
    package static func appendVarintField(_ number: UInt32, _ value: UInt64, to buffer: inout [UInt8]) {
        Self.appendTag(number, .varint, to: &buffer)
        Self.appendVarint(value, to: &buffer)
    }

    /// Appends field `number` as a length-delimited field holding `bytes`.
    package static func appendLengthDelimited(_ number: UInt32, _ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) {
        Self.appendTag(number, .lengthDelimited, to: &buffer)
        Self.appendVarint(UInt64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
    }

    /// Appends field `number` as a length-delimited field holding the bytes at `bytes`.
    package static func appendLengthDelimited(_ number: UInt32, _ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        Self.appendTag(number, .lengthDelimited, to: &buffer)
        Self.appendVarint(UInt64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
    }

    /// Appends field `number` as a `double` (fixed64, little-endian).
    package static func appendDouble(_ number: UInt32, _ value: Double, to buffer: inout [UInt8]) {
        Self.appendTag(number, .fixed64, to: &buffer)
        let bits = value.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) {
            buffer.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    /// The size of `value` as a varint.
    package static func varintSize(_ value: UInt64) -> Int {
        max(1, (64 - value.leadingZeroBitCount + 6) / 7)
    }

    /// The size of field `number` as a length-delimited field with `count` bytes of payload.
    package static func lengthDelimitedSize(_ number: UInt32, count: Int) -> Int {
        Self.varintSize(UInt64(number) << 3) + Self.varintSize(UInt64(count)) + count
    }

    /// The size of field `number` as a varint field holding `value`.
    package static func varintFieldSize(_ number: UInt32, _ value: UInt64) -> Int {
        Self.varintSize(UInt64(number) << 3) + Self.varintSize(value)
    }
}
