// libFuzzer entry point for delimited protobuf: decode, encode again, decode again, and write what decoded
// as text under every name-escaping scheme. Built by scripts/fuzz.sh together with PushgatewayCore's sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let families = try? ProtobufCodec().decodeDelimited(bytes) else { return 0 }
    _ = try? ProtobufCodec().decodeDelimited(ProtobufCodec().encodeDelimited(families))
    for scheme in [NameEscapingScheme.allowUTF8, .underscores, .dots, .values] {
        _ = TextFormatEncoder.encode(families.map { $0.escaped(scheme) })
    }
    return 0
}
