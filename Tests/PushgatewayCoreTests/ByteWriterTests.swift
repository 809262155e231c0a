import Testing

@testable import PushgatewayCore

@Suite struct ByteWriterTests {
    @Test func keepsEverythingWrittenWithinTheBound() {
        var buffer: [UInt8] = Array("a".utf8)
        buffer.appendWithWriter(upperBound: 16) { writer in
            writer.write("bcd")
            writer.write(0x65)
        }
        #expect(buffer == Array("abcde".utf8))
    }

    @Test(arguments: [0, 1, 2, 3, 5])
    func keepsEveryByteInOrderWhenTheBoundFallsShort(bound: Int) {
        // A bound computed too small must cost a slower path, never a write past the reservation.
        var buffer: [UInt8] = Array("<".utf8)
        buffer.appendWithWriter(upperBound: bound) { writer in
            writer.write("ab")
            writer.write(0x63)
            writer.write("defghijklmnopqrstuvwxyz")
            writer.write(0x21)
        }
        #expect(String(decoding: buffer, as: UTF8.self) == "<abcdefghijklmnopqrstuvwxyz!")
    }

    @Test func aWriterNeverWritesPastItsCapacity() {
        // Eight bytes of room inside a larger guarded buffer: the guard bytes must stay untouched.
        var memory = [UInt8](repeating: 0xEE, count: 16)
        let overflow = memory.withUnsafeMutableBufferPointer { memory -> [UInt8] in
            var writer = ByteWriter(memory.baseAddress!, capacity: 8)
            writer.write("0123456")
            writer.write("789")
            writer.write(0x2E)
            return writer.overflow
        }
        #expect(memory[..<7] == ArraySlice("0123456".utf8))
        #expect(memory[7...].allSatisfy { $0 == 0xEE })
        #expect(overflow == Array("789.".utf8))
    }
}
