import Testing

@testable import PushgatewayServer

/// A framed stream: the stream identifier, then `chunks`.
private func stream(_ chunks: [[UInt8]]) -> [UInt8] {
    [0xFF, 6, 0, 0] + Array("sNaPpY".utf8) + chunks.flatMap { $0 }
}

/// One chunk of `type` whose payload is the checksum of `decoded` followed by `data`.
private func chunk(_ type: UInt8, decoded: [UInt8], data: [UInt8]) -> [UInt8] {
    let checksum = SnappyBody.maskedCRC32C(decoded)
    let length = data.count + 4
    return [type, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16)]
        + [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: checksum >> $0) } + data
}

private let abc = Array("abcabcabcabcabcabc".utf8)
// "abc" as a literal (tag (3-1)<<2), then a 1-byte-offset copy of 15 bytes at distance 3: a run that
// overlaps what it produces. Length 15 does not fit copy-1 (4…11), so 11 + a copy-2 of 4.
private let abcBlock: [UInt8] = [18, 0x08] + Array("abc".utf8) + [(11 - 4) << 2 | 1, 3, (4 - 1) << 2 | 2, 3, 0]

struct SnappyBodyTests {
    @Test func decodesCompressedChunksWithOverlappingCopies() throws {
        #expect(try SnappyBody.decompress(stream([chunk(0x00, decoded: abc, data: abcBlock)]), limit: 1 << 20) == abc)
    }

    @Test func decodesUncompressedChunksAndSkipsSkippableOnes() throws {
        let body = Array("foo 1\n".utf8)
        let bytes = stream([[0x80, 2, 0, 0, 9, 9], chunk(0x01, decoded: body, data: body), [0xFE, 1, 0, 0, 0]])
        #expect(try SnappyBody.decompress(bytes, limit: 1 << 20) == body)
    }

    @Test func decodesLongLiterals() throws {
        let text = [UInt8](repeating: 0x61, count: 100)
        // Tag 60 << 2: the literal length - 1 follows in one byte.
        let block: [UInt8] = [100, 60 << 2, 99] + text
        #expect(try SnappyBody.decompress(stream([chunk(0x00, decoded: text, data: block)]), limit: 1 << 20) == text)
    }

    @Test func anEmptyBodyIsEmpty() throws {
        #expect(try SnappyBody.decompress([], limit: 1 << 20) == [])
    }

    @Test(
        arguments: [
            ("no stream identifier", Array(chunk(0x01, decoded: abc, data: abc)), "snappy: corrupt input"),
            ("wrong checksum", stream([chunk(0x01, decoded: [1], data: abc)]), "snappy: corrupt input"),
            ("truncated chunk", Array(stream([chunk(0x01, decoded: abc, data: abc)]).dropLast()), "snappy: corrupt input"),
            ("truncated header", stream([[0x01, 4]]), "snappy: corrupt input"),
            ("bad identifier", [0xFF, 6, 0, 0] + Array("sNaPpX".utf8), "snappy: corrupt input"),
            ("reserved chunk type", stream([[0x02, 0, 0, 0]]), "snappy: unsupported input"),
            ("chunk longer than Go allows", stream([[0x00, 0xFF, 0xFF, 0x01]]), "snappy: unsupported input"),
            ("copy before any output", stream([chunk(0x00, decoded: abc, data: [3, 1 << 2 | 1, 1])]), "snappy: corrupt input"),
            (
                "block shorter than declared", stream([chunk(0x00, decoded: abc, data: [5, 0x08] + Array("abc".utf8))]),
                "snappy: corrupt input"
            ),
        ] as [(String, [UInt8], String)]
    )
    func rejectsWhatGosReaderRejects(_ what: String, bytes: [UInt8], message: String) {
        #expect(throws: SnappyError(message: message), "\(what)") { try SnappyBody.decompress(bytes, limit: 1 << 20) }
    }

    @Test func stopsAtTheBodyLimit() {
        let body = [UInt8](repeating: 0x61, count: 100)
        #expect(throws: BodyTooLargeError(limit: 64)) {
            try SnappyBody.decompress(stream([chunk(0x01, decoded: body, data: body)]), limit: 64)
        }
    }
}
