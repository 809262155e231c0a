/// One `--web.listen-address` value: `host:port`, `:port` (every interface), `[v6]:port`.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host name or address to bind; empty means every interface, as in Go.
    public var host: String
    /// The TCP port; 0 picks a free one.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses a value as Go's `net.Listen("tcp", value)` splits it (`net.SplitHostPort`).
    ///
    /// - Throws: ``ListenAddressError`` for a missing or invalid port, stray colons or brackets, and for
    ///   `vsock://` addresses, which this gateway does not support.
    public init(parsing text: String) throws(ListenAddressError) {
        if text.hasPrefix("vsock://") {
            throw ListenAddressError(message: "listen address \(text): vsock listeners are not supported")
        }
        let bytes = Array(text.utf8)
        guard let colon = bytes.lastIndex(of: 0x3A) else {
            throw ListenAddressError(message: "listen tcp: address \(text): missing port in address")
        }
        var host = bytes[..<colon]
        if host.first == 0x5B {
            guard host.last == 0x5D else {
                throw ListenAddressError(message: "listen tcp: address \(text): missing ']' in address")
            }
            host = host.dropFirst().dropLast()
        } else if host.contains(0x3A) {
            throw ListenAddressError(message: "listen tcp: address \(text): too many colons in address")
        }
        if host.contains(0x5B) || host.contains(0x5D) {
            throw ListenAddressError(message: "listen tcp: address \(text): unexpected bracket in address")
        }
        let portText = String(decoding: bytes[(colon + 1)...], as: UTF8.self)
        guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let port = Int(portText), port <= 65535 else {
            throw ListenAddressError(message: "listen tcp: address \(text): invalid port \"\(portText)\"")
        }
        self.host = String(decoding: host, as: UTF8.self)
        self.port = port
    }

    /// `host:port`, the host in brackets if it is an IPv6 address.
    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}

/// A listen address that cannot be used; ``description`` says why.
public struct ListenAddressError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, in Go's words where Go has some.
    public var message: String

    /// The message.
    public var description: String { self.message }
}
