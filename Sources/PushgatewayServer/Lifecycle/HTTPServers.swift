import Logging
import ServiceLifecycle

/// The gateway's HTTP servers (one per listener) as one service, so that their end is logged once, as
/// upstream's `main` logs the return of `web.ListenAndServe`: `HTTP server stopped` at info after a graceful
/// shutdown, at error with `err` when a server failed.
struct HTTPServers: Service {
    let servers: [any Service]
    let logger: Logger

    func run() async throws {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                for server in self.servers {
                    group.addTask { try await server.run() }
                }
            }
        } catch {
            self.logger.error("HTTP server stopped", metadata: ["err": "\(error)"])
            throw error
        }
        self.logger.info("HTTP server stopped")
    }
}
