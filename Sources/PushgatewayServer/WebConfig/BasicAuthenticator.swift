import Crypto
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// `basic_auth_users` checking, as exporter-toolkit's `webHandler` does it: Go's `Request.BasicAuth` parsing,
/// a bcrypt comparison against the user's hash (against a fixed hash for unknown users, so timing does not tell
/// which users exist), one comparison at a time, and a cache so that a keep-alive scraper pays bcrypt once.
///
/// Unlike exporter-toolkit's cache, which keeps the plain password in its key and remembers failures too, this
/// one remembers only SHA-256 digests of credentials that verified: a wrong password always costs a full bcrypt.
final class BasicAuthenticator: Sendable {
    /// The answer to a request's credentials.
    enum Outcome: Sendable {
        case allowed
        case denied
    }

    /// User to bcrypt hash, normalised for the bcrypt implementation (see ``normalisedHash(_:)``).
    private let users: [String: String]
    private let verified = Mutex(VerifiedCache())

    /// bcrypt costs tens of milliseconds; it runs off the event loops, on one thread, so that a flood of guesses
    /// takes one core at most (exporter-toolkit holds a mutex around it for the same reason).
    private static let bcryptPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    // exporter-toolkit's bcrypt hash of "fakepassword", compared against for unknown users.
    private static let unknownUserHash = normalisedHash("$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi")

    init(users: [String: String]) {
        self.users = users.mapValues(Self.normalisedHash)
    }

    /// Checks an `Authorization` header value (nil when the request has none).
    func check(authorization: String?) async -> Outcome {
        guard let authorization, let credentials = Self.basicCredentials(authorization) else {
            return .denied
        }
        let (user, password) = credentials
        let knownHash = self.users[user]
        let hash = knownHash ?? Self.unknownUserHash
        let key = Self.cacheKey(user: user, hash: hash, password: password)
        if knownHash != nil && self.remembers(key) {
            return .allowed
        }
        let matches: Bool
        do {
            matches = try await Self.bcryptPool.runIfActive { Bcrypt.verify(password, hash: hash) }
        } catch {
            return .denied
        }
        guard matches, knownHash != nil else {
            return .denied
        }
        self.verified.withLock { $0.insert(key) }
        return .allowed
    }

    /// Whether these credentials verified before and are still remembered (then no bcrypt is paid).
    func remembers(authorization: String) -> Bool {
        guard let (user, password) = Self.basicCredentials(authorization), let hash = self.users[user] else {
            return false
        }
        return self.remembers(Self.cacheKey(user: user, hash: hash, password: password))
    }

    private func remembers(_ key: DigestKey) -> Bool {
        self.verified.withLock { $0.contains(key) }
    }

    /// The cache key: a digest of the user, the stored hash and the password, so no password stays in memory
    /// and a changed hash never matches an old entry.
    private static func cacheKey(user: String, hash: String, password: String) -> DigestKey {
        var hasher = SHA256()
        for part in [user, hash, password] {
            // Length-prefixed, so that no two different triples feed the same bytes.
            var length = UInt64(part.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            Array(part.utf8).withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return DigestKey(hasher.finalize())
    }

    /// Go's `Request.BasicAuth`: `Basic ` (any case) and standard base64 of `user:password`, split at the
    /// first colon.
    static func basicCredentials(_ header: String) -> (user: String, password: String)? {
        let bytes = Array(header.utf8)
        let prefix = Array("basic ".utf8)
        guard bytes.count >= prefix.count,
            zip(bytes.prefix(prefix.count), prefix).allSatisfy({ $0 == $1 || ((0x41...0x5A).contains($0) && $0 | 0x20 == $1) })
        else {
            return nil
        }
        guard let decoded = Base64Standard.decode(bytes[prefix.count...]),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else {
            return nil
        }
        return (String(decoding: decoded[..<colon], as: UTF8.self), String(decoding: decoded[(colon + 1)...], as: UTF8.self))
    }

    /// Go's bcrypt accepts any minor version letter (`$2a$`, `$2b$`, `$2y$` as htpasswd writes, or none); they
    /// all compute the same for passwords up to 72 bytes. The C implementation takes only `a` and `b`, so
    /// the others are read as `b`.
    static func normalisedHash(_ hash: String) -> String {
        var bytes = Array(hash.utf8)
        if bytes.starts(with: Array("$2$".utf8)) {
            bytes.insert(UInt8(ascii: "b"), at: 2)
        } else if bytes.count > 3, bytes.starts(with: Array("$2".utf8)), bytes[3] == UInt8(ascii: "$"), bytes[2] != UInt8(ascii: "a") {
            bytes[2] = UInt8(ascii: "b")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The digests of credentials that verified, at most ``capacity``; when full, a tenth of the entries, picked
/// at random, make room (as exporter-toolkit's cache does).
private struct VerifiedCache: Sendable {
    static let capacity = 100
    private var digests: Set<DigestKey> = []

    func contains(_ digest: DigestKey) -> Bool {
        self.digests.contains(digest)
    }

    mutating func insert(_ digest: DigestKey) {
        if self.digests.count >= Self.capacity {
            for _ in 0...(Self.capacity / 10) {
                if let victim = self.digests.randomElement() {
                    self.digests.remove(victim)
                }
            }
        }
        self.digests.insert(digest)
    }
}

/// A SHA-256 digest as four words, compared in constant time.
private struct DigestKey: Hashable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    init(_ digest: SHA256Digest) {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        digest.withUnsafeBytes { digestBytes in
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: digestBytes.prefix(32))) }
        }
        self.words = words
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        // Every word is looked at, whatever differs first.
        ((lhs.words.0 ^ rhs.words.0) | (lhs.words.1 ^ rhs.words.1) | (lhs.words.2 ^ rhs.words.2) | (lhs.words.3 ^ rhs.words.3)) == 0
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.words.0)
    }
}

/// Go's `base64.StdEncoding.DecodeString`: padded, line feeds and carriage returns skipped.
enum Base64Standard {
    static func decode(_ input: ArraySlice<UInt8>) -> [UInt8]? {
        let characters = input.filter { $0 != 0x0A && $0 != 0x0D }
        guard characters.count % 4 == 0 else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            let quantum = characters[index..<(index + 4)]
            let isLast = index + 4 == characters.count
            let padding = quantum.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            guard padding <= 2, padding == 0 || isLast else {
                return nil
            }
            var value: UInt32 = 0
            for byte in quantum.dropLast(padding) {
                guard let sextet = Self.value(of: byte) else {
                    return nil
                }
                value = value << 6 | sextet
            }
            value <<= UInt32(6 * padding)
            let decoded = [UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
            output.append(contentsOf: decoded.prefix(3 - padding))
            index += 4
        }
        return output
    }

    private static func value(of byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt32(byte - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt32(byte - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
