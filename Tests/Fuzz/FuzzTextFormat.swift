// libFuzzer entry point for the text format: parse (legacy and UTF-8 names), write, parse again, and the
// protobuf round trip of whatever parsed. Built by scripts/fuzz.sh together with PushgatewayCore's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTextFormat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for allowUTF8Names in [false, true] {
        let parser = TextFormatParser(options: .init(allowUTF8Names: allowUTF8Names))
        guard let families = try? parser.parse(bytes) else { continue }
        _ = try? parser.parse(TextFormatEncoder.encode(families))
        _ = try? ProtobufCodec().decodeDelimited(ProtobufCodec().encodeDelimited(families))
    }
    return 0
}
