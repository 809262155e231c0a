// Encoders write many short runs (names, `="`, values); appending each to an Array costs a uniqueness and
// a capacity check per run. Instead an encoder computes an upper bound for what it is about to write,
// reserves that much once, and writes through this cursor.

/// A write cursor into memory the caller has reserved; it never checks bounds.
struct ByteWriter {
    var cursor: UnsafeMutablePointer<UInt8>

    init(_ start: UnsafeMutablePointer<UInt8>) {
        self.cursor = start
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        self.cursor.pointee = byte
        self.cursor += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        copyBytes(from: base, to: self.cursor, count: bytes.count)
        self.cursor += bytes.count
    }

    @inline(__always)
    mutating func write(_ string: StaticString) {
        self.write(UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }
}

extension Array where Element == UInt8 {
    /// Reserves `bound` bytes at the end, lets `body` write at most that many through a ``ByteWriter``, and
    /// keeps what it wrote.
    mutating func appendWithWriter(upperBound bound: Int, _ body: (inout ByteWriter) -> Void) {
        let start = self.count
        self.append(contentsOf: repeatElement(0, count: bound))
        let written = self.withUnsafeMutableBufferPointer { buffer -> Int in
            let base = buffer.baseAddress! + start
            var writer = ByteWriter(base)
            body(&writer)
            return writer.cursor - base
        }
        assert(written <= bound, "wrote \(written) bytes into a reservation of \(bound)")
        self.removeLast(bound - written)
    }
}
