// libFuzzer entry point for delimited protobuf: decode, encode again (whole stream and per metric, as pushes
// are stored), decode again, write what decoded as text under every name-escaping scheme, and write the raw
// input as protobuf text. Built by scripts/fuzz.sh together with PushgatewayCore's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var text: [UInt8] = []
    ProtobufTextFormat.appendFamily(bytes, multiline: size % 2 == 0, to: &text)
    guard let families = try? ProtobufCodec().decodeDelimited(bytes) else { return 0 }
    for family in families {
        _ = ProtobufCodec().encodeMetrics(family.metrics)
    }
    _ = try? ProtobufCodec().decodeDelimited(ProtobufCodec().encodeDelimited(families))
    for scheme in [NameEscapingScheme.allowUTF8, .underscores, .dots, .values] {
        _ = TextFormatEncoder.encode(families.map { $0.escaped(scheme) })
    }
    return 0
}
