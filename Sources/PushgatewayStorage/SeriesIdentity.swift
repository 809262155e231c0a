/// The bytes that identify a series within its family (sorted label names and values), as a dictionary key.
///
/// Array's own Hashable feeds the hasher one byte at a time; the store hashes these keys on every write, so
/// they are hashed in bulk instead.
struct SeriesIdentity: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func hash(into hasher: inout Hasher) {
        self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
