import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Hummingbird's HTTP/1 child channel with the gateway's connection handlers in front of its codec: Go's
/// request rules (``HTTPConformanceHandler``) and the client timeouts (``ConnectionTimeoutHandler``), behind
/// TLS when `--web.config.file` configures it.
struct GatewayHTTPChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    private let http1: HTTP1Channel
    private let timeouts: ConnectionTimeouts
    /// `tls_server_config`'s context; nil for plain HTTP.
    private let tls: TLSContextProvider?

    init(responder: @escaping HTTPChannelHandler.Responder, timeouts: ConnectionTimeouts, tls: TLSContextProvider?) {
        self.http1 = HTTP1Channel(responder: responder)
        self.timeouts = timeouts
        self.tls = tls
    }

    /// Sets up Hummingbird's pipeline, then puts the gateway's handlers right after NIO's request decoder.
    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        self.http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            // Inbound parts go decoder → timeouts → conformance → codec; answers the other way round, so the
            // timeout handler sees an answer's end only after the conformance handler let it through.
            let conformance = HTTPConformanceHandler()
            try operations.addHandler(conformance, position: .after(decoder))
            try operations.addHandler(ConnectionTimeoutHandler(timeouts: self.timeouts), position: .before(conformance))
            if let tls = self.tls {
                do {
                    // A fresh handler per connection, from a context rebuilt whenever the files changed.
                    try tls.addHandlers(to: operations)
                } catch {
                    // As upstream, whose handshake fails when the files cannot be loaded any more.
                    logger.error("TLS handshake error", metadata: ["err": "\(error)"])
                    throw error
                }
            }
            return value
        }
    }

    /// Hummingbird's request loop.
    func handle(value: Value, logger: Logger) async {
        await self.http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the gateway's connection handlers.
    static func gateway(timeouts: ConnectionTimeouts, tls: TLSContextProvider? = nil) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GatewayHTTPChannel(responder: responder, timeouts: timeouts, tls: tls)
        }
    }
}
