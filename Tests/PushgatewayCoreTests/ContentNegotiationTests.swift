import Testing

@testable import PushgatewayCore

private let protobufContentType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
private let protobufAccept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"

struct ContentNegotiationTests {
    // MARK: Push body format (Go mime.ParseMediaType; expectations checked against Go)

    @Test(
        arguments: [
            // What the clients send (clients-and-scrapers.md §4.1).
            (protobufContentType, PushBodyFormat.protobufDelimited),
            ("text/plain; version=0.0.4; charset=utf-8", .text),
            ("text/plain; version=0.0.4", .text),
            ("text/plain", .text),
            ("application/openmetrics-text; version=1.0.0; charset=utf-8", .text),
            // Case-insensitive type and parameter names, any order, quoted values, blanks around `;` and `=`.
            ("Application/VND.Google.Protobuf; PROTO=io.prometheus.client.MetricFamily; Encoding=delimited", .protobufDelimited),
            ("application/vnd.google.protobuf; encoding=delimited; proto=io.prometheus.client.MetricFamily", .protobufDelimited),
            (#"application/vnd.google.protobuf;proto="io.prometheus.client.MetricFamily";encoding="delimited""#, .protobufDelimited),
            ("  application/vnd.google.protobuf  ; proto = io.prometheus.client.MetricFamily ;encoding= delimited", .protobufDelimited),
            (
                "\u{A0}application/vnd.google.protobuf\u{A0};\u{A0}proto=io.prometheus.client.MetricFamily;\u{3000}encoding=delimited",
                .protobufDelimited
            ),
            (protobufContentType + ";", .protobufDelimited),
            (protobufContentType + "; charset=utf-8", .protobufDelimited),
            (protobufContentType + "; escaping=allow-utf-8", .protobufDelimited),
            // RFC 2231 continuations and encoded values are stitched by Go.
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding*=utf-8''delimited", .protobufDelimited),
            (
                "application/vnd.google.protobuf; proto*0=io.prometheus; proto*1=.client.MetricFamily; encoding=delimited",
                .protobufDelimited
            ),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding*=utf-8''delim%69ted", .protobufDelimited),
            (
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text; encoding*=utf-8''delimited",
                .protobufDelimited
            ),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding*=latin-1''delimited", .text),
            // A repeated parameter with the same value is allowed (Go 1.21+), a different one is an error.
            (protobufContentType + "; encoding=delimited", .protobufDelimited),
            (protobufContentType + "; encoding=text", .text),
            // Values are case-sensitive and must match exactly.
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=Delimited", .text),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.metricfamily; encoding=delimited", .text),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text", .text),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily", .text),
            ("application/vnd.google.protobuf; encoding=delimited", .text),
            (#"application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding="delim\ited""#, .text),
            // Parse errors fall back to text.
            (protobufContentType + "; ;", .text),
            (protobufContentType + "; charset", .text),
            (protobufContentType + " x", .text),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=\"delimited", .text),
            ("application/vnd.google.protobuf proto=io.prometheus.client.MetricFamily; encoding=delimited", .text),
            ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily, encoding=delimited", .text),
            ("application/x-protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited", .text),
            ("", .text),
            ("garbage", .text),
        ] as [(String, PushBodyFormat)]
    )
    func detectsPushBodyFormat(contentType: String, expected: PushBodyFormat) {
        #expect(ContentNegotiation.pushBodyFormat(contentType: contentType) == expected)
    }

    @Test func missingContentTypeMeansText() {
        #expect(ContentNegotiation.pushBodyFormat(contentType: nil) == .text)
    }

    @Test(
        arguments: [
            ("client_golang_push.content-type.txt", PushBodyFormat.protobufDelimited),
            ("client_golang_push_text.content-type.txt", .text),
            ("python_client_push.content-type.txt", .text),
        ] as [(String, PushBodyFormat)]
    )
    func detectsCapturedClientContentTypes(fixture: String, expected: PushBodyFormat) {
        var bytes = Fixtures.bytes(fixture)
        while bytes.last == 0x0A || bytes.last == 0x0D {
            bytes.removeLast()
        }
        #expect(ContentNegotiation.pushBodyFormat(contentType: String(decoding: bytes, as: UTF8.self)) == expected)
    }

    // MARK: /metrics Accept negotiation

    @Test(
        arguments: [
            // Prometheus releases, exact headers (clients-and-scrapers.md §5).
            ("text/plain;version=0.0.4;q=1,*/*;q=0.1", ExpositionFormat.text, NameEscapingScheme.underscores),
            ("application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .text, .underscores),
            (
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                .text, .underscores
            ),
            (
                "application/openmetrics-text;version=1.0.0;q=0.75,application/openmetrics-text;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                .text, .underscores
            ),
            (
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.75,application/openmetrics-text;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                .protobufDelimited, .underscores
            ),
            (
                protobufAccept
                    + ",application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                .protobufDelimited, .underscores
            ),
            (
                "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                .text, .underscores
            ),
            (
                protobufAccept
                    + ";q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
                .protobufDelimited, .underscores
            ),
            // 3.0–3.2 default and proto-first (the doubled escaping parameter is literal).
            (
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;escaping=allow-utf-8;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;q=0.2",
                .text, .allowUTF8
            ),
            (
                protobufAccept
                    + ";escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;escaping=allow-utf-8;q=0.3,*/*;q=0.2",
                .protobufDelimited, .allowUTF8
            ),
            // 3.4+ default: escaping only on OM 1.0.0 and text 1.0.0, still sticky onto the 0.0.4 clause.
            (
                "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                .text, .allowUTF8
            ),
            // 3.4+ proto-first: protobuf wins before any escaping parameter is seen.
            (
                protobufAccept
                    + ";q=0.6,application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1",
                .protobufDelimited, .underscores
            ),
        ] as [(String, ExpositionFormat, NameEscapingScheme)]
    )
    func negotiatesPrometheusScrapes(accept: String, format: ExpositionFormat, escaping: NameEscapingScheme) {
        let negotiated = ContentNegotiation.expositionFormat(accept: accept)
        #expect(negotiated.format == format)
        #expect(negotiated.escaping == escaping)
    }

    @Test func prometheus3DefaultGetsTextWithAllowUTF8ContentType() {
        let accept =
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2"
        let negotiated = ContentNegotiation.expositionFormat(accept: accept)
        let contentType = negotiated.format.contentType(escaping: negotiated.escaping)
        #expect(contentType == "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8")
    }

    @Test(
        arguments: [
            // Missing, empty and unmatchable headers fall back to text with underscores.
            ("", ExpositionFormat.text, NameEscapingScheme.underscores),
            ("*/*", .text, .underscores),
            ("application/json", .text, .underscores),
            ("application/openmetrics-text; version=1.0.0", .text, .underscores),
            ("text/plain;version=1.0.0", .text, .underscores),
            // Protobuf encodings.
            ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", .protobufText, .underscores),
            (
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text",
                .protobufCompactText, .underscores
            ),
            (protobufAccept + ";escaping=allow-utf-8", .protobufDelimited, .allowUTF8),
            ("application/vnd.google.protobuf;encoding=delimited", .text, .underscores),
            ("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=json", .text, .underscores),
            (#"application/vnd.google.protobuf;proto="io.prometheus.client.MetricFamily";encoding=delimited"#, .text, .underscores),
            (
                "application/vnd.google.protobuf ; proto = io.prometheus.client.MetricFamily ; encoding = delimited",
                .protobufDelimited, .underscores
            ),
            // Case-sensitive types, parameter names and values.
            ("Application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited", .text, .underscores),
            ("application/vnd.google.protobuf;Proto=io.prometheus.client.MetricFamily;encoding=delimited", .text, .underscores),
            ("text/plain;escaping=Dots", .text, .underscores),
            // text/plain matches with version 0.0.4, an empty version, or none; later clauses are then irrelevant.
            ("text/plain;version=0.0.4," + protobufAccept, .text, .underscores),
            ("text/plain;version=," + protobufAccept, .text, .underscores),
            ("text/plain;Version=1.0.0," + protobufAccept, .text, .underscores),
            ("text/plain;version=1.0.0," + protobufAccept + ";q=0.1", .protobufDelimited, .underscores),
            ("Text/Plain," + protobufAccept + ";q=0.1", .protobufDelimited, .underscores),
            // Ordered by q; equal q keeps header order; wildcards never match.
            ("text/plain;q=0.5," + protobufAccept, .protobufDelimited, .underscores),
            ("text/plain," + protobufAccept, .text, .underscores),
            ("*/*," + protobufAccept + ";q=0.1", .protobufDelimited, .underscores),
            ("text/*;version=0.0.4," + protobufAccept + ";q=0.1", .protobufDelimited, .underscores),
            // q as Go's ParseFloat reads it: malformed means 0, and q=0 is still selectable.
            ("text/plain;q=abc," + protobufAccept + ";q=0.5", .protobufDelimited, .underscores),
            ("text/plain;q= 0.9," + protobufAccept + ";q=0.5", .protobufDelimited, .underscores),
            ("text/plain;q=1e0," + protobufAccept + ";q=0.5", .text, .underscores),
            (protobufAccept + ";q=0", .protobufDelimited, .underscores),
            // The escaping parameter sticks even from clauses that are not selected; the last one seen wins.
            ("text/plain;version=1.0.0;escaping=dots;q=0.9,text/plain;version=0.0.4;q=0.5", .text, .dots),
            ("application/json;escaping=dots,text/plain;escaping=values", .text, .values),
            ("application/json;escaping=values,text/plain;escaping=underscores", .text, .underscores),
            ("text/plain;escaping=bogus", .text, .underscores),
            ("text/plain;escaping=", .text, .underscores),
            ("text/plain;q=0.1,application/json;escaping=dots", .text, .dots),
            // goautoneg's comparator puts a non-wildcard clause before a wildcard one even at lower q.
            ("*/*;escaping=dots,text/plain;q=0.5", .text, .underscores),
        ] as [(String, ExpositionFormat, NameEscapingScheme)]
    )
    func negotiatesLikeExpfmt(accept: String, format: ExpositionFormat, escaping: NameEscapingScheme) {
        let negotiated = ContentNegotiation.expositionFormat(accept: accept)
        #expect(negotiated.format == format)
        #expect(negotiated.escaping == escaping)
    }

    @Test func missingAcceptMeansTextWithUnderscores() {
        let negotiated = ContentNegotiation.expositionFormat(accept: nil)
        #expect(negotiated.format == .text)
        #expect(negotiated.escaping == .underscores)
    }

    @Test func skipsUnsupportedProtobufEncodingsAsUnmatched() {
        let accept =
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text;escaping=dots,"
            + protobufAccept + ";q=0.5"
        let all = ContentNegotiation.expositionFormat(accept: accept)
        #expect(all.format == .protobufCompactText)
        let limited = ContentNegotiation.expositionFormat(accept: accept, supportedFormats: [.text, .protobufDelimited])
        #expect(limited.format == .protobufDelimited)
        #expect(limited.escaping == .dots)
        let textOnly = ContentNegotiation.expositionFormat(accept: accept, supportedFormats: [.text])
        #expect(textOnly.format == .text)
    }

    @Test func parsesAcceptClausesLikeGoautoneg() {
        let header = " text/plain ; version=0.0.4 ;q=0.5, a/b/c, text, ,*;x=y;z, image/* ; q=0.7"
        let clauses = ContentNegotiation.acceptClauses(Array(header.utf8))
        // image/* (q 0.7) ends up before */* (q 1): goautoneg's comparator prefers a non-wildcard type.
        #expect(
            clauses == [
                .init(type: "image", subtype: "*", quality: Double(Float(0.7)), parameters: [:]),
                .init(type: "*", subtype: "*", quality: 1, parameters: ["x": "y"]),
                .init(type: "text", subtype: "plain", quality: 0.5, parameters: ["version": "0.0.4"]),
            ]
        )
    }

    @Test func sortsLikeGoForUpToTwelveClauses() {
        // Go's insertion sort with goautoneg's comparator (checked against go1.19 sort.Sort).
        let clauses = ContentNegotiation.acceptClauses(Array("a/a;q=0.5,*/*;q=0.9,b/*;q=0.9,c/c;q=0.1,d/d".utf8))
        #expect(clauses.map { "\($0.type)/\($0.subtype)" } == ["d/d", "b/*", "*/*", "a/a", "c/c"])
        let wildcardFirst = ContentNegotiation.acceptClauses(Array("*/*,text/plain;q=0.5".utf8))
        #expect(wildcardFirst.map(\.type) == ["text", "*"])
    }

    @Test func sortsManyClausesStablyByQuality() {
        var clauses = (0..<20).map { "x\($0)/y;q=0.5" }
        clauses.append(protobufAccept + ";q=0.9")
        clauses.append("text/plain;q=0.4")
        let negotiated = ContentNegotiation.expositionFormat(accept: clauses.joined(separator: ","))
        #expect(negotiated.format == .protobufDelimited)
        let sorted = ContentNegotiation.acceptClauses(Array(clauses.joined(separator: ",").utf8))
        #expect(sorted.first?.subtype == "vnd.google.protobuf")
        #expect(sorted.dropFirst().prefix(20).map(\.type) == (0..<20).map { "x\($0)" })
        #expect(sorted.last?.type == "text")
    }

    // MARK: Accept-Encoding (client_golang promhttp, golang/gddo header parser)

    @Test(
        arguments: [
            ([], false),
            (["gzip"], true),
            (["identity"], false),
            (["gzip, identity"], false),
            (["identity, gzip"], false),
            (["identity;q=0.5, gzip"], true),
            (["gzip;q=0.5, identity;q=0.5"], false),
            (["*"], false),
            (["*;q=0.5, gzip"], true),
            (["gzip;q=0.5, *;q=0.9"], false),
            (["*;q=0, gzip;q=0.1"], true),
            (["gzip;q=0"], false),
            (["identity;q=0"], false),
            (["gzip;q=0, identity;q=0"], false),
            (["deflate, gzip;q=1.0"], true),
            (["gzip, deflate, br"], true),
            (["br, zstd"], false),
            (["x-gzip"], false),
            (["GZIP"], false),
            // A parameter other than q, or a malformed q, drops the element and the rest of its line.
            (["gzip;level=1"], false),
            (["gzip;q=abc"], false),
            (["gzip;q=2"], false),
            (["identity;q=0.1, gzip;level=1, gzip"], false),
            // gddo reads any number of decimals, so q may exceed 1.
            (["identity, gzip;q=1.5"], true),
            (["identity;q=0.99, gzip;q=0.991"], true),
            // Trailing garbage after an element ends the line but keeps what was read.
            (["gzip foo, identity"], true),
            (["gzip ; q=0.8 , identity ; q=0.7"], true),
            ([" gzip"], false),
            // Every header line counts.
            (["identity;q=0.1", "gzip"], true),
            (["gzip;level=1", "identity"], false),
        ] as [([String], Bool)]
    )
    func negotiatesGzip(acceptEncoding: [String], expected: Bool) {
        #expect(ContentNegotiation.shouldGzip(acceptEncoding: acceptEncoding) == expected)
    }
}
