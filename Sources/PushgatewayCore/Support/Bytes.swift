// Word-at-a-time helpers for the hot loops of the text parser: comparing, ASCII checks and finding the
// first of a few delimiter bytes, 8 bytes per step (SWAR) instead of one.

private let lowBits: UInt64 = 0x0101_0101_0101_0101
private let highBits: UInt64 = 0x8080_8080_8080_8080

/// Whether `count` bytes at `a` and `b` are equal.
@inline(__always)
func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
    // Whole words, then one last word overlapping the previous one: no unpredictable byte loop.
    if count >= 8 {
        var index = 0
        while index + 8 < count {
            if a.loadUnaligned(fromByteOffset: index, as: UInt64.self) != b.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
                return false
            }
            index += 8
        }
        return a.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }
    if count >= 4 {
        return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
            && a.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == b.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
    }
    if count >= 2 {
        return a.loadUnaligned(as: UInt16.self) == b.loadUnaligned(as: UInt16.self)
            && a.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self) == b.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)
    }
    return count == 0 || a.load(as: UInt8.self) == b.load(as: UInt8.self)
}

/// Whether every byte is below 0x80.
@inline(__always)
func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var index = 0
    var high: UInt64 = 0
    while index + 8 <= bytes.count {
        high |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        index += 8
    }
    var tail: UInt8 = 0
    while index < bytes.count {
        tail |= base.load(fromByteOffset: index, as: UInt8.self)
        index += 1
    }
    return high & highBits == 0 && tail < 0x80
}

/// Bytes of `word` equal to `byte` have their high bit set in the result; the lowest set bit is exact.
@inline(__always)
private func matches(_ word: UInt64, _ byte: UInt8) -> UInt64 {
    let x = word ^ (lowBits &* UInt64(byte))
    return (x &- lowBits) & ~x & highBits
}

/// The index of the first byte in `start..<end` that is one of `a`, `b`, `c`; `end` if none is.
@inline(__always)
func firstIndex(of a: UInt8, _ b: UInt8, _ c: UInt8, in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
    var index = start
    while index + 8 <= end {
        let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
        let found = matches(word, a) | matches(word, b) | matches(word, c)
        if found != 0 {
            return index + found.trailingZeroBitCount / 8
        }
        index += 8
    }
    while index < end {
        let byte = base.load(fromByteOffset: index, as: UInt8.self)
        if byte == a || byte == b || byte == c {
            return index
        }
        index += 1
    }
    return end
}

/// Copies `count` bytes from `source` to `target` (which must not overlap).
@inline(__always)
func copyBytes(from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer, count: Int) {
    // Short runs (names, label values, digits) as at most two overlapping word moves, not a libc call.
    if count >= 8 {
        if count > 16 {
            target.copyMemory(from: source, byteCount: count)
            return
        }
        target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self), toByteOffset: count - 8, as: UInt64.self)
    } else if count >= 4 {
        target.storeBytes(of: source.loadUnaligned(as: UInt32.self), as: UInt32.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self), toByteOffset: count - 4, as: UInt32.self)
    } else if count > 0 {
        target.storeBytes(of: source.load(as: UInt8.self), as: UInt8.self)
        target.storeBytes(of: source.load(fromByteOffset: count / 2, as: UInt8.self), toByteOffset: count / 2, as: UInt8.self)
        target.storeBytes(of: source.load(fromByteOffset: count - 1, as: UInt8.self), toByteOffset: count - 1, as: UInt8.self)
    }
}

/// Whether any of the `count` bytes at `base` is `a`, `b` or `c`.
@inline(__always)
func containsAny(of a: UInt8, _ b: UInt8, _ c: UInt8, in base: UnsafeRawPointer, count: Int) -> Bool {
    // Whole words, the last one overlapping; shorter runs gathered into one word (repeating bytes is
    // harmless for a yes/no answer). `matches` is exact about whether any byte matched.
    @inline(__always)
    func any(_ word: UInt64) -> Bool {
        (matches(word, a) | matches(word, b) | matches(word, c)) != 0
    }
    if count >= 8 {
        var index = 0
        while index + 8 < count {
            if any(base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                return true
            }
            index += 8
        }
        return any(base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
    }
    if count >= 4 {
        let low = UInt64(base.loadUnaligned(as: UInt32.self))
        let high = UInt64(base.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        return any(low | high << 32)
    }
    guard count > 0 else { return false }
    let first = UInt64(base.load(as: UInt8.self))
    let middle = UInt64(base.load(fromByteOffset: count / 2, as: UInt8.self))
    let last = UInt64(base.load(fromByteOffset: count - 1, as: UInt8.self))
    // Every byte `first`, then bytes 1 and 2 replaced by `middle` and `last`.
    return any((lowBits &* first) & ~0xFF_FF00 | middle << 8 | last << 16)
}
