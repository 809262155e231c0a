// libFuzzer entry point for the text format. Built by scripts/fuzz.sh together with PushgatewayCore's sources.
// Beyond not crashing, every answer is checked; a wrong one aborts, and libFuzzer keeps the input:
// - what parses unambiguously, written as text, parses again and writes the same bytes (legacy and UTF-8
//   names);
// - its protobuf encoding decodes, re-encodes to the same bytes and writes the same text; the only refusal
//   allowed is a NUL byte in a (quoted UTF-8) name, which protobuf pushes may not carry.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTextFormat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for allowUTF8Names in [false, true] {
        let parser = TextFormatParser(options: .init(allowUTF8Names: allowUTF8Names))
        guard let families = try? parser.parse(bytes) else { continue }
        let written = TextFormatEncoder.encode(families)
        // Colliding names (a family `x_bucket` beside a histogram `x`) make text ambiguous; the store's
        // consistency check refuses them, so only unambiguous parses must survive the round trip.
        if textCanCarry(families) {
            do {
                let reparsed = try parser.parse(written)
                fuzzCheck(TextFormatEncoder.encode(reparsed) == written, "parse → write is not a fixpoint")
            } catch {
                fuzzCheck(false, "written text does not parse back: \(error)\n\(String(decoding: written, as: UTF8.self))")
            }
        }
        let codec = ProtobufCodec(options: .init(limits: .unlimited))
        let encoded = codec.encodeDelimited(families)
        do {
            let decoded = try codec.decodeDelimited(encoded)
            fuzzCheck(codec.encodeDelimited(decoded) == encoded, "protobuf decode → encode is not a fixpoint")
            fuzzCheck(TextFormatEncoder.encode(decoded) == written, "the protobuf round trip changed the text")
        } catch {
            let nulInName = families.contains { family in
                family.name.utf8.contains(0) || family.metrics.contains { $0.labels.contains { $0.name.utf8.contains(0) } }
            }
            fuzzCheck(nulInName && error.code == .invalidName, "protobuf refuses what the text parser accepted: \(error)")
        }
    }
    return 0
}
