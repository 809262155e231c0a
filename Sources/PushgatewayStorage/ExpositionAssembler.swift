public import PushgatewayCore

// Writes merged families from the series' cached encodings: the text block is the header plus the
// series' lines; the protobuf message is the header fields plus each series' `Metric` bytes as field 4,
// so no metric is encoded again at scrape time. Nothing is cached per family beyond the sorted series:
// copying them is cheap, and a second copy of every series' bytes was a third of the store's memory.

/// A scrape's families, taken from the store in one consistent moment and written out in chunks, so a
/// response can stream without the whole body in memory and without holding the store's lock.
public struct Exposition: Sendable {
    /// The format the chunks are written in.
    public let format: ExpositionFormat
    let families: [MergedFamily]

    /// The exposition in chunks of about `chunkSize` bytes (a chunk ends after the series that crosses it).
    public func chunks(of chunkSize: Int = 1 << 16) -> Chunks {
        Chunks(families: self.families, format: self.format, chunkSize: max(1, chunkSize))
    }

    /// The whole exposition in one buffer.
    public var bytes: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(self.families.reduce(0) { $0 + ExpositionAssembler.estimatedSize(of: $1) })
        var chunks = self.chunks(of: Int.max)
        while let chunk = chunks.next() {
            body.append(contentsOf: chunk)
        }
        return body
    }

    /// Consecutive parts of the exposition; concatenated they are the body.
    public struct Chunks: Sequence, IteratorProtocol, Sendable {
        private let families: [MergedFamily]
        private let format: ExpositionFormat
        private let chunkSize: Int
        private var family = 0
        // The next series of the current family to write; nil before the family's header.
        private var entry: Int?

        init(families: [MergedFamily], format: ExpositionFormat, chunkSize: Int) {
            self.families = families
            self.format = format
            self.chunkSize = chunkSize
        }

        /// The next chunk, or nil after the last.
        public mutating func next() -> [UInt8]? {
            var buffer: [UInt8] = []
            if self.chunkSize < Int.max {
                buffer.reserveCapacity(self.chunkSize + 1024)
            }
            while self.family < self.families.count && buffer.count < self.chunkSize {
                let family = self.families[self.family]
                guard !family.entries.isEmpty else {
                    self.family += 1
                    continue
                }
                if self.format == .protobufText || self.format == .protobufCompactText {
                    // Debugging formats: each family is converted whole from its protobuf message.
                    ExpositionAssembler.appendProtobufText(of: family, multiline: self.format == .protobufText, to: &buffer)
                    self.family += 1
                    continue
                }
                var index = self.entry ?? 0
                if self.entry == nil {
                    ExpositionAssembler.appendHeader(of: family, format: self.format, to: &buffer)
                }
                while index < family.entries.count && buffer.count < self.chunkSize {
                    ExpositionAssembler.appendSeries(family.entries[index], format: self.format, to: &buffer)
                    index += 1
                }
                if index == family.entries.count {
                    ExpositionAssembler.appendTrailer(of: family, format: self.format, to: &buffer)
                    self.family += 1
                    self.entry = nil
                } else {
                    self.entry = index
                }
            }
            return buffer.isEmpty ? nil : buffer
        }
    }
}

enum ExpositionAssembler {
    /// An upper estimate of the family's size in either format, for reserving the body.
    static func estimatedSize(of family: MergedFamily) -> Int {
        family.entries.reduce(64 + family.name.utf8.count * 2 + (family.help?.utf8.count ?? 0)) {
            $0 + max($1.text.count, $1.protobuf.count + 4)
        }
    }

    /// What comes before the family's series: the HELP and TYPE lines, or the message's length prefix
    /// and its name, help and type fields (field order as Go marshals MetricFamily: name (1), help (2),
    /// type (3), metric (4)…, unit (5)).
    static func appendHeader(of family: MergedFamily, format: ExpositionFormat, to buffer: inout [UInt8]) {
        switch format {
        case .text:
            TextFormatEncoder.appendHeader(name: family.name, help: family.help, type: family.type, to: &buffer)
        case .protobufDelimited, .protobufText, .protobufCompactText:
            // The length prefix comes first, so the message size is computed before anything is written.
            let name = family.name.utf8
            let type = UInt64(family.type.rawValue)
            var size = WireWriter.lengthDelimitedSize(WireField.MetricFamily.name, count: name.count)
            size += WireWriter.varintFieldSize(WireField.MetricFamily.type, type)
            if let help = family.help { size += WireWriter.lengthDelimitedSize(WireField.MetricFamily.help, count: help.utf8.count) }
            if let unit = family.unit { size += WireWriter.lengthDelimitedSize(WireField.MetricFamily.unit, count: unit.utf8.count) }
            for entry in family.entries {
                size += WireWriter.lengthDelimitedSize(WireField.MetricFamily.metric, count: entry.protobuf.count)
            }
            WireWriter.appendVarint(UInt64(size), to: &buffer)
            WireWriter.appendLengthDelimited(WireField.MetricFamily.name, name, to: &buffer)
            if let help = family.help { WireWriter.appendLengthDelimited(WireField.MetricFamily.help, help.utf8, to: &buffer) }
            WireWriter.appendVarintField(WireField.MetricFamily.type, type, to: &buffer)
        }
    }

    /// One series: its sample lines, or its `Metric` message as field 4.
    static func appendSeries(_ entry: SeriesEntry, format: ExpositionFormat, to buffer: inout [UInt8]) {
        switch format {
        case .text: entry.appendText(to: &buffer)
        case .protobufDelimited, .protobufText, .protobufCompactText: entry.appendProtobufField(to: &buffer)
        }
    }

    /// The family in the protobuf text format (Go's `prototext.Format` layout, or the one-line form), then a
    /// line feed as upstream's `fmt.Fprintln` adds.
    static func appendProtobufText(of family: MergedFamily, multiline: Bool, to buffer: inout [UInt8]) {
        var message: [UInt8] = []
        Self.appendHeader(of: family, format: .protobufDelimited, to: &message)
        for entry in family.entries {
            entry.appendProtobufField(to: &message)
        }
        Self.appendTrailer(of: family, format: .protobufDelimited, to: &message)
        // Skip the length prefix: a varint, so up to the first byte below 0x80.
        let prefix = (message.firstIndex { $0 < 0x80 } ?? 0) + 1
        ProtobufTextFormat.appendFamily(message[prefix...], multiline: multiline, to: &buffer)
        buffer.append(0x0A)
    }

    /// What comes after the family's series: the unit field of the protobuf message.
    static func appendTrailer(of family: MergedFamily, format: ExpositionFormat, to buffer: inout [UInt8]) {
        switch format {
        case .text: break
        case .protobufDelimited, .protobufText, .protobufCompactText:
            if let unit = family.unit { WireWriter.appendLengthDelimited(WireField.MetricFamily.unit, unit.utf8, to: &buffer) }
        }
    }
}
