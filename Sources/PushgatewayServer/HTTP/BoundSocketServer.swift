import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The gateway's HTTP server on a listening socket it was handed (`--web.systemd-socket`) rather than one it
/// binds. Hummingbird's server only binds addresses, so this is its accept loop around an adopted descriptor:
/// the same child channel (``GatewayHTTPChannel``), context and `Date` header, and the same graceful shutdown
/// (stop accepting, let open connections finish their request).
struct BoundSocketServer: Service {
    let descriptor: Int32
    let responder: PushgatewayResponder
    let timeouts: ConnectionTimeouts
    /// `tls_server_config`'s context; nil for plain HTTP.
    let tls: TLSContextProvider?
    /// Connections at once (`--web.max-connections` after fitting the descriptor limit); nil for no limit.
    let connectionLimit: Int?
    let logger: Logger
    let onServerRunning: @Sendable (any Channel) async -> Void

    func run() async throws {
        let (logger, responder) = (self.logger, self.responder)
        let child = GatewayHTTPChannel(
            responder: { request, responseWriter, channel in
                let context = GatewayRequestContext(source: .init(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    logger.debug("unhandled error", metadata: ["err": "\(error)"])
                    response = Response(status: .internalServerError)
                }
                response.headers[.date] = Self.httpDate()
                try await responseWriter.write(response: response.head, body: response.body)
            },
            timeouts: self.timeouts,
            tls: self.tls
        )
        let open = Connections()
        let connectionLimit = self.connectionLimit
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // The handler Hummingbird's own server puts on its listener: at the limit it stops accepting
                    // (clients wait in the listen backlog) until a connection closes.
                    if let limit = connectionLimit {
                        let delegate = MaximumAvailableConnections(limit, logger: logger)
                        try channel.pipeline.syncOperations.addHandler(AvailableConnectionsChannelHandler(delegate: delegate))
                    }
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(self.descriptor) { channel in
                child.setup(channel: channel, logger: logger)
            }
        await withGracefulShutdownHandler {
            await self.onServerRunning(server.channel)
            await withDiscardingTaskGroup { connections in
                do {
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            let id = open.add(connection.channel)
                            connections.addTask {
                                await child.handle(value: connection, logger: logger)
                                open.remove(id)
                            }
                        }
                    }
                } catch {
                    logger.error("accepting connections failed", metadata: ["err": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            // Stop accepting, then ask each open connection to close once its current request is answered (the
            // event Hummingbird's own server sends its connections).
            server.channel.close(promise: nil)
            open.quiesce()
        }
    }

    /// The open connections of one listener.
    private final class Connections: Sendable {
        private let channels = Mutex<(next: Int, open: [Int: any Channel])>((0, [:]))

        func add(_ channel: any Channel) -> Int {
            self.channels.withLock { state in
                state.next += 1
                state.open[state.next] = channel
                return state.next
            }
        }

        func remove(_ id: Int) {
            _ = self.channels.withLock { $0.open.removeValue(forKey: id) }
        }

        func quiesce() {
            for channel in self.channels.withLock({ Array($0.open.values) }) {
                channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            }
        }
    }

    /// Now as an HTTP date (`Mon, 02 Jan 2006 15:04:05 GMT`), as Hummingbird's server sets it.
    private static func httpDate() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
