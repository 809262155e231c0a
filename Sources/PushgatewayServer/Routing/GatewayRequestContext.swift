public import Hummingbird
import NIOCore

/// The gateway's request context: Hummingbird's core context plus the client's address, which push failures
/// log as `source` (Go's `r.RemoteAddr`) so operators can find the client that sends bad pushes.
public struct GatewayRequestContext: RequestContext {
    /// Hummingbird's per-request state (logger, allocator, parameters).
    public var coreContext: CoreRequestContextStorage
    /// The client's address as Go prints `r.RemoteAddr`: `127.0.0.1:54321`, `[::1]:54321`; empty when the
    /// channel has none (tests without a socket).
    public let source: String

    /// Creates the context for one request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.source = source.channel.remoteAddress.map(Self.goAddress) ?? ""
    }

    /// `host:port` with IPv6 hosts in brackets, as Go's `net.JoinHostPort`.
    static func goAddress(_ address: SocketAddress) -> String {
        switch address {
        case .v4:
            return "\(address.ipAddress ?? ""):\(address.port ?? 0)"
        case .v6:
            return "[\(address.ipAddress ?? "")]:\(address.port ?? 0)"
        case .unixDomainSocket:
            return address.pathname ?? "@"
        }
    }
}
