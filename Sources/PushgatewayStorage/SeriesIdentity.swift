/// The bytes that identify a series within its family (its sorted label pairs), as a dictionary key.
///
/// The bytes are usually the label fields inside a ``SeriesEntry``'s single allocation, shared rather than
/// copied. The
/// hash is computed once (FNV-1a): the store looks identities up on every write, and feeding ~50 bytes
/// through SipHash each time cost more than the rest of the bookkeeping.
struct SeriesIdentity: Hashable, Sendable {
    private let storage: [UInt8]
    private let start: UInt32
    private let count: UInt32
    private let fingerprint: UInt64

    /// An identity owning its bytes.
    init(_ bytes: [UInt8]) {
        self.init(storage: bytes, start: 0, count: bytes.count)
    }

    /// The identity held by `count` bytes of `storage` from `start`.
    init(storage: [UInt8], start: Int, count: Int) {
        self.storage = storage
        self.start = UInt32(truncatingIfNeeded: start)
        self.count = UInt32(truncatingIfNeeded: count)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        storage.withUnsafeBufferPointer { buffer in
            for byte in buffer[start..<(start + count)] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        self.fingerprint = hash
    }

    static func == (lhs: SeriesIdentity, rhs: SeriesIdentity) -> Bool {
        guard lhs.fingerprint == rhs.fingerprint, lhs.count == rhs.count else { return false }
        return lhs.storage.withUnsafeBufferPointer { left in
            rhs.storage.withUnsafeBufferPointer { right in
                left[Int(lhs.start)..<Int(lhs.start + lhs.count)].elementsEqual(right[Int(rhs.start)..<Int(rhs.start + rhs.count)])
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.fingerprint)
    }
}
