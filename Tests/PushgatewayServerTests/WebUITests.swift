import Hummingbird
import HummingbirdTesting
import NIOCore
import PushgatewayCore
import PushgatewayStorage
import Testing

@testable import PushgatewayServer

private let protobufContentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

struct WebUITests {
    // MARK: Page

    @Test(arguments: ["/", "/status"])
    func pageIsServedAtRootAndStatus(path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, path)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            let page = response.text
            #expect(page.contains("<title>Prometheus Pushgateway</title>"))
            #expect(page.contains(##"<a class="pg-brand" href="#">Pushgateway</a>"##))
            #expect(page.contains(##"<a id="pg-tab-metrics" class="pg-tab" href="#metrics" aria-current="page">Metrics</a>"##))
            #expect(page.contains(##"<a id="pg-tab-status" class="pg-tab" href="#status">Status</a>"##))
            #expect(page.contains(#"href="https://github.com/prometheus/pushgateway/blob/master/README.md""#))
            #expect(page.contains(#"<main id="pg-metrics""#))
            #expect(page.contains(#"<main id="pg-status""#))
            #expect(page.contains(#"<input id="pg-filter""#))
            #expect(page.contains(#"<div id="pg-error""#))
            #expect(page.contains(#"<dialog id="pg-confirm""#))
            #expect(page.contains(#"<button id="pg-confirm-yes""#))
            #expect(page.contains(#"<button id="pg-confirm-no""#))
            #expect(page.contains("No metrics have been pushed yet."))
            #expect(page.contains(#"<script defer src="./static/pushgateway.js?v=\#(UIAssets.version)"></script>"#))
            #expect(page.contains(#"<link rel="stylesheet" href="./static/pushgateway.css?v=\#(UIAssets.version)">"#))
        }
    }

    @Test func groupsShowColouredBadgesInKeyOrderJobFirst() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/batch/zone/eu/instance/host1/app/web", body: "foo 1\nbar 2\n")
            let page = try await client.send(.get, "/").text
            #expect(
                page.contains(
                    #"<div class=pg-group data-group="job@base64/YmF0Y2g/app@base64/d2Vi/instance@base64/aG9zdDE/zone@base64/ZXU" data-n=0>"#
                        + #"<b>job=&#34;batch&#34;</b><b class=o>app=&#34;web&#34;</b><b class=i>instance=&#34;host1&#34;</b>"#
                        + #"<b class=o>zone=&#34;eu&#34;</b></div>"#
                )
            )
            #expect(
                page.contains(
                    #"<script type="application/json" id="pg-names">["bar foo push_failure_time_seconds push_time_seconds"]</script>"#
                )
            )
            #expect(!page.contains("pg-failed"))
            #expect(page.contains(#"<p id="pg-empty" class="pg-note" hidden>"#))
        }
    }

    @Test func sharedFamilyNameListsAreWrittenOnce() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            _ = try await client.send(.put, "/metrics/job/b", body: "foo 1\n")
            _ = try await client.send(.put, "/metrics/job/c", body: "bar 1\n")
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"<div class=pg-group data-group="job@base64/YQ" data-n=0>"#))
            #expect(page.contains(#"<div class=pg-group data-group="job@base64/Yg"><b>"#))
            #expect(page.contains(#"<div class=pg-group data-group="job@base64/Yw" data-n=1>"#))
            #expect(
                page.contains(
                    #"id="pg-names">["foo push_failure_time_seconds push_time_seconds","bar push_failure_time_seconds push_time_seconds"]<"#
                )
            )
        }
    }

    @Test func labelNamesThatAreNotLegacyAreGoQuotedAndEscapedInThePath() async throws {
        let app = try makeApplication { $0.enableUTF8Names = true }
        try await app.test(.router) { client in
            let push = try await client.send(.put, "/metrics/job/j/U__a_2e_b/v", body: "foo 1\n")
            #expect(push.status == .ok)
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"data-group="job@base64/ag/U__a_2e_b@base64/dg""#))
            #expect(page.contains(#"<b class=o>&#34;a.b&#34;=&#34;v&#34;</b>"#))
            // The path the page uses reaches the group.
            let fragment = try await client.send(.get, "/ui/group/job@base64/ag/U__a_2e_b@base64/dg").text
            #expect(fragment.contains(#"<span class="pg-family-name">foo</span>"#))
        }
    }

    @Test func emptyAndNonASCIIValuesGetPathsTheRoutesDecode() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            // job "a/b", instance "" (added), label x = "ü €".
            _ = try await client.send(.put, "/metrics/job@base64/YS9i/x@base64/w7wg4oKs", body: "foo 1\n")
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"data-group="job@base64/YS9i/x@base64/w7wg4oKs""#))
            let fragment = try await client.send(.get, "/ui/group/job@base64/YS9i/x@base64/w7wg4oKs").text
            #expect(fragment.contains(#"<span class="pg-badge pg-label">x=&#34;ü €&#34;</span>"#))
            #expect(fragment.contains(#"<span class="pg-badge pg-instance">instance=&#34;&#34;</span>"#))

            _ = try await client.send(.put, "/metrics/job/e/instance@base64/=", body: "bar 1\n")
            #expect(try await client.send(.get, "/").text.contains(#"data-group="job@base64/ZQ/instance@base64/=""#))
            let delete = try await client.send(.delete, "/metrics/job@base64/ZQ/instance@base64/=")
            #expect(delete.status == .accepted)
            #expect(!(try await client.send(.get, "/").text.contains("ZQ")))
        }
    }

    @Test func failedLastPushShowsThePill() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/ok", body: "foo 1\n")
            _ = try await client.send(.put, "/metrics/job/bad", body: "foo 1\n")
            let rejected = try await client.send(.put, "/metrics/job/bad", body: "foo 1 1000\n")
            #expect(rejected.status == .badRequest)
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"<b>job=&#34;bad&#34;</b><em class=pg-failed>Last push failed!</em></div>"#))
            #expect(page.contains(#"<b>job=&#34;ok&#34;</b></div>"#))
            #expect(page.ranges(of: "Last push failed!").count == 1)
        }
    }

    @Test func deleteAllNeedsTheAdminAPI() async throws {
        let disabled = try makeApplication()
        try await disabled.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            #expect(!(try await client.send(.get, "/").text.contains("pg-delete-all")))
        }
        let enabled = try makeApplication { $0.enableAdminAPI = true }
        try await enabled.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo 1\n")
            _ = try await client.send(.put, "/metrics/job/b", body: "foo 1\n")
            #expect(
                try await client.send(.get, "/").text.contains(
                    #"<button id="pg-delete-all" class="pg-button pg-danger" type="button">Delete All 2 Groups</button>"#
                )
            )
        }
    }

    @Test func statusTabShowsStartBuildFlagsAndStore() async throws {
        let app = try makeApplication {
            $0.persistenceFile = "/nonexistent-dir-for-ui-test/pg.db"
            // Snapshots only: with the write-ahead log the push below would be refused, as it cannot be logged.
            $0.persistenceSync = .interval
        }
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/metrics/job/a", body: "foo{x=\"1\"} 1\nfoo{x=\"2\"} 1\n")
            let page = try await client.send(.get, "/status").text
            #expect(page.contains(#"<tr><th scope="row">Started</th><td>"#))
            #expect(page.contains(#"<tr><th scope="row">Groups</th><td>1</td></tr>"#))
            // foo twice, push_time_seconds, push_failure_time_seconds.
            #expect(page.contains(#"<tr><th scope="row">Series</th><td>4</td></tr>"#))
            #expect(page.contains(#"<tr><th scope="row">Persistence file</th><td>/nonexistent-dir-for-ui-test/pg.db</td></tr>"#))
            #expect(page.contains(#"<tr><th scope="row">Last successful persist</th>"#))
            #expect(page.contains(#"<tr><th scope="row">version</th><td>\#(BuildInformation.version)</td></tr>"#))
            #expect(page.contains(#"<tr><th scope="row">Swift toolchain</th><td>\#(BuildInformation.toolchainVersion)</td></tr>"#))
            #expect(page.contains(#"<tr><th scope="row">web.listen-address</th><td>127.0.0.1:0</td></tr>"#))
            #expect(page.contains(#"<tr><th scope="row">persistence.file</th><td>/nonexistent-dir-for-ui-test/pg.db</td></tr>"#))
        }
    }

    @Test func statusTabShowsBytesHeldAndTheLastPersistOutcome() {
        let context = UIPage.Context(
            assetBase: ".",
            assetVersion: UIAssets.version,
            enableAdminAPI: false,
            startTime: Timestamp(seconds: 0),
            buildInformation: [],
            flags: [:],
            statistics: StoreStatistics(groups: 3, series: 12, bytes: 4096),
            persistence: PersistenceStatus(
                file: "/data/pg.db",
                lastSuccess: Timestamp(seconds: 1_700_000_000),
                lastError: "cannot create /data/pg.db.tmp: <No space left on device>"
            )
        )
        let page = String(decoding: UIPage.render(groups: [], context: context), as: UTF8.self)
        #expect(page.contains(#"<tr><th scope="row">Bytes held</th><td>4096</td></tr>"#))
        #expect(page.contains(#"<tr><th scope="row">Last successful persist</th><td>2023-11-14T22:13:20Z</td></tr>"#))
        #expect(page.contains("cannot create /data/pg.db.tmp: &lt;No space left on device&gt;"))

        let off = UIPage.Context(
            assetBase: ".",
            assetVersion: UIAssets.version,
            enableAdminAPI: false,
            startTime: Timestamp(seconds: 0),
            buildInformation: [],
            flags: [:],
            statistics: StoreStatistics(groups: 0, series: 0, bytes: 0),
            persistence: nil
        )
        let offPage = String(decoding: UIPage.render(groups: [], context: off), as: UTF8.self)
        #expect(offPage.contains("none (persistence is off)"))
        #expect(!offPage.contains("Last successful persist"))
    }

    // MARK: Escaping

    @Test func scriptInLabelValuesAndHelpShowsAsText() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            // job = "<script>"
            let push = try await client.send(
                .put,
                "/metrics/job@base64/PHNjcmlwdD4",
                body:
                    "# HELP foo Help with <script>alert(1)</script> & \"quotes\".\n# TYPE foo gauge\nfoo{x=\"<script>alert(2)</script>\"} 1\n"
            )
            #expect(push.status == .ok)
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"<b>job=&#34;&lt;script&gt;&#34;</b>"#))
            #expect(!page.contains("<script>"))
            let fragment = try await client.send(.get, "/ui/group/job@base64/PHNjcmlwdD4").text
            #expect(
                fragment.contains(#"<span class="pg-help">Help with &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;.</span>"#)
            )
            #expect(fragment.contains(#"<span class="pg-badge pg-label">x=&#34;&lt;script&gt;alert(2)&lt;/script&gt;&#34;</span>"#))
            #expect(!fragment.contains("<script"))
        }
    }

    @Test func familyNamesInTheNamesListCannotCloseTheScriptElement() async throws {
        let app = try makeApplication { $0.enableUTF8Names = true }
        try await app.test(.router) { client in
            let push = try await client.send(.put, "/metrics/job/a", body: "{\"</script><b>x\"} 1\n")
            #expect(push.status == .ok)
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"["\u003c/script\u003e\u003cb\u003ex push_failure_time_seconds push_time_seconds"]"#))
            #expect(!page.contains("</script><b>"))
        }
    }

    // MARK: Group fragment

    @Test func fragmentShowsCounterGaugeAndUntypedValues() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let body = """
                # HELP c_total A counter.
                # TYPE c_total counter
                c_total{path="/a"} 1.5e6
                # TYPE g gauge
                g -0.25
                g2 1e-07
                # TYPE u untyped
                u 42

                """
            _ = try await client.send(.put, "/metrics/job/types", body: body)
            let response = try await client.send(.get, "/ui/group/job/types")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let fragment = response.text
            #expect(
                fragment.contains(
                    #"<details class="pg-family">"# + "\n"
                        + #"<summary class="pg-family-header"><span class="pg-family-name">c_total</span> <span class="pg-type">counter</span> <span class="pg-help">A counter.</span> <span class="pg-time">last pushed: <time>"#
                )
            )
            #expect(fragment.contains("<thead><tr><th>Labels</th><th>Value</th></tr></thead>"))
            #expect(
                fragment.contains(
                    #"<tr><td class="pg-labels"><span class="pg-badge pg-instance">instance=&#34;&#34;</span> "#
                        + #"<span class="pg-badge pg-job">job=&#34;types&#34;</span> <span class="pg-badge pg-label">path=&#34;/a&#34;</span> </td>"#
                        + #"<td class="pg-value">1500000</td></tr>"#
                )
            )
            #expect(fragment.contains(#"<span class="pg-family-name">g</span> <span class="pg-type">gauge</span>"#))
            #expect(fragment.contains(#"<td class="pg-value">-0.25</td>"#))
            #expect(fragment.contains(#"<td class="pg-value">0.0000001</td>"#))
            #expect(fragment.contains(#"<span class="pg-family-name">u</span> <span class="pg-type">untyped</span>"#))
            #expect(fragment.contains(#"<td class="pg-value">42</td>"#))
            #expect(fragment.contains(#"<span class="pg-family-name">push_time_seconds</span>"#))
        }
    }

    @Test func fragmentShowsSummaryQuantilesCountAndSum() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let body = """
                # TYPE s summary
                s{quantile="0.5"} 12
                s{quantile="0.99"} 20.5
                s_sum 36.5
                s_count 3

                """
            _ = try await client.send(.put, "/metrics/job/sum", body: body)
            let fragment = try await client.send(.get, "/ui/group/job/sum").text
            #expect(fragment.contains(#"<span class="pg-type">summary</span>"#))
            #expect(
                fragment.contains(
                    #"""
                    <table class="pg-inner">
                    <tr><th scope="row">Quantile 0.5</th><td>12</td></tr>
                    <tr><th scope="row">Quantile 0.99</th><td>20.5</td></tr>
                    <tr><th scope="row">Sample Count</th><td>3</td></tr>
                    <tr><th scope="row">Sample Sum</th><td>36.5</td></tr>
                    </table>
                    """#
                )
            )
        }
    }

    @Test func fragmentShowsClassicHistogramBuckets() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let body = """
                # TYPE h histogram
                h_bucket{le="0.1"} 1
                h_bucket{le="1"} 2
                h_bucket{le="+Inf"} 3
                h_sum 4.25
                h_count 3

                """
            _ = try await client.send(.put, "/metrics/job/hist", body: body)
            let fragment = try await client.send(.get, "/ui/group/job/hist").text
            #expect(fragment.contains(#"<span class="pg-type">histogram</span>"#))
            #expect(
                fragment.contains(
                    #"""
                    <table class="pg-inner">
                    <tr><th scope="row">Sample values &le; 0.1</th><td>1</td></tr>
                    <tr><th scope="row">Sample values &le; 1</th><td>2</td></tr>
                    <tr><th scope="row">Sample values &le; +Inf</th><td>3</td></tr>
                    <tr><th scope="row">Total sample Count</th><td>3</td></tr>
                    <tr><th scope="row">Sample Sum</th><td>4.25</td></tr>
                    </table>
                    """#
                )
            )
            #expect(!fragment.contains("Native"))
        }
    }

    @Test func fragmentShowsNativeHistogramBucketsAsRanges() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let histogram = Histogram(
                sampleCount: 4,
                sampleSum: 2.5,
                schema: 0,
                zeroThreshold: 0.001,
                zeroCount: 1,
                negativeSpans: [BucketSpan(offset: 0, length: 1)],
                negativeDeltas: [1],
                positiveSpans: [BucketSpan(offset: 0, length: 2)],
                positiveDeltas: [1, 0]
            )
            let family = MetricFamily(name: "nh", help: "Native.", type: .histogram, metrics: [Metric(value: .histogram(histogram))])
            let push = try await client.send(
                .put,
                "/metrics/job/native",
                bytes: ProtobufCodec().encodeDelimited([family]),
                headers: [.contentType: protobufContentType]
            )
            #expect(push.status == .ok)
            let fragment = try await client.send(.get, "/ui/group/job/native").text
            #expect(fragment.contains(#"<tr><th scope="row">Total sample Count</th><td>4</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Native schema</th><td>0</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Zero threshold</th><td>0.001</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Positive spans</th><td>offset 0 length 2</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Native bucket [-1, -0.5)</th><td>1</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Native bucket [-0.001, 0.001]</th><td>1</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Native bucket (0.5, 1]</th><td>1</td></tr>"#))
            #expect(fragment.contains(#"<tr><th scope="row">Native bucket (1, 2]</th><td>1</td></tr>"#))
        }
    }

    @Test func fragmentShowsExemplars() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let exemplar = Exemplar(
                labels: [LabelPair(name: "trace_id", value: "<abc>")],
                value: 0.5,
                timestamp: Timestamp(seconds: 1_700_000_000)
            )
            let family = MetricFamily(
                name: "requests_total",
                help: nil,
                type: .counter,
                metrics: [Metric(value: .counter(Counter(value: 7, exemplar: exemplar)))]
            )
            let push = try await client.send(
                .put,
                "/metrics/job/ex",
                bytes: ProtobufCodec().encodeDelimited([family]),
                headers: [.contentType: protobufContentType]
            )
            #expect(push.status == .ok)
            let fragment = try await client.send(.get, "/ui/group/job/ex").text
            #expect(
                fragment.contains(
                    #"<td class="pg-value">7<div class="pg-exemplar"><span class="pg-muted">exemplar</span> "#
                        + #"{trace_id=&#34;&lt;abc&gt;&#34;} 0.5 @ 2023-11-14T22:13:20Z</div></td>"#
                )
            )
        }
    }

    @Test func fragmentOfAnUnknownGroupSaysItIsGone() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/ui/group/job/nothing/instance/x")
            #expect(response.status == .ok)
            #expect(response.text.contains("This group no longer exists."))
            #expect(!response.text.contains("pg-family"))
        }
    }

    @Test(arguments: ["/ui/group/job@base64/!!", "/ui/group/job/a/odd", "/ui/group/job/a/__x/y", "/ui/group/job@base64/="])
    func fragmentOfAMalformedPathIsRefused(path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, path)
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(!response.text.isEmpty)
        }
    }

    @Test func fragmentRequestsAreCountedAsStatus() async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            _ = try await client.send(.get, "/ui/group/job/a")
            _ = try await client.send(.get, "/static/pushgateway.css")
            let exposition = try await client.scrape()
            #expect(
                samples(of: "pushgateway_http_requests_total", in: exposition) == [
                    "pushgateway_http_requests_total{code=\"200\",handler=\"static\",method=\"get\"} 1",
                    "pushgateway_http_requests_total{code=\"200\",handler=\"status\",method=\"get\"} 1",
                ]
            )
        }
    }

    // MARK: Route prefix and external URL

    @Test func routePrefixServesEverythingUnderItWithRelativeAssetLinks() async throws {
        let app = try makeApplication { $0.routePrefix = "/pg/" }
        try await app.test(.router) { client in
            _ = try await client.send(.put, "/pg/metrics/job/a", body: "foo 1\n")
            for path in ["/pg/", "/pg/status"] {
                let page = try await client.send(.get, path)
                #expect(page.status == .ok)
                #expect(page.text.contains(#"href="./static/pushgateway.css?v="#))
                #expect(page.text.contains(#"data-group="job@base64/YQ""#))
            }
            #expect(try await client.send(.get, "/").status == .notFound)
            #expect(try await client.send(.get, "/pg/static/pushgateway.js").status == .ok)
            #expect(try await client.send(.get, "/static/pushgateway.js").status == .notFound)
            #expect(try await client.send(.get, "/pg/ui/group/job@base64/YQ").text.contains("pg-family-name"))
            #expect(try await client.send(.get, "/ui/group/job@base64/YQ").status == .notFound)
        }
    }

    @Test func externalURLPathPrefixesAssetLinksAndRoutes() async throws {
        let app = try makeApplication { $0.externalURL = "http://gateway.example/gw/" }
        try await app.test(.router) { client in
            let page = try await client.send(.get, "/gw/").text
            #expect(page.contains(#"<link rel="stylesheet" href="/gw/static/pushgateway.css?v=\#(UIAssets.version)">"#))
            #expect(page.contains(#"<script defer src="/gw/static/pushgateway.js?v=\#(UIAssets.version)"></script>"#))
            #expect(try await client.send(.get, "/gw/static/pushgateway.css").status == .ok)
        }
    }

    @Test func externalURLLinksAssetsEvenWhenTheRoutePrefixDiffers() async throws {
        // Behind a proxy that strips /gw: routes at the root, links through the proxy.
        let app = try makeApplication {
            $0.externalURL = "http://gateway.example/gw"
            $0.routePrefix = "/"
        }
        try await app.test(.router) { client in
            let page = try await client.send(.get, "/").text
            #expect(page.contains(#"href="/gw/static/pushgateway.css?v="#))
        }
    }

    // MARK: Static files

    @Test(arguments: [
        ("pushgateway.css", "text/css; charset=utf-8"),
        ("pushgateway.js", "application/javascript; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ])
    func assetsAreServedWithContentTypeAndLongCaching(file: String, contentType: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/static/\(file)?v=\(UIAssets.version)")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == contentType)
            #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(response.bytes == UIAssets.files[file]?.bytes)
            #expect(response.body.readableBytes > 100)
        }
    }

    @Test(arguments: ["/static/app.js", "/static/", "/static/pushgateway.css/x", "/static/../pushgateway.css"])
    func unknownAssetsAreNotFound(path: String) async throws {
        let app = try makeApplication()
        try await app.test(.router) { client in
            let response = try await client.send(.get, path)
            #expect(response.status == .notFound || response.status == .movedPermanently)
            if response.status == .notFound {
                #expect(response.text == "404 page not found\n")
            }
        }
    }

    // MARK: Scale

    @Test func pageOfTenThousandGroupsStaysUnderTwoMegabytes() async throws {
        let app = try makeApplication()
        let familyNames = (0..<100).map { "app_metric_\($0)_total" }
        var snapshots: [MetricGroupSnapshot] = []
        snapshots.reserveCapacity(10_000)
        for index in 0..<10_000 {
            let key = GroupingKey([
                LabelPair(name: "job", value: "job-\(index / 100)"), LabelPair(name: "instance", value: "instance-\(index)"),
            ])
            let families = familyNames.prefix(2).map { name in
                MetricGroupSnapshot.TimestampedFamily(
                    family: MetricFamily(name: name, help: "Help.", type: .counter, metrics: [Metric(value: .counter(Counter(value: 1)))]),
                    time: Timestamp(seconds: 1_700_000_000)
                )
            }
            snapshots.append(MetricGroupSnapshot(key: key, families: families))
        }
        app.responder.gateway.store.restore(snapshots)
        try await app.test(.router) { client in
            let response = try await client.send(.get, "/")
            #expect(response.status == .ok)
            #expect(response.text.ranges(of: "<div class=pg-group ").count == 10_000)
            #expect(response.body.readableBytes <= 2_000_000, "\(response.body.readableBytes) bytes")
        }
        // 100 families per group do not make the page grow per group, only the shared names list.
        let summaries = (0..<10_000).map { index in
            GroupSummary(
                key: GroupingKey([
                    LabelPair(name: "job", value: "job-\(index / 100)"), LabelPair(name: "instance", value: "instance-\(index)"),
                ]),
                familyNames: familyNames,
                seriesCount: 100,
                lastPushSuccessful: true,
                lastPushTime: nil
            )
        }
        let context = UIPage.Context(
            assetBase: ".",
            assetVersion: UIAssets.version,
            enableAdminAPI: true,
            startTime: Timestamp(seconds: 0),
            buildInformation: [],
            flags: [:],
            statistics: StoreStatistics(groups: 10_000, series: 1_000_000, bytes: 50_000_000),
            persistence: nil
        )
        let page = UIPage.render(groups: summaries, context: context)
        #expect(page.count <= 2_000_000, "\(page.count) bytes")
    }

    // MARK: Formatting

    @Test(arguments: [
        (1.5e6, "1500000"), (1e21, "1000000000000000000000"), (1.5e-7, "0.00000015"), (-2.5e-5, "-0.000025"),
        (0.1, "0.1"), (123.456, "123.456"), (-0.0, "-0"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
        (Double.nan, "NaN"), (1.2345e10, "12345000000"),
    ])
    func valuesAreFormattedAsGoFormatFloatF(value: Double, expected: String) {
        #expect(UIFormat.fixed(value) == expected)
    }
}
