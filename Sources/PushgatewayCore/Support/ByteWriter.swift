// Encoders write many short runs (names, `="`, values); appending each to an Array costs a uniqueness and
// a capacity check per run. Instead an encoder computes an upper bound for what it is about to write,
// reserves that much once, and writes through this cursor.
//
// The bounds are computed by hand, from input that comes off the network. So the writer never trusts them:
// every write compares against the end of the reservation (one compare and a predictable branch), and a
// write that does not fit goes to an overflow buffer instead, which the owner of the reservation appends
// afterwards. A bound that falls short costs a slow path, never memory beyond the reservation, in every build.

/// A write cursor into memory the caller has reserved; what does not fit goes to ``overflow``.
struct ByteWriter {
    /// Where the next byte goes inside the reservation.
    private(set) var cursor: UnsafeMutablePointer<UInt8>
    // Once anything has overflowed, `end` equals `cursor`: every later write overflows too, keeping order.
    private var end: UnsafeMutablePointer<UInt8>
    /// The bytes written after the reservation was full, in order; empty while the bound holds.
    private(set) var overflow: [UInt8] = []

    /// A writer into the `capacity` bytes at `start`.
    init(_ start: UnsafeMutablePointer<UInt8>, capacity: Int) {
        precondition(capacity >= 0, "negative ByteWriter capacity \(capacity)")
        self.cursor = start
        self.end = start + capacity
    }

    @inline(__always)
    mutating func write(_ byte: UInt8) {
        if self.cursor < self.end {
            self.cursor.pointee = byte
            self.cursor += 1
        } else {
            self.spill(byte)
        }
    }

    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        if bytes.count <= self.end - self.cursor {
            copyBytes(from: base, to: self.cursor, count: bytes.count)
            self.cursor += bytes.count
        } else {
            self.spill(bytes)
        }
    }

    @inline(__always)
    mutating func write(_ string: StaticString) {
        self.write(UnsafeBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    @inline(never)
    private mutating func spill(_ byte: UInt8) {
        self.end = self.cursor
        self.overflow.append(byte)
    }

    @inline(never)
    private mutating func spill(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.end = self.cursor
        self.overflow.append(contentsOf: bytes)
    }
}

extension Array where Element == UInt8 {
    /// Reserves `bound` bytes at the end, lets `body` write through a ``ByteWriter``, and keeps what it wrote:
    /// all of it, also when `bound` was too small (the excess is appended from the writer's overflow).
    mutating func appendWithWriter(upperBound bound: Int, _ body: (inout ByteWriter) -> Void) {
        let start = self.count
        self.append(contentsOf: repeatElement(0, count: bound))
        let (written, overflow) = self.withUnsafeMutableBufferPointer { buffer -> (Int, [UInt8]) in
            let base = buffer.baseAddress! + start
            var writer = ByteWriter(base, capacity: bound)
            body(&writer)
            return (writer.cursor - base, writer.overflow)
        }
        self.removeLast(bound - written)
        if !overflow.isEmpty {
            self.append(contentsOf: overflow)
        }
    }
}
