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
        var writer = Writer(multiline: multiline)
        Array(message).withUnsafeBytes { writer.message($0, schema: .metricFamily, depth: 0) }
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

    private struct Writer {
        let multiline: Bool
        var output: [UInt8] = []

        init(multiline: Bool) {
            self.multiline = multiline
        }

        mutating func message(_ bytes: UnsafeRawBufferPointer, schema: Schema, depth: Int) {
            let fields = Self.fields(of: bytes)
            for field in schema.fields {
                for value in fields where value.number == field.number {
                    self.field(field.name, field.kind, value.value, depth: depth)
                }
            }
        }

        private mutating func field(_ name: String, _ kind: Kind, _ value: WireFieldReader.Value, depth: Int) {
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

        private mutating func scalar(_ kind: Kind, _ value: WireFieldReader.Value) {
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
        private static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to output: inout [UInt8]) {
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
                    output.append(contentsOf: [0x5C, 0x78])
                    HexDigits.append(byte, uppercase: false, to: &output)
                default: output.append(byte)
                }
            }
            output.append(0x22)
        }

        /// The fields of a message in wire order; reading stops at the first malformed field.
        private static func fields(of bytes: UnsafeRawBufferPointer) -> [(number: UInt64, value: WireFieldReader.Value)] {
            var result: [(number: UInt64, value: WireFieldReader.Value)] = []
            var reader = WireFieldReader(bytes)
            while !reader.isAtEnd, let field = try? reader.field() {
                result.append(field)
            }
            return result
        }

        /// The elements of a packed repeated scalar field.
        private static func unpack(_ bytes: UnsafeRawBufferPointer, kind: Kind) -> [WireFieldReader.Value] {
            var elements: [WireFieldReader.Value] = []
            var reader = WireFieldReader(bytes)
            while !reader.isAtEnd {
                if case .double = kind {
                    guard let bits = try? reader.fixed(8) else { break }
                    elements.append(.fixed64(bits))
                } else {
                    guard let value = try? reader.varint() else { break }
                    elements.append(.varint(value))
                }
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
