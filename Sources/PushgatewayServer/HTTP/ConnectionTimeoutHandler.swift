import NIOCore
import NIOHTTP1

/// How long a connection may wait for its client (`--web.read-header-timeout`, `--web.idle-timeout`,
/// `--web.read-body-timeout`); `nil` waits forever.
struct ConnectionTimeouts: Hashable, Sendable {
    /// From accepting a connection until its first request head is read.
    var header: TimeAmount?
    /// From the end of an answer until the next request head is read (keep-alive).
    var idle: TimeAmount?
    /// While a request body is read: the longest pause between two of its parts (inactivity, not total time,
    /// so a slow upload of a large push still works).
    var body: TimeAmount?
}

/// Closes a connection whose client keeps it open without sending: no request head within the header
/// timeout (first request) or the idle timeout (later ones), or a body that stalls longer than the body
/// timeout. No timeout runs while the gateway prepares or writes an answer.
///
/// It sits in front of Hummingbird's HTTP codec, so it sees a request head only once all of it has arrived:
/// the header and idle timeouts bound the time to a complete head, however slowly its bytes trickle in.
final class ConnectionTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeouts: ConnectionTimeouts
    /// A request's head has been read, its end not yet.
    private var readingRequest = false
    /// Requests read whose answer has not ended yet.
    private var answersOwed = 0
    /// Whether an answer has ended on this connection (the idle timeout applies from then on).
    private var answeredAny = false
    /// When the client last sent a part, or the last answer ended.
    private var lastActivity = NIODeadline.now()
    private var scheduled: Scheduled<Void>?

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.lastActivity = .now()
            self.arm(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        self.lastActivity = .now()
        self.arm(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.lastActivity = .now()
        switch self.unwrapInboundIn(data) {
        case .head:
            self.readingRequest = true
            self.answersOwed += 1
            self.arm(context: context)
        case .body:
            // The running body timer checks lastActivity when it fires; no rescheduling per part.
            break
        case .end:
            self.readingRequest = false
            self.arm(context: context)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) {
            self.answersOwed = max(0, self.answersOwed - 1)
            if self.answersOwed == 0 {
                self.answeredAny = true
                self.lastActivity = .now()
                self.arm(context: context)
            }
        }
        context.write(data, promise: promise)
    }

    /// The timeout of the current state, if any.
    private var currentTimeout: TimeAmount? {
        if self.readingRequest {
            return self.timeouts.body
        }
        if self.answersOwed > 0 {
            return nil
        }
        return self.answeredAny ? self.timeouts.idle : self.timeouts.header
    }

    private func arm(context: ChannelHandlerContext) {
        self.disarm()
        guard let timeout = self.currentTimeout else { return }
        self.scheduled = context.eventLoop.assumeIsolated().scheduleTask(deadline: self.lastActivity + timeout) {
            self.fired(context: context)
        }
    }

    private func disarm() {
        self.scheduled?.cancel()
        self.scheduled = nil
    }

    private func fired(context: ChannelHandlerContext) {
        self.scheduled = nil
        guard let timeout = self.currentTimeout else { return }
        if NIODeadline.now() >= self.lastActivity + timeout {
            context.close(promise: nil)
        } else {
            self.arm(context: context)
        }
    }
}
