/// Debian's Go gateway and ours, started with the same flags, for tests that compare them.
struct GatewayPair: Sendable {
    /// Debian's prometheus-pushgateway.
    let go: RunningGateway
    /// Our binary.
    let ours: RunningGateway

    /// Starts both gateways side by side; if one fails to start, the other is stopped before the error is thrown.
    static func start(flags: [String]) async throws -> GatewayPair {
        let goStart = Task { try await RunningGateway.start(.go, flags: flags) }
        let oursStart = Task { try await RunningGateway.start(.ours, flags: flags) }
        let go = await goStart.result
        let ours = await oursStart.result
        switch (go, ours) {
        case (.success(let go), .success(let ours)):
            return GatewayPair(go: go, ours: ours)
        case (.success(let started), .failure(let error)), (.failure(let error), .success(let started)):
            await started.stop()
            throw error
        case (.failure(let error), .failure):
            throw error
        }
    }

    /// Stops both gateways.
    func stop() async {
        async let go = self.go.stop()
        async let ours = self.ours.stop()
        _ = await (go, ours)
    }
}

/// Runs `body` with both gateways started with `flags`, and stops both afterwards whether `body` threw or not.
func withGatewayPair<T>(flags: [String] = [], _ body: (GatewayPair) async throws -> T) async throws -> T {
    let pair = try await GatewayPair.start(flags: flags)
    do {
        let value = try await body(pair)
        await pair.stop()
        return value
    } catch {
        await pair.stop()
        throw error
    }
}
