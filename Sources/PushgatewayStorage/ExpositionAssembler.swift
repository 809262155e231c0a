import PushgatewayCore

// Writes merged families from the series' cached encodings: the text block is the header plus the
// series' lines; the protobuf message is the header fields plus each series' `Metric` bytes as field 4,
// so no metric is encoded again at scrape time. Nothing is cached per family beyond the sorted series:
// copying them is cheap, and a second copy of every series' bytes was a third of the store's memory.

enum ExpositionAssembler {
    /// An upper estimate of the family's size in either format, for reserving the body.
    static func estimatedSize(of family: MergedFamily) -> Int {
        family.entries.reduce(64 + family.name.utf8.count * 2 + (family.help?.utf8.count ?? 0)) {
            $0 + max($1.text.count, $1.protobuf.count + 4)
        }
    }

    /// Appends the family in the text format, header included (nothing for a family without series).
    static func appendText(of family: MergedFamily, to buffer: inout [UInt8]) {
        guard !family.entries.isEmpty else { return }
        TextFormatEncoder.appendHeader(name: family.name, help: family.help, type: family.type, to: &buffer)
        for entry in family.entries {
            entry.appendText(to: &buffer)
        }
    }

    /// Appends the family as one length-prefixed `MetricFamily` message (nothing for a family without series).
    static func appendProtobuf(of family: MergedFamily, to buffer: inout [UInt8]) {
        guard !family.entries.isEmpty else { return }
        // Field order as Go marshals MetricFamily: name (1), help (2), type (3), metric (4)…, unit (5).
        var body: [UInt8] = []
        self.appendBytesField(1, Array(family.name.utf8), to: &body)
        if let help = family.help {
            self.appendBytesField(2, Array(help.utf8), to: &body)
        }
        body.append(0x18)
        DelimitedFrameReader.appendVarint(UInt64(family.type.rawValue), to: &body)
        for entry in family.entries {
            entry.appendProtobufField(to: &body)
        }
        if let unit = family.unit {
            self.appendBytesField(5, Array(unit.utf8), to: &body)
        }
        DelimitedFrameReader.appendVarint(UInt64(body.count), to: &buffer)
        buffer.append(contentsOf: body)
    }

    private static func appendBytesField(_ number: UInt8, _ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) {
        buffer.append(number << 3 | 2)
        DelimitedFrameReader.appendVarint(UInt64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
    }
}
