import Hummingbird
import HummingbirdTesting
import PushgatewayCore
import Testing

@testable import PushgatewayServer

/// The same gateway on a real socket.
struct LiveTests {
    @Test func pushAndScrapeOverASocket() async throws {
        let app = try makeApplication()
        try await app.test(.live) { client in
            let put = try await client.send(
                .put,
                "/metrics/job/live/instance/i1",
                bytes: try gzipped("live_metric 1\n"),
                headers: [.contentEncoding: "gzip"]
            )
            #expect(put.status == .ok)
            let protobuf = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
            let body = ProtobufCodec().encodeDelimited([
                MetricFamily(name: "live_proto", type: .counter, metrics: [Metric(value: .counter(Counter(value: 2)))])
            ])
            #expect(
                try await client.send(.post, "/metrics/job/live/instance/i1", bytes: body, headers: [.contentType: protobuf]).status == .ok
            )

            let scrape = try await client.send(.get, "/metrics", headers: [.acceptEncoding: "gzip"])
            #expect(scrape.status == .ok)
            #expect(scrape.headers[.contentEncoding] == "gzip")
            let text = String(decoding: try GzipBody.decompress(scrape.bytes, limit: 1 << 24), as: UTF8.self)
            #expect(samples(of: "live_metric", in: text) == ["live_metric{instance=\"i1\",job=\"live\"} 1"])
            #expect(samples(of: "live_proto", in: text) == ["live_proto{instance=\"i1\",job=\"live\"} 2"])

            #expect(try await client.send(.delete, "/metrics/job/live/instance/i1").status == .accepted)
            #expect(try await client.send(.get, "/api/v1/metrics").text == #"{"status":"success","data":[]}"#)
        }
    }

    @Test func largeScrapesStreamInChunksWithAndWithoutGzip() async throws {
        let app = try makeApplication()
        try await app.test(.live) { client in
            // About 300 KiB of exposition: several 64 KiB chunks, so the gzip stream spans many writes.
            let body = (0..<4000).map { "streamed_metric{series=\"s\($0)\",padding=\"\(String(repeating: "p", count: 40))\"} \($0)\n" }
                .joined()
            #expect(try await client.send(.put, "/metrics/job/stream", body: body).status == .ok)

            let plain = try await client.send(.get, "/metrics")
            #expect(plain.status == .ok)
            #expect(plain.headers[.contentLength] == nil)
            #expect(plain.bytes.count > 4 << 16)
            #expect(samples(of: "streamed_metric", in: plain.text).count == 4000)

            let compressed = try await client.send(.get, "/metrics", headers: [.acceptEncoding: "gzip"])
            #expect(compressed.headers[.contentEncoding] == "gzip")
            let inflated = String(decoding: try GzipBody.decompress(compressed.bytes, limit: 1 << 24), as: UTF8.self)
            #expect(samples(of: "streamed_metric", in: inflated) == samples(of: "streamed_metric", in: plain.text))

            let protobuf = try await client.send(
                .get,
                "/metrics",
                headers: [.accept: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"]
            )
            let families = try ProtobufCodec().decodeDelimited(protobuf.bytes)
            #expect(families.first { $0.name == "streamed_metric" }?.metrics.count == 4000)
        }
    }

    @Test func routingAnswersOverASocket() async throws {
        let app = try makeApplication()
        try await app.test(.live) { client in
            let redirect = try await client.send(.put, "/metrics/job/a//b", body: "foo 1\n")
            #expect(redirect.status == .movedPermanently)
            #expect(redirect.headers[.location] == "/metrics/job/a/b")

            let head = try await client.send(.head, "/metrics")
            #expect(head.status == .methodNotAllowed)
            #expect(head.headers[.allow] == "GET, OPTIONS")

            let notAllowed = try await client.send(.get, "/metrics/job/x")
            #expect(notAllowed.status == .methodNotAllowed)
            #expect(notAllowed.text == "Method Not Allowed\n")

            let unparsable = try await client.send(.put, "/metrics/job/a", body: String(repeating: "x", count: 10))
            #expect(unparsable.status == .badRequest)
        }
    }
}
