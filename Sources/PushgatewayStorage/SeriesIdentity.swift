/// The bytes that identify a series within its family (sorted label names and values), as a dictionary key.
///
/// The bytes are usually the front of a ``SeriesEntry``'s single allocation, shared rather than copied. The
/// hash is computed once (FNV-1a): the store looks identities up on every write, and feeding ~50 bytes
/// through SipHash each time cost more than the rest of the bookkeeping.
struct SeriesIdentity: Hashable, Sendable {
    private let storage: [UInt8]
    private let count: Int
    private let fingerprint: UInt64

    /// An identity owning its bytes.
    init(_ bytes: [UInt8]) {
        self.init(storage: bytes, count: bytes.count)
    }

    /// The identity held by the first `count` bytes of `storage`.
    init(storage: [UInt8], count: Int) {
        self.storage = storage
        self.count = count
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        storage.withUnsafeBufferPointer { buffer in
            for byte in buffer.prefix(count) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        self.fingerprint = hash
    }

    static func == (lhs: SeriesIdentity, rhs: SeriesIdentity) -> Bool {
        guard lhs.fingerprint == rhs.fingerprint, lhs.count == rhs.count else { return false }
        return lhs.storage.withUnsafeBufferPointer { left in
            rhs.storage.withUnsafeBufferPointer { right in
                left.prefix(lhs.count).elementsEqual(right.prefix(rhs.count))
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.fingerprint)
    }
}
