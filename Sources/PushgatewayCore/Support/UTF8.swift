// Fast paths between UTF-8 bytes and Swift strings. `String(validating:as:)` is generic and not
// specialised across modules, so on the hot path it spends most of its time looking up type metadata;
// `String(decoding:as:)` on an UnsafeBufferPointer is specialised, and an ASCII pre-check makes
// validation free for the common case.

/// Creates a String from bytes that must be valid UTF-8; `nil` otherwise.
@inline(__always)
package func makeValidatedString(_ bytes: UnsafeRawBufferPointer) -> String? {
    let buffer = bytes.bindMemory(to: UInt8.self)
    let string = String(decoding: buffer, as: UTF8.self)
    if isASCII(bytes) {
        return string
    }
    // Decoding repairs invalid sequences; the bytes survive unchanged only if they were valid.
    return string.utf8.elementsEqual(buffer) ? string : nil
}

/// Gives the UTF-8 bytes of a string to `body` without copying when the string is native.
@inline(__always)
package func withUTF8Bytes<Result>(_ string: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
    if let result = string.utf8.withContiguousStorageIfAvailable(body) {
        return result
    }
    var copy = string
    return copy.withUTF8(body)
}
