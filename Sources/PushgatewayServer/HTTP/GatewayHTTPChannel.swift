import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOSSL
import NIOTLS

/// The gateway's child channel: Hummingbird's HTTP/1 pipeline with the gateway's connection handlers in front of
/// its codec (Go's request rules in ``HTTPConformanceHandler``, the client timeouts in
/// ``ConnectionTimeoutHandler``), behind TLS when `--web.config.file` configures it, and HTTP/2 when the TLS
/// handshake negotiates `h2`.
///
/// Go's server offers HTTP/2 through ALPN on every TLS listener unless `http_server_config.http2` is false, and
/// never on plain HTTP (no h2c), so neither does this.
struct GatewayHTTPChannel: ServerChildChannel {
    /// The protocol a connection ended up speaking.
    enum Negotiated: Sendable {
        case http1(HTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    /// A connection once its protocol is known (at once for plain HTTP, after the TLS handshake otherwise).
    struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        let channel: any Channel
    }

    private let http1: HTTP1Channel
    private let http2: HTTP2Channel
    private let timeouts: ConnectionTimeouts
    /// `tls_server_config`'s context; nil for plain HTTP.
    private let tls: TLSContextProvider?

    init(responder: @escaping HTTPChannelHandler.Responder, timeouts: ConnectionTimeouts, tls: TLSContextProvider?) {
        self.http1 = HTTP1Channel(responder: responder)
        self.http2 = HTTP2Channel(
            responder: responder,
            configuration: .init(
                idleTimeout: timeouts.idle.map { .nanoseconds($0.nanoseconds) },
                streamConfiguration: .init(
                    additionalChannelHandlers: [HTTP2ResponseHeadFilter()],
                    // A stream whose client stops sending its body, as the body timeout does for HTTP/1.
                    idleTimeout: timeouts.body
                )
            )
        )
        self.timeouts = timeouts
        self.tls = tls
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard let tls = self.tls else {
            return self.setupHTTP1(channel: channel, logger: logger).map {
                Value(negotiated: channel.eventLoop.makeSucceededFuture(.http1($0)), channel: channel)
            }
        }
        do {
            // A fresh handler per connection, from a context rebuilt whenever the files changed.
            try tls.addHandlers(to: channel.pipeline.syncOperations)
        } catch {
            // As upstream, whose handshake fails when the files cannot be loaded any more.
            logger.error("TLS handshake error", metadata: ["err": "\(error)"])
            return channel.eventLoop.makeFailedFuture(error)
        }
        guard tls.offersHTTP2 else {
            return self.setupHTTP1(channel: channel, logger: logger).map {
                Value(negotiated: channel.eventLoop.makeSucceededFuture(.http1($0)), channel: channel)
            }
        }
        return channel.eventLoop.makeCompletedFuture {
            let negotiation = NIOTypedApplicationProtocolNegotiationHandler<Negotiated> { result in
                switch result {
                case .negotiated("h2"):
                    return self.http2.setup(channel: channel, logger: logger).map { .http2($0) }
                case .negotiated("http/1.1"), .fallback:
                    return self.setupHTTP1(channel: channel, logger: logger).map { .http1($0) }
                case .negotiated(let other):
                    return channel.close().flatMapThrowing { throw UnexpectedProtocol(name: other) }
                }
            }
            try channel.pipeline.syncOperations.addHandler(negotiation)
            // Until the handshake is done no HTTP handler runs, so the header timeout is kept here: a client that
            // opens a connection and never completes TLS is closed like one that never sends a request.
            if let limit = self.timeouts.header {
                let timer = channel.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
                negotiation.protocolNegotiationResult.whenComplete { _ in timer.cancel() }
            }
            return Value(negotiated: negotiation.protocolNegotiationResult, channel: channel)
        }
    }

    /// Hummingbird's HTTP/1 pipeline with the gateway's handlers right after NIO's request decoder.
    private func setupHTTP1(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        self.http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            // Inbound parts go decoder → timeouts → conformance → codec; answers the other way round, so the
            // timeout handler sees an answer's end only after the conformance handler let it through.
            let conformance = HTTPConformanceHandler()
            try operations.addHandler(conformance, position: .after(decoder))
            try operations.addHandler(ConnectionTimeoutHandler(timeouts: self.timeouts), position: .before(conformance))
            return value
        }
    }

    /// Hummingbird's request loop for the protocol negotiated.
    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection):
                await self.http1.handle(value: connection, logger: logger)
            case .http2(let connection):
                await self.http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("connection closed before a protocol was negotiated", metadata: ["err": "\(error)"])
        }
    }

    /// ALPN chose a protocol this server did not offer.
    struct UnexpectedProtocol: Error {
        var name: String
    }
}

/// Drops the header fields HTTP/2 forbids (RFC 9113 §8.2.2) from an HTTP/2 stream's answer.
///
/// The handlers answer some errors with `Connection: close`, as Go does over HTTP/1; NIO's HTTP/2 layer resets a
/// stream whose answer carries one, while Go's HTTP/2 server leaves the field out, so this does too.
final class HTTP2ResponseHeadFilter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private static let forbidden: [HTTPField.Name] = [
        .connection, .transferEncoding, .upgrade,
        HTTPField.Name("Keep-Alive")!, HTTPField.Name("Proxy-Connection")!,
    ]

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = self.unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        for name in Self.forbidden {
            head.headerFields[name] = nil
        }
        context.write(self.wrapOutboundOut(.head(head)), promise: promise)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 (and HTTP/2 over TLS) with the gateway's connection handlers.
    static func gateway(timeouts: ConnectionTimeouts, tls: TLSContextProvider? = nil) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GatewayHTTPChannel(responder: responder, timeouts: timeouts, tls: tls)
        }
    }
}
