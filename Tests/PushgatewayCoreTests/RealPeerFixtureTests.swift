import Testing

@testable import PushgatewayCore

/// Bodies and scrapes captured from client_golang 1.14, prometheus_client 0.26 and the Go Pushgateway 1.5.1.
struct RealPeerFixtureTests {
    let codec = ProtobufCodec()

    @Test func clientGolangProtobufPushRoundTripsByteForByte() throws {
        let body = Fixtures.bytes("client_golang_push.pb")
        let families = try self.codec.decodeDelimited(body)
        #expect(families.count == 4)
        #expect(self.codec.encodeDelimited(families) == body)
    }

    @Test func clientGolangPushCarriesNativeHistogramAndExemplars() throws {
        let families = try self.codec.decodeDelimited(Fixtures.bytes("client_golang_push.pb"))
        let sizes = try #require(families.first { $0.name == "fixture_size_bytes" })
        guard case .histogram(let histogram) = sizes.metrics.first?.value else {
            Issue.record("fixture_size_bytes is not a histogram")
            return
        }
        #expect(histogram.isNative)
        #expect(histogram.schema == 3)
        #expect(histogram.sampleCount == 4)
        #expect(histogram.buckets.map(\.upperBound) == [100, 1000, 10000])
        #expect(histogram.buckets.contains { $0.exemplar?.labels == [LabelPair(name: "trace_id", value: "abc123")] })

        let requests = try #require(families.first { $0.name == "fixture_requests_total" })
        #expect(
            requests.metrics.contains { metric in
                if case .counter(let counter) = metric.value {
                    return counter.exemplar?.labels == [LabelPair(name: "trace_id", value: "def456")]
                }
                return false
            }
        )
        #expect(Set(requests.metrics.flatMap(\.labels).map(\.value)) == ["/api/v1", "a\"b\\c\nd", "Προμηθεύς"])
    }

    @Test func clientGolangTextPushMatchesItsProtobufPush() throws {
        let text = try TextFormatParser().parse(Fixtures.bytes("client_golang_push_text.txt"))
        let protobuf = try self.codec.decodeDelimited(Fixtures.bytes("client_golang_push.pb"))
        #expect(text.map(\.name).sorted() == protobuf.map(\.name).sorted())
        // Text cannot carry exemplars or native buckets; what it carries must agree.
        let fromProtobuf = protobuf.sorted { $0.name < $1.name }
        let fromText = text.sorted { $0.name < $1.name }
        #expect(TextFormatEncoder.encode(fromText) == TextFormatEncoder.encode(fromProtobuf))
    }

    @Test func pythonClientTextPushParses() throws {
        let families = try TextFormatParser().parse(Fixtures.bytes("python_client_push.txt"))
        let byName = Dictionary(uniqueKeysWithValues: families.map { ($0.name, $0) })
        #expect(byName["fixture_jobs_total"]?.metrics.first?.labels == [LabelPair(name: "kind", value: "nightly \"full\" backup")])
        #expect(byName["fixture_jobs_total"]?.metrics.first?.value == .counter(Counter(value: 4)))
        #expect(byName["fixture_last_success_unixtime"]?.metrics.first?.value == .gauge(1_700_000_000.5))
        #expect(byName["fixture_duration_seconds"]?.metrics.first?.value == .summary(Summary(sampleCount: 2, sampleSum: 1.75)))
        guard case .histogram(let items) = byName["fixture_items"]?.metrics.first?.value else {
            Issue.record("fixture_items is not a histogram")
            return
        }
        #expect(items.buckets.map(\.cumulativeCount) == [1, 2, 3, 4])
        #expect(items.sampleCount == 4)
        #expect(items.sampleSum == 555.5)
    }

    @Test func goPushgatewayTextScrapeRoundTripsByteForByte() throws {
        let scrape = Fixtures.bytes("pushgateway_scrape.txt")
        let families = try TextFormatParser().parse(scrape)
        #expect(families.count == 51)
        #expect(TextFormatEncoder.encode(families) == scrape)
    }

    @Test func goPushgatewayProtobufScrapeRoundTripsByteForByte() throws {
        let scrape = Fixtures.bytes("pushgateway_scrape.pb")
        let families = try self.codec.decodeDelimited(scrape)
        #expect(families.count == 51)
        #expect(self.codec.encodeDelimited(families) == scrape)
    }

    @Test func protobufScrapeWrittenAsTextMatchesTheTextScrape() throws {
        // The gateway's own go_*/process_* values move between the two scrapes; the pushed groups do not.
        let pushed: (MetricFamily) -> Bool = { $0.name.hasPrefix("fixture_") || $0.name.hasPrefix("push_") }
        let fromProtobuf = try self.codec.decodeDelimited(Fixtures.bytes("pushgateway_scrape.pb")).filter(pushed)
        let fromText = try TextFormatParser().parse(Fixtures.bytes("pushgateway_scrape.txt")).filter(pushed)
        #expect(fromProtobuf.count == 13)
        #expect(
            String(decoding: TextFormatEncoder.encode(fromProtobuf), as: UTF8.self)
                == String(decoding: TextFormatEncoder.encode(fromText), as: UTF8.self)
        )
    }
}
