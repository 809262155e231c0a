import Testing

@testable import PushgatewayCore

struct WireWriterTests {
    @Test(
        arguments: [
            (0, [0x00]),
            (1, [0x01]),
            (127, [0x7F]),
            (128, [0x80, 0x01]),
            (300, [0xAC, 0x02]),
            (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ] as [(UInt64, [UInt8])]
    )
    func writesVarintsAsProtobufDoes(value: UInt64, expected: [UInt8]) {
        var appended: [UInt8] = []
        WireWriter.appendVarint(value, to: &appended)
        #expect(appended == expected)
        #expect(WireWriter.varintSize(value) == expected.count)
        var written = [UInt8](repeating: 0xEE, count: WireWriter.maximumVarintSize)
        let count = written.withUnsafeMutableBufferPointer { WireWriter.writeVarint(value, to: $0) }
        #expect(Array(written[..<count]) == expected)
    }

    @Test func fieldsReadBackWithTheReader() throws {
        var message: [UInt8] = []
        WireWriter.appendLengthDelimited(WireField.MetricFamily.name, Array("name".utf8), to: &message)
        WireWriter.appendVarintField(WireField.MetricFamily.type, 4, to: &message)
        WireWriter.appendDouble(17, -2.5, to: &message)
        WireWriter.appendTag(1000, rawWireType: 5, to: &message)
        message.append(contentsOf: [1, 0, 0, 0])
        #expect(Array(message[..<6]) == [0x0A, 0x04] + Array("name".utf8))
        #expect(
            WireWriter.lengthDelimitedSize(WireField.MetricFamily.name, count: 4)
                + WireWriter.varintFieldSize(WireField.MetricFamily.type, 4)
                == 8
        )
        try message.withUnsafeBytes { bytes in
            var reader = WireFieldReader(bytes)
            let name = try reader.field()
            guard case .bytes(let value) = name.value else { Issue.record("name is not bytes"); return }
            #expect(name.number == 1 && Array(value) == Array("name".utf8))
            let type = try reader.field()
            guard case .varint(4) = type.value else { Issue.record("type is not the varint 4"); return }
            #expect(type.number == 3)
            let double = try reader.field()
            guard case .fixed64(let bits) = double.value else { Issue.record("not a fixed64"); return }
            #expect(double.number == 17 && Double(bitPattern: bits) == -2.5)
            let unknown = try reader.field()
            guard case .fixed32(1) = unknown.value else { Issue.record("not the fixed32 1"); return }
            #expect(unknown.number == 1000 && reader.isAtEnd)
        }
    }
}
