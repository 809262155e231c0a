import PushgatewayCore

// Writes merged families from the series' cached encodings: the text block is the header plus the
// series' lines; the protobuf message is the header fields plus each series' `Metric` bytes as field 4,
// so no metric is encoded again at scrape time.

enum ExpositionAssembler {
    static func text(of family: MergedFamily) -> [UInt8] {
        guard !family.entries.isEmpty else { return [] }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(
            family.entries.reduce(64 + family.name.utf8.count * 2 + (family.help?.utf8.count ?? 0)) { $0 + $1.text.count }
        )
        TextFormatEncoder.appendHeader(name: family.name, help: family.help, type: family.type, to: &buffer)
        for entry in family.entries {
            buffer.append(contentsOf: entry.text)
        }
        return buffer
    }

    static func protobuf(of family: MergedFamily) -> [UInt8] {
        guard !family.entries.isEmpty else { return [] }
        // Field order as Go marshals MetricFamily: name (1), help (2), type (3), metric (4)…, unit (5).
        var body: [UInt8] = []
        self.appendBytesField(1, Array(family.name.utf8), to: &body)
        if let help = family.help {
            self.appendBytesField(2, Array(help.utf8), to: &body)
        }
        body.append(0x18)
        DelimitedFrameReader.appendVarint(UInt64(family.type.rawValue), to: &body)
        for entry in family.entries {
            self.appendBytesField(4, entry.protobuf, to: &body)
        }
        if let unit = family.unit {
            self.appendBytesField(5, Array(unit.utf8), to: &body)
        }
        var message: [UInt8] = []
        message.reserveCapacity(body.count + 5)
        DelimitedFrameReader.appendVarint(UInt64(body.count), to: &message)
        message.append(contentsOf: body)
        return message
    }

    private static func appendBytesField(_ number: UInt8, _ bytes: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(number << 3 | 2)
        DelimitedFrameReader.appendVarint(UInt64(bytes.count), to: &buffer)
        buffer.append(contentsOf: bytes)
    }
}
