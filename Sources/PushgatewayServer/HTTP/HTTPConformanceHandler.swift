import NIOCore
import NIOHTTP1

// What Go's net/http server does with every request before a handler sees it, where NIO's HTTP/1 codec and
// Hummingbird do otherwise (Hummingbird's request and response types carry no HTTP version, so this sits in
// front of its codec, on NIO's request and response parts):
// - an HTTP/1.1 request without `Host` is answered `400 Bad Request: missing required Host header` and the
//   connection closed;
// - `Expect: 100-continue` is answered `100 Continue` before the body is read (curl otherwise waits a second
//   before sending a body over 1 MB);
// - an HTTP/1.0 request is answered in HTTP/1.0, and the connection closed after the answer unless the client
//   asked for keep-alive and the answer has a Content-Length (HTTP/1.0 has no chunked encoding, so a streamed
//   answer ends with the connection); an HTTP/1.1 request with `Connection: close` closes it too.

/// Go's request-level HTTP/1 rules, in front of Hummingbird's HTTP codec.
final class HTTPConformanceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The version of the request being answered.
    private var requestVersion = HTTPVersion.http1_1
    /// Whether the client asked to keep the connection open after this answer.
    private var keepAlive = true
    /// Set once the connection is to close after the current answer.
    private var closeAfterResponse = false
    /// A refused request: its remaining parts are dropped until the connection closes.
    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(var head):
            self.requestVersion = head.version
            self.keepAlive = head.isKeepAlive
            if head.version == .http1_1 && !head.headers.contains(name: "host") {
                self.refuse(context: context, message: "missing required Host header")
                return
            }
            if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                head.headers.remove(name: "expect")
                if head.version == .http1_1 {
                    context.writeAndFlush(
                        self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))),
                        promise: nil
                    )
                }
            }
            context.fireChannelRead(self.wrapInboundOut(.head(head)))
        case .body, .end:
            guard !self.refused else { return }
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head):
            if (100..<200).contains(head.status.code) && head.status != .switchingProtocols {
                context.write(data, promise: promise)
                return
            }
            if self.requestVersion == .http1_0 {
                head.version = .http1_0
                if self.keepAlive && head.headers.contains(name: "content-length") {
                    head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
                } else {
                    self.closeAfterResponse = true
                }
            } else if !self.keepAlive {
                self.closeAfterResponse = true
            }
            if self.closeAfterResponse {
                head.headers.replaceOrAdd(name: "connection", value: "close")
            }
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard self.closeAfterResponse else {
                context.write(data, promise: promise)
                return
            }
            Self.writeAndClose(context: context, data, promise: promise)
        }
    }

    /// Answers the request with Go's plain-text 400 and closes the connection.
    private func refuse(context: ChannelHandlerContext, message: String) {
        self.refused = true
        let body = "400 Bad Request: " + message
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.utf8.count))
        headers.add(name: "connection", value: "close")
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: self.requestVersion, status: .badRequest, headers: headers))),
            promise: nil
        )
        context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        Self.writeAndClose(context: context, self.wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Writes the last part of an answer and closes the connection once it is out.
    private static func writeAndClose(context: ChannelHandlerContext, _ data: NIOAny, promise: EventLoopPromise<Void>?) {
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(data, promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
