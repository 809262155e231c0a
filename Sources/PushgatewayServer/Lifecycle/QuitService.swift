import ServiceLifecycle

/// The `/-/quit` signal: fired once by the lifecycle endpoint, awaited by ``QuitService``.
final class QuitTrigger: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    /// Creates a trigger that has not fired.
    init() {
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Requests a graceful shutdown of the gateway; later calls do nothing.
    func fire() {
        self.continuation.yield()
        self.continuation.finish()
    }

    /// Returns once the trigger fired or its stream ended (`false` when the wait was cancelled).
    func wait() async -> Bool {
        for await _ in self.stream.cancelOnGracefulShutdown() {
            return true
        }
        return false
    }
}

/// Ends its `run()` when `/-/quit` is called; the gateway's service group is configured to shut down
/// gracefully when that happens (HTTP servers first, persistence last), as upstream's `shutdownServerOnQuit`.
struct QuitService: Service {
    let trigger: QuitTrigger

    func run() async throws {
        _ = await self.trigger.wait()
    }
}
