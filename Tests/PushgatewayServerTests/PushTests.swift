import Hummingbird
import HummingbirdTesting
import PushgatewayCore
import Testing

@testable import PushgatewayServer

struct PushTests {
    // MARK: Status codes

    @Test func checkedPushIsOKAndShowsUpInTheScrape() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let put = try await client.send(
                .put,
                "/metrics/job/some_job/instance/some_instance",
                body: "# TYPE some_metric counter\nsome_metric{label=\"val1\"} 42\n"
            )
            #expect(put.status == .ok)
            #expect(put.body.readableBytes == 0)
            #expect(put.headers[.contentType] == nil)
            let post = try await client.send(.post, "/metrics/job/some_job/instance/some_instance", body: "another_metric 2398.283\n")
            #expect(post.status == .ok)

            let exposition = try await client.scrape()
            #expect(exposition.contains("some_metric{instance=\"some_instance\",job=\"some_job\",label=\"val1\"} 42\n"))
            #expect(exposition.contains("another_metric{instance=\"some_instance\",job=\"some_job\"} 2398.283\n"))
            #expect(exposition.contains("push_failure_time_seconds{instance=\"some_instance\",job=\"some_job\"} 0\n"))
        }
    }

    @Test func uncheckedPushIsAccepted() async throws {
        let app = try makeApplication { $0.disableConsistencyCheck = true }
        try await app.test(.router) { client in
            let put = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            #expect(put.status == .accepted)
            let post = try await client.send(.post, "/metrics/job/a", body: "foo 2\n")
            #expect(post.status == .accepted)
            // A push the store rejects is still accepted, as upstream answers before the store looks at it.
            let rejected = try await client.send(.post, "/metrics/job/a", body: "foo 3 1000\n")
            #expect(rejected.status == .accepted)
            let exposition = try await client.scrape()
            #expect(samples(of: "foo", in: exposition) == ["foo{instance=\"\",job=\"a\"} 2"])
        }
    }

    @Test func deleteIsAcceptedWhetherOrNotTheGroupExists() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            #expect(try await client.send(.put, "/metrics/job/a/x/1", body: "foo 1\n").status == .ok)
            #expect(try await client.send(.put, "/metrics/job/a", body: "bar 1\n").status == .ok)
            let delete = try await client.send(.delete, "/metrics/job/a/x/1", body: "ignored garbage")
            #expect(delete.status == .accepted)
            #expect(delete.body.readableBytes == 0)
            #expect(try await client.send(.delete, "/metrics/job/nothing").status == .accepted)
            let exposition = try await client.scrape()
            #expect(samples(of: "foo", in: exposition).isEmpty)
            #expect(samples(of: "bar", in: exposition) == ["bar{instance=\"\",job=\"a\"} 1"])
        }
    }

    @Test func putReplacesTheGroupAndPostOnlyTheNamedFamilies() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\nbar 1\n")
            _ = try await client.send(.post, "/metrics/job/a", body: "foo 2\n")
            var exposition = try await client.scrape()
            #expect(samples(of: "foo", in: exposition) == ["foo{instance=\"\",job=\"a\"} 2"])
            #expect(samples(of: "bar", in: exposition) == ["bar{instance=\"\",job=\"a\"} 1"])
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 3\n")
            exposition = try await client.scrape()
            #expect(samples(of: "foo", in: exposition) == ["foo{instance=\"\",job=\"a\"} 3"])
            #expect(samples(of: "bar", in: exposition).isEmpty)
        }
    }

    // MARK: 400 answers

    @Test func parseErrorIsABadRequestWithoutFailureTimestamp() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.put, "/metrics/job/a", body: "foo 1")
            #expect(response.status == .badRequest)
            #expect(response.text == "text format parsing error in line 1: unexpected end of input stream\n")
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            #expect(try await client.send(.get, "/api/v1/metrics").text == #"{"status":"success","data":[]}"#)
        }
    }

    @Test func storeRejectionIsABadRequestAndRecordsTheFailure() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.put, "/metrics/job/a", body: "foo 1 1000\n")
            #expect(response.status == .badRequest)
            #expect(
                response.text
                    == "pushed metrics are invalid or inconsistent with existing metrics: pushed metrics must not have timestamps\n"
            )
            let exposition = try await client.scrape()
            #expect(samples(of: "push_failure_time_seconds", in: exposition).count == 1)
            #expect(samples(of: "push_time_seconds", in: exposition) == ["push_time_seconds{instance=\"\",job=\"a\"} 0"])
            #expect(try await client.send(.get, "/api/v1/metrics").text.contains(#""last_push_successful":false"#))
        }
    }

    @Test func inconsistentPushIsRejected() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            #expect(try await client.send(.put, "/metrics/job/a", body: "# TYPE foo counter\nfoo 1\n").status == .ok)
            let response = try await client.send(.put, "/metrics/job/b", body: "# TYPE foo gauge\nfoo 1\n")
            #expect(response.status == .badRequest)
            #expect(response.text.hasPrefix("pushed metrics are invalid or inconsistent with existing metrics: "))
            // A push may not change the type of one of the gateway's own families either.
            let own = try await client.send(.put, "/metrics/job/c", body: "# TYPE process_open_fds counter\nprocess_open_fds 1\n")
            #expect(own.status == .badRequest)
        }
    }

    @Test(arguments: [
        ("/metrics/job@base64/=", "job name is required"),
        ("/metrics/job/a/x", "odd number of components in label string \"/x\""),
        ("/metrics/job/a/__x/1", "improper label name \"__x\""),
        ("/metrics/job/a/x.y/1", "improper label name \"x.y\""),
        ("/metrics/job/a/x@base64/a+b", "invalid base64 encoding for label x=\"a+b\": illegal base64 data at input byte 1"),
        ("/metrics/job@base64/Zm9v!", "invalid base64 encoding in job name \"foo\": illegal base64 data at input byte 4"),
    ])
    func groupingKeyErrorsAreBadRequests(path: String, message: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            for method in [HTTPRequest.Method.put, .post, .delete] {
                let response = try await client.send(method, path, body: "foo 1\n")
                #expect(response.status == .badRequest, "\(method) \(path)")
                #expect(response.text == message + "\n", "\(method) \(path)")
            }
        }
    }

    @Test func groupingKeyIsDecodedAsUpstreamDoes() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            #expect(
                try await client.send(.put, "/metrics/job@base64/Zm9v/path@base64/L3Zhci90bXA/empty@base64/=", body: "a 1\n").status == .ok
            )
            #expect(try await client.send(.put, "/metrics/job/baz/x/a%20b/job/ignored", body: "c 1\n").status == .ok)
            #expect(try await client.send(.put, "/metrics/job/qux/x/%25", body: "d 1\n").status == .ok)
            let exposition = try await client.scrape()
            #expect(samples(of: "a", in: exposition) == ["a{empty=\"\",instance=\"\",job=\"foo\",path=\"/var/tmp\"} 1"])
            #expect(samples(of: "c", in: exposition) == ["c{instance=\"\",job=\"baz\",x=\"a b\"} 1"])
            #expect(samples(of: "d", in: exposition) == ["d{instance=\"\",job=\"qux\",x=\"%\"} 1"])
        }
    }

    @Test func encodedSlashSplitsTheLabels() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            // Go decodes the path before routing: `/x/a/b` has three components.
            let response = try await client.send(.put, "/metrics/job/bar/x/a%2Fb", body: "b 1\n")
            #expect(response.status == .badRequest)
            #expect(response.text == "odd number of components in label string \"/x/a/b\"\n")
        }
    }

    // MARK: Bodies

    @Test func protobufPushIsDecodedByContentType() async throws {
        let family = MetricFamily(
            name: "proto_metric",
            help: "From protobuf.",
            type: .gauge,
            metrics: [Metric(labels: [LabelPair(name: "x", value: "y")], value: .gauge(7))]
        )
        let body = ProtobufCodec().encodeDelimited([family])
        let app = try makeApplication()
        try await app.test(.router) { client in
            let protobuf = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
            let response = try await client.send(.put, "/metrics/job/p", bytes: body, headers: [.contentType: protobuf])
            #expect(response.status == .ok)
            #expect(samples(of: "proto_metric", in: try await client.scrape()) == ["proto_metric{instance=\"\",job=\"p\",x=\"y\"} 7"])

            // The same bytes under any other Content-Type go to the text parser.
            let asText = try await client.send(
                .put,
                "/metrics/job/p",
                bytes: body,
                headers: [.contentType: "application/vnd.google.protobuf"]
            )
            #expect(asText.status == .badRequest)
            #expect(asText.text.hasPrefix("text format parsing error in line 1: "))

            let truncated = try await client.send(.put, "/metrics/job/p", bytes: Array(body.dropLast()), headers: [.contentType: protobuf])
            #expect(truncated.status == .badRequest)
        }
    }

    @Test func gzipBodiesAreDecompressed() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let body = try gzipped("zipped 1\n")
            let response = try await client.send(.put, "/metrics/job/z", bytes: body, headers: [.contentEncoding: "GZIP"])
            #expect(response.status == .ok)
            #expect(samples(of: "zipped", in: try await client.scrape()) == ["zipped{instance=\"\",job=\"z\"} 1"])
        }
    }

    @Test(arguments: [
        ([UInt8](), "EOF"),
        ([0x1F, 0x8B, 0x08], "unexpected EOF"),
        (Array("not gzip at all".utf8), "gzip: invalid header"),
    ])
    func badGzipHeaderIsRejectedBeforeRouting(body: [UInt8], message: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            for (method, path) in [(HTTPRequest.Method.put, "/metrics/job/z"), (.get, "/metrics"), (.get, "/nothing")] {
                let response = try await client.send(method, path, bytes: body, headers: [.contentEncoding: "gzip"])
                #expect(response.status == .badRequest, "\(method) \(path)")
                #expect(response.text == message + "\n", "\(method) \(path)")
            }
            // The API routes are not decoded.
            let api = try await client.send(.get, "/api/v1/status", bytes: body, headers: [.contentEncoding: "gzip"])
            #expect(api.status == .ok)
        }
    }

    @Test func corruptGzipStreamIsABadRequestOnPushOnly() async throws {
        var corrupted = try gzipped(String(repeating: "corrupt 1\n", count: 50))
        corrupted[12] ^= 0xFF
        corrupted[13] ^= 0xFF
        let body = corrupted
        let app = try makeApplication()
        try await app.test(.router) { client in
            let push = try await client.send(.put, "/metrics/job/z", bytes: body, headers: [.contentEncoding: "gzip"])
            #expect(push.status == .badRequest)
            #expect(
                push.text.hasPrefix("flate: corrupt input before offset ") || push.text == "gzip: invalid checksum\n"
                    || push.text == "unexpected EOF\n"
            )
            let truncated = try await client.send(
                .put,
                "/metrics/job/z",
                bytes: Array(try gzipped("x 1\n").dropLast(3)),
                headers: [.contentEncoding: "gzip"]
            )
            #expect(truncated.status == .badRequest)
            #expect(truncated.text == "unexpected EOF\n")
            // A handler that does not read the body does not see the corruption.
            let scrape = try await client.send(.get, "/metrics", bytes: body, headers: [.contentEncoding: "gzip"])
            #expect(scrape.status == .ok)
        }
    }

    @Test func snappyBodiesAreDecodedAsUpstreamReadsThem() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            // A framed stream as Python's prometheus_client (python-snappy's StreamCompressor) sends it for
            // a short body: stream identifier, then one uncompressed chunk.
            let body = Array("foo 1\n".utf8)
            let checksum = SnappyBody.maskedCRC32C(body)
            let framed: [UInt8] =
                [0xFF, 6, 0, 0] + Array("sNaPpY".utf8) + [0x01, UInt8(body.count + 4), 0, 0]
                + [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: checksum >> $0) } + body
            let response = try await client.send(.put, "/metrics/job/s", bytes: framed, headers: [.contentEncoding: "snappy"])
            #expect(response.status == .ok)
            #expect(samples(of: "foo", in: try await client.scrape()) == ["foo{instance=\"\",job=\"s\"} 1"])

            let corrupt = try await client.send(.put, "/metrics/job/s", body: "foo 1\n", headers: [.contentEncoding: "snappy"])
            #expect(corrupt.status == .badRequest)
            #expect(corrupt.text == "snappy: corrupt input\n")
            // Other encodings pass through untouched, as upstream.
            let deflate = try await client.send(.put, "/metrics/job/s", body: "foo 1\n", headers: [.contentEncoding: "deflate"])
            #expect(deflate.status == .ok)
        }
    }

    @Test func bodiesOverTheLimitAreTooLarge() async throws {
        let app = try makeApplication { $0.maxBodySize = 64 }
        try await app.test(.router) { client in
            let small = try await client.send(.put, "/metrics/job/l", body: "foo 1\n")
            #expect(small.status == .ok)
            let large = try await client.send(.put, "/metrics/job/l", body: String(repeating: "foo 1\n", count: 20))
            #expect(large.status == .contentTooLarge)
            #expect(large.text == "request body too large: the limit is 64 bytes (--push.max-body-size)\n")
            // A small gzip body that inflates beyond the limit.
            let bomb = try gzipped(String(repeating: "foo 1\n", count: 1000))
            #expect(bomb.count < 64)
            let inflated = try await client.send(.put, "/metrics/job/l", bytes: bomb, headers: [.contentEncoding: "gzip"])
            #expect(inflated.status == .contentTooLarge)
            // The URL is checked before the body is read.
            let badURL = try await client.send(.put, "/metrics/job/l/odd", body: String(repeating: "foo 1\n", count: 20))
            #expect(badURL.status == .badRequest)
        }
    }

    @Test func utf8NamesNeedTheFlag() async throws {
        let body = "{\"my.metric\",\"a.b\"=\"v\"} 1\n"
        let legacy = try makeApplication()
        try await legacy.test(.router) { client in
            let response = try await client.send(.put, "/metrics/job/u", body: body)
            #expect(response.status == .badRequest)
        }
        let utf8 = try makeApplication { $0.enableUTF8Names = true }
        try await utf8.test(.router) { client in
            let quoted = try await client.send(.put, "/metrics/job/u", body: body)
            #expect(quoted.status == .ok)
            let escapedLabel = try await client.send(.put, "/metrics/job/u/U__a_2e_b/v", body: "x 1\n")
            #expect(escapedLabel.status == .ok)
        }
    }

    // MARK: Grouping values

    @Test func groupingValueThatIsNotUTF8IsRefused() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.put, "/metrics/job/x/instance/%FF%FE", body: "utf8_check 1\n")
            #expect(response.status == .badRequest)
            #expect(response.text == "grouping label instance has a value that is not valid UTF-8: \"\\xff\\xfe\"\n")
            let exposition = try await client.scrape()
            #expect(samples(of: "utf8_check", in: exposition).isEmpty)
        }
    }

    @Test func groupingValuesAreDecodedOnce() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            // `%2541` is `%41` once decoded, and stays so (decoded twice it would be `A`).
            let response = try await client.send(.put, "/metrics/job/x/a/100%2541", body: "once 1\n")
            #expect(response.status == .ok)
            let exposition = try await client.scrape()
            #expect(samples(of: "once", in: exposition) == ["once{a=\"100%41\",instance=\"\",job=\"x\"} 1"])
        }
    }
}
