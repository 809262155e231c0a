// Encoders write many short runs (names, `="`, values); appending each to an Array costs a uniqueness and
// a capacity check per run. Instead an encoder computes an upper bound for what it is about to write,
// reserves that much once, and writes through this cursor.
//
// The bounds are computed by hand, from input that comes off the network, so the writer does not trust them:
// every write compares against the end of the reservation and traps, in every build, before a byte would
// land past it. A wrong bound is then a crash with a clear message, never memory corruption. (Spilling the
// excess into a side buffer instead of trapping was measured too: twice the extra instructions in the text
// writer, since the spill path keeps the compiler from inlining the escaping loops.)

/// A write cursor into memory the caller has reserved; a write past its end traps.
struct ByteWriter {
    /// Where the next byte goes.
    private(set) var cursor: UnsafeMutablePointer<UInt8>
    private let end: UnsafeMutablePointer<UInt8>

    /// A writer into the `capacity` bytes at `start`.
    init(_ start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        precondition(capacity >= 0, "negative ByteWriter capacity \(capacity)")
        self.cursor = start
        self.end = start + capacity
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        if self.cursor == self.end {
            Self.overrun(1)
        }
        self.cursor.pointee = byte
        self.cursor += 1
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        if bytes.count > self.end - self.cursor {
            Self.overrun(bytes.count)
        }
        copyBytes(from: base, to: self.cursor, count: bytes.count)
        self.cursor += bytes.count
    }

    @inline(__always)
    mutating func write(_ string: StaticString) {
        self.write(UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    @inline(never)
    private static func overrun(_ count: Int) -> Never {
        preconditionFailure("ByteWriter: a write of \(count) bytes exceeds the reserved size bound (an encoder's bound is wrong)")
    }
}

extension Array where Element == UInt8 {
    /// Reserves `bound` bytes at the end, lets `body` write at most that many through a ``ByteWriter`` (a write
    /// beyond them traps), and keeps what it wrote.
    mutating func appendWithWriter(upperBound bound: Int, _ body: (inout ByteWriter) -> Void) {
        let start = self.count
        self.append(contentsOf: repeatElement(0, count: bound))
        let written = self.withUnsafeMutableBufferPointer { buffer -> Int in
            let base = buffer.baseAddress! + start
            var writer = ByteWriter(base, capacity: bound)
            body(&writer)
            return writer.cursor - base
        }
        self.removeLast(bound - written)
    }
}
