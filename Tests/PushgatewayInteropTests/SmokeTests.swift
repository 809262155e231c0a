import Testing

/// Both gateways start, answer, and stop.
@Suite(.interop)
struct SmokeTests {
    @Test(arguments: [RunningGateway.Kind.ours, .go])
    func gatewayStartsAndAnswers(_ kind: RunningGateway.Kind) async throws {
        try await withGateway(kind) { gateway in
            let put = try await send("PUT", "/metrics/job/smoke", port: gateway.port, text: "smoke_metric 1\n")
            #expect(put.status == 200)
            let scrape = try await send("GET", "/metrics", port: gateway.port)
            #expect(scrape.text.contains("smoke_metric{instance=\"\",job=\"smoke\"} 1"))
        }
    }
}
