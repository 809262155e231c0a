import Hummingbird
import HummingbirdTesting
import NIOCore
import PushgatewayCore
import Testing

@testable import PushgatewayServer

/// Pushes that are decoded, parsed and stored on the thread pool (compressed, or from 64 KiB on).
struct HeavyPushTests {
    /// A text body of `count` series of one gauge, larger than the offload threshold for a few thousand.
    private static func body(series count: Int) -> String {
        "# TYPE heavy gauge\n" + (0..<count).map { "heavy{series=\"\($0)\"} \($0)\n" }.joined()
    }

    @Test(arguments: ["identity", "gzip", "snappy"])
    func largePushesAreStoredFromTheThreadPool(encoding: String) async throws {
        let text = Self.body(series: 10_000)
        #expect(text.utf8.count > PushgatewayResponder.offloadThreshold)
        let bytes: [UInt8]
        switch encoding {
        case "gzip": bytes = try gzipped(text)
        case "snappy": bytes = snappyFramedUncompressed(Array(text.utf8))
        default: bytes = Array(text.utf8)
        }
        let headers: HTTPFields = encoding == "identity" ? [:] : [.contentEncoding: encoding]
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.put, "/metrics/job/heavy", bytes: bytes, headers: headers)
            #expect(response.status == .ok)
            let exposition = try await client.scrape()
            #expect(samples(of: "heavy", in: exposition).count == 10_000)
            #expect(exposition.contains("heavy{instance=\"\",job=\"heavy\",series=\"9999\"} 9999\n"))
        }
    }

    @Test func storeRejectionOfALargePushIsABadRequest() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let first = try await client.send(.put, "/metrics/job/a", body: "# TYPE heavy counter\nheavy 1\n")
            #expect(first.status == .ok)
            let response = try await client.send(.put, "/metrics/job/b", body: Self.body(series: 5_000))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("heavy"))
        }
    }
}

/// A framed snappy stream of uncompressed chunks holding `bytes`.
private func snappyFramedUncompressed(_ bytes: [UInt8]) -> [UInt8] {
    var output: [UInt8] = [0xFF, 6, 0, 0] + Array("sNaPpY".utf8)
    var start = 0
    while start < bytes.count {
        let chunk = Array(bytes[start..<min(start + 65_536, bytes.count)])
        let checksum = SnappyBody.maskedCRC32C(chunk)
        let length = chunk.count + 4
        output += [0x01, UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16)]
        output += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: checksum >> $0) } + chunk
        start += 65_536
    }
    return output
}
