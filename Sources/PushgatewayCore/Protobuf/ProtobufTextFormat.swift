// The protobuf text format of `MetricFamily` messages, for scrapes negotiated with `encoding=text` or
// `encoding=compact-text`. Upstream writes them with Go's prototext (`prototext.Format` per family, and the
// message's `String()` for compact text), which inserts random extra spaces so that nobody depends on the
// bytes; this writer produces the same layout without them. It reads the wire bytes the store already holds,
// so what it prints is exactly what the protobuf scrape carries: fields in declaration order of
// `Proto/metrics.proto`, optional fields only when present, unknown fields left out (as prototext does).

/// Writes `MetricFamily` messages in the protobuf text format.
package enum ProtobufTextFormat {
    /// Appends `message` (one `MetricFamily`, without length prefix) to `buffer` as `prototext.Format` writes
    /// it when `multiline` (one field per line, two-space indentation, a line feed after each), else as the
    /// message's `String()` (one line, no line feed).
    package static func appendFamily(_ message: some Collection<UInt8>, multiline: Bool, to buffer: inout [UInt8]) {
        let bytes = Array(message)
        var writer = Writer(multiline: multiline)
        writer.message(bytes[...], schema: .metricFamily, depth: 0)
        if !multiline && writer.output.last == 0x20 {
            // Compact output separates fields by a space; the last one's goes.
            writer.output.removeLast()
        }
        buffer.append(contentsOf: writer.output)
    }

    /// How a field's value is written.
    enum Kind: Sendable {
        case string, double, uint64, int64, int32, sint32, sint64, uint32, metricType
        case message(Schema)
    }

    /// The fields of one message type, in declaration order.
    struct Schema: Sendable {
        let fields: [(number: UInt64, name: String, kind: Kind)]

        static let labelPair = Schema(fields: [(1, "name", .string), (2, "value", .string)])
        static let timestamp = Schema(fields: [(1, "seconds", .int64), (2, "nanos", .int32)])
        static let exemplar = Schema(fields: [
            (1, "label", .message(.labelPair)), (2, "value", .double), (3, "timestamp", .message(.timestamp)),
        ])
        static let gauge = Schema(fields: [(1, "value", .double)])
        static let counter = Schema(fields: [
            (1, "value", .double), (2, "exemplar", .message(.exemplar)), (3, "created_timestamp", .message(.timestamp)),
        ])
        static let quantile = Schema(fields: [(1, "quantile", .double), (2, "value", .double)])
        static let summary = Schema(fields: [
            (1, "sample_count", .uint64), (2, "sample_sum", .double), (3, "quantile", .message(.quantile)),
            (4, "created_timestamp", .message(.timestamp)),
        ])
        static let untyped = Schema(fields: [(1, "value", .double)])
        static let bucket = Schema(fields: [
            (1, "cumulative_count", .uint64), (4, "cumulative_count_float", .double), (2, "upper_bound", .double),
            (3, "exemplar", .message(.exemplar)),
        ])
        static let bucketSpan = Schema(fields: [(1, "offset", .sint32), (2, "length", .uint32)])
        static let histogram = Schema(fields: [
            (1, "sample_count", .uint64), (4, "sample_count_float", .double), (2, "sample_sum", .double),
            (3, "bucket", .message(.bucket)), (15, "created_timestamp", .message(.timestamp)), (5, "schema", .sint32),
            (6, "zero_threshold", .double), (7, "zero_count", .uint64), (8, "zero_count_float", .double),
            (9, "negative_span", .message(.bucketSpan)), (10, "negative_delta", .sint64), (11, "negative_count", .double),
            (12, "positive_span", .message(.bucketSpan)), (13, "positive_delta", .sint64), (14, "positive_count", .double),
            (16, "exemplars", .message(.exemplar)),
        ])
        static let metric = Schema(fields: [
            (1, "label", .message(.labelPair)), (2, "gauge", .message(.gauge)), (3, "counter", .message(.counter)),
            (4, "summary", .message(.summary)), (5, "untyped", .message(.untyped)), (7, "histogram", .message(.histogram)),
            (6, "timestamp_ms", .int64),
        ])
        static let metricFamily = Schema(fields: [
            (1, "name", .string), (2, "help", .string), (3, "type", .metricType), (4, "metric", .message(.metric)),
            (5, "unit", .string),
        ])
    }

    /// One field occurrence on the wire: a varint, a fixed 64- or 32-bit value, or length-delimited bytes.
    private enum WireValue {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    private struct Writer {
        let multiline: Bool
        var output: [UInt8] = []

        init(multiline: Bool) {
            self.multiline = multiline
        }

        mutating func message(_ bytes: ArraySlice<UInt8>, schema: Schema, depth: Int) {
            let fields = Self.fields(of: bytes)
            for field in schema.fields {
                for value in fields where value.number == field.number {
                    self.field(field.name, field.kind, value.value, depth: depth)
                }
            }
        }

        private mutating func field(_ name: String, _ kind: Kind, _ value: WireValue, depth: Int) {
            // A packed repeated scalar (length-delimited where a number is expected) is one field per element.
            if case .bytes(let packed) = value, !Self.isLengthDelimited(kind) {
                for element in Self.unpack(packed, kind: kind) {
                    self.field(name, kind, element, depth: depth)
                }
                return
            }
            if self.multiline {
                self.output.append(contentsOf: repeatElement(0x20, count: 2 * depth))
            }
            self.output.append(contentsOf: name.utf8)
            if case .message(let schema) = kind {
                self.output.append(contentsOf: self.multiline ? Array(": {\n".utf8) : Array(":{".utf8))
                if case .bytes(let bytes) = value {
                    self.message(bytes, schema: schema, depth: depth + 1)
                }
                if self.multiline {
                    self.output.append(contentsOf: repeatElement(0x20, count: 2 * depth))
                } else if self.output.last == 0x20 {
                    self.output.removeLast()
                }
                self.output.append(0x7D)
            } else {
                self.output.append(contentsOf: self.multiline ? [0x3A, 0x20] : [0x3A])
                self.scalar(kind, value)
            }
            self.output.append(self.multiline ? 0x0A : 0x20)
        }

        private mutating func scalar(_ kind: Kind, _ value: WireValue) {
            switch (kind, value) {
            case (.string, .bytes(let bytes)):
                Self.appendQuoted(bytes, to: &self.output)
            case (.double, .fixed64(let bits)):
                let double = Double(bitPattern: bits)
                if double.isNaN {
                    self.output.append(contentsOf: "nan".utf8)
                } else if double.isInfinite {
                    self.output.append(contentsOf: (double < 0 ? "-inf" : "inf").utf8)
                } else {
                    GoFloat.append(double, to: &self.output)
                }
            case (.uint64, .varint(let raw)), (.uint32, .varint(let raw)):
                self.output.append(contentsOf: String(kind.isUInt32 ? UInt64(UInt32(truncatingIfNeeded: raw)) : raw).utf8)
            case (.int64, .varint(let raw)):
                self.output.append(contentsOf: String(Int64(bitPattern: raw)).utf8)
            case (.int32, .varint(let raw)):
                self.output.append(contentsOf: String(Int32(truncatingIfNeeded: raw)).utf8)
            case (.sint32, .varint(let raw)), (.sint64, .varint(let raw)):
                let decoded = Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
                self.output.append(contentsOf: String(kind.isSInt32 ? Int64(Int32(truncatingIfNeeded: decoded)) : decoded).utf8)
            case (.metricType, .varint(let raw)):
                let name = Int32(exactly: raw).flatMap(MetricType.init(rawValue:))?.protobufName ?? String(raw)
                self.output.append(contentsOf: name.utf8)
            default:
                // A wire type that does not fit the field: our own encoder never writes one; print nothing
                // readable rather than guess.
                self.output.append(contentsOf: "?".utf8)
            }
        }

        private static func isLengthDelimited(_ kind: Kind) -> Bool {
            switch kind {
            case .string, .message: true
            default: false
            }
        }

        /// Go's prototext string quoting: printable UTF-8 as it is, `"` `\` and control bytes escaped.
        private static func appendQuoted(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
            output.append(0x22)
            let valid = String(validating: bytes, as: UTF8.self) != nil
            for byte in bytes {
                switch byte {
                case 0x22: output.append(contentsOf: [0x5C, 0x22])
                case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: output.append(contentsOf: [0x5C, 0x72])
                case 0x09: output.append(contentsOf: [0x5C, 0x74])
                case _ where byte < 0x20 || byte == 0x7F || (byte >= 0x80 && !valid):
                    let hex = Array("0123456789abcdef".utf8)
                    output.append(contentsOf: [0x5C, 0x78, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: output.append(byte)
                }
            }
            output.append(0x22)
        }

        /// The fields of a message in wire order; parsing stops at the first malformed field.
        private static func fields(of bytes: ArraySlice<UInt8>) -> [(number: UInt64, value: WireValue)] {
            var result: [(number: UInt64, value: WireValue)] = []
            var position = bytes.startIndex
            func varint() -> UInt64? {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while position < bytes.endIndex, shift < 64 {
                    let byte = bytes[position]
                    position += 1
                    value |= UInt64(byte & 0x7F) << shift
                    if byte & 0x80 == 0 { return value }
                    shift += 7
                }
                return nil
            }
            func fixed(_ size: Int) -> UInt64? {
                guard bytes.endIndex - position >= size else { return nil }
                var value: UInt64 = 0
                for index in 0..<size {
                    value |= UInt64(bytes[position + index]) << (8 * UInt64(index))
                }
                position += size
                return value
            }
            while position < bytes.endIndex {
                guard let tag = varint() else { break }
                let value: WireValue
                switch tag & 7 {
                case 0:
                    guard let raw = varint() else { return result }
                    value = .varint(raw)
                case 1:
                    guard let raw = fixed(8) else { return result }
                    value = .fixed64(raw)
                case 5:
                    guard let raw = fixed(4) else { return result }
                    value = .fixed32(UInt32(truncatingIfNeeded: raw))
                case 2:
                    guard let length = varint(), length <= UInt64(bytes.endIndex - position) else { return result }
                    value = .bytes(bytes[position..<(position + Int(length))])
                    position += Int(length)
                default:
                    return result
                }
                result.append((tag >> 3, value))
            }
            return result
        }

        /// The elements of a packed repeated scalar field.
        private static func unpack(_ bytes: ArraySlice<UInt8>, kind: Kind) -> [WireValue] {
            var elements: [WireValue] = []
            var position = bytes.startIndex
            if case .double = kind {
                while bytes.endIndex - position >= 8 {
                    var bits: UInt64 = 0
                    for index in 0..<8 {
                        bits |= UInt64(bytes[position + index]) << (8 * UInt64(index))
                    }
                    elements.append(.fixed64(bits))
                    position += 8
                }
                return elements
            }
            while position < bytes.endIndex {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while position < bytes.endIndex, shift < 64 {
                    let byte = bytes[position]
                    position += 1
                    value |= UInt64(byte & 0x7F) << shift
                    if byte & 0x80 == 0 { break }
                    shift += 7
                }
                elements.append(.varint(value))
            }
            return elements
        }
    }
}

extension ProtobufTextFormat.Kind {
    fileprivate var isUInt32: Bool {
        if case .uint32 = self { return true }
        return false
    }

    fileprivate var isSInt32: Bool {
        if case .sint32 = self { return true }
        return false
    }
}
