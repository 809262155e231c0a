import Testing

@testable import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct ByteWriterTests {
    @Test func keepsEverythingWrittenWithinTheBound() {
        var buffer: [UInt8] = Array("a".utf8)
        buffer.appendWithWriter(upperBound: 16) { writer in
            writer.write("bcd")
            writer.write(0x65)
        }
        #expect(buffer == Array("abcde".utf8))
    }

    @Test func fillsTheReservationExactly() {
        var buffer: [UInt8] = []
        buffer.appendWithWriter(upperBound: 4) { writer in
            writer.write("abc")
            writer.write(0x64)
        }
        #expect(buffer == Array("abcd".utf8))
    }

    // A bound computed too small must stop the write that would cross it, in every build: before, release
    // builds wrote on past the reservation and only a debug `assert` looked, after the damage. The child
    // process exits cleanly if the write past the bound returns.
    @Test func aRunPastTheBoundTrapsBeforeWriting() async {
        await #expect(processExitsWith: .failure) {
            var buffer: [UInt8] = []
            buffer.appendWithWriter(upperBound: 2) { writer in
                writer.write("abcdefgh")
                exit(0)
            }
        }
    }

    @Test func aBytePastTheBoundTrapsBeforeWriting() async {
        await #expect(processExitsWith: .failure) {
            var buffer: [UInt8] = []
            buffer.appendWithWriter(upperBound: 2) { writer in
                writer.write("ab")
                writer.write(0x63)
                exit(0)
            }
        }
    }
}
