import Testing

/// A suite trait that starts Debian's Go gateway and ours once for the whole suite, with the admin API on (the
/// cases are separated by wipes), and stops both when the suite ends, however it ends.
struct ConformanceGateways: SuiteTrait, TestScoping {
    /// The pair of the running suite; `nil` outside it.
    @TaskLocal static var current: GatewayPair?

    /// The flags both gateways get.
    static let flags = ["--web.enable-admin-api"]

    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withGatewayPair(flags: Self.flags) { pair in
            try await Self.$current.withValue(pair) {
                try await function()
            }
        }
    }
}

extension Trait where Self == ConformanceGateways {
    /// Both gateways, started once for the suite.
    static var conformanceGateways: Self { ConformanceGateways() }
}
