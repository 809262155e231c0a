import Testing

@testable import PushgatewayCore

private func groupingKey(_ labels: [String: String]) -> GroupingKey {
    GroupingKey(labels.map { LabelPair(name: $0.key, value: $0.value) })
}

/// Decodes the raw path as the server does before routing, then parses the decoded bytes.
private func parse(_ rawPath: some StringProtocol, jobIsBase64: Bool, utf8Names: Bool = false) throws(GroupingPathError) -> GroupingKey {
    try GroupingPath.parse(ServeMuxPath.percentDecoded(Array(rawPath.utf8)), jobIsBase64: jobIsBase64, utf8Names: utf8Names)
}

private func parseError(_ rawPath: String, jobIsBase64: Bool = false, utf8Names: Bool = false) -> GroupingPathError? {
    do {
        _ = try parse(rawPath, jobIsBase64: jobIsBase64, utf8Names: utf8Names)
        return nil
    } catch {
        return error
    }
}

struct GroupingPathTests {
    // MARK: Accepted paths (raw path after /metrics/job/ or /metrics/job@base64/)

    @Test(
        arguments: [
            // README examples.
            ("directory_cleaner/path@base64/L3Zhci90bXA", false, ["job": "directory_cleaner", "path": "/var/tmp"]),
            ("example/first_label@base64/=/second_label/foobar", false, ["job": "example", "first_label": "", "second_label": "foobar"]),
            ("example/name@base64/zqDPgc6_zrzOt864zrXPjc-C", false, ["job": "example", "name": "Προμηθεύς"]),
            // Padding is optional and any number of `=` is ignored.
            ("x/path@base64/L3Zhci90bXA=", false, ["job": "x", "path": "/var/tmp"]),
            ("x/path@base64/L3Zhci90bXA===", false, ["job": "x", "path": "/var/tmp"]),
            ("x/a@base64/==", false, ["job": "x", "a": ""]),
            // client_golang: unpadded job@base64; Python, Java and Ruby: padded.
            ("YS9i", true, ["job": "a/b"]),
            ("am9iL3dpdGgvc2xhc2hlcw", true, ["job": "job/with/slashes"]),
            ("am9iL3dpdGgvc2xhc2hlcw==", true, ["job": "job/with/slashes"]),
            ("cGF0aC90bw==/instance/host1", true, ["job": "path/to", "instance": "host1"]),
            ("am9i/instance@base64/cGF0aC90bw==", true, ["job": "job", "instance": "path/to"]),
            // Go's base64 decoder skips line feeds and carriage returns.
            ("Zm9v%0AYmFy", true, ["job": "foobar"]),
            // Plain segments: no labels, trailing slash, percent escapes, `+` kept literally.
            ("some_job", false, ["job": "some_job"]),
            ("some_job/", false, ["job": "some_job"]),
            ("some_job/instance/some_instance", false, ["job": "some_job", "instance": "some_instance"]),
            ("x/a/", false, ["job": "x", "a": ""]),
            ("x/a/b+c", false, ["job": "x", "a": "b+c"]),
            ("x/a/b%20c", false, ["job": "x", "a": "b c"]),
            ("x%20y/a/%C3%A9", false, ["job": "x y", "a": "é"]),
            // %2F is a separator once decoded, as in Go's router.
            ("a%2Fb/c", false, ["job": "a", "b": "c"]),
            ("x/a/b%2Fc/d", false, ["job": "x", "a": "b", "c": "d"]),
            // Last duplicate wins; a `job` label is overwritten by the job segment.
            ("x/a/1/a/2", false, ["job": "x", "a": "2"]),
            ("x/job/other", false, ["job": "x"]),
            ("x/job@base64/b3RoZXI", false, ["job": "x"]),
            ("x/a/1/a@base64/Mg", false, ["job": "x", "a": "2"]),
            ("x/_a/1/A_9/2", false, ["job": "x", "_a": "1", "A_9": "2"]),
            // Without --push.enable-utf8-names a U__ name is just a legacy name.
            ("x/U__a_2e_b/v", false, ["job": "x", "U__a_2e_b": "v"]),
        ] as [(String, Bool, [String: String])]
    )
    func parsesGroupingKey(rawPath: String, jobIsBase64: Bool, expected: [String: String]) throws {
        let key = try parse(rawPath, jobIsBase64: jobIsBase64)
        #expect(key == groupingKey(expected))
        #expect(key.labels == groupingKey(expected).labels)
    }

    @Test func acceptsSubstringInput() throws {
        let path = "/metrics/job/x/a/b"
        let key = try parse(path.dropFirst("/metrics/job/".count), jobIsBase64: false)
        #expect(key == groupingKey(["job": "x", "a": "b"]))
    }

    // MARK: Rejections, with upstream's exact messages

    @Test(
        arguments: [
            // Label part.
            ("x/a", false, #"odd number of components in label string "/a""#),
            ("x/a/b/c", false, #"odd number of components in label string "/a/b/c""#),
            ("%2Fx", false, #"odd number of components in label string "/x""#),
            ("x/a/b%2F", false, #"odd number of components in label string "/a/b/""#),
            ("x/1a/v", false, #"improper label name "1a""#),
            ("x/__a/v", false, #"improper label name "__a""#),
            ("x/__a@base64/=", false, #"improper label name "__a""#),
            ("x/a-b/v", false, #"improper label name "a-b""#),
            ("x/a:b/v", false, #"improper label name "a:b""#),
            ("x/a.b/v", false, #"improper label name "a.b""#),
            ("x/@base64/v", false, #"improper label name """#),
            ("x/%C3%A9/v", false, #"improper label name "é""#),
            ("x/a%FF/v", false, #"improper label name "a\xff""#),
            ("x/ok/1/bad-name/2", false, #"improper label name "bad-name""#),
            // Base64 label values: %s of the name, %q of the value as sent, Go's offset.
            ("x/a@base64/Zm9v+w", false, #"invalid base64 encoding for label a="Zm9v+w": illegal base64 data at input byte 4"#),
            ("x/a@base64/L3Zhci90bXA/", false, #"odd number of components in label string "/a@base64/L3Zhci90bXA/""#),
            ("x/a@base64/Z", false, #"invalid base64 encoding for label a="Z": illegal base64 data at input byte 0"#),
            ("x/a@base64/Zm9vY", false, #"invalid base64 encoding for label a="Zm9vY": illegal base64 data at input byte 4"#),
            ("x/a@base64/Zm=9v", false, #"invalid base64 encoding for label a="Zm=9v": illegal base64 data at input byte 2"#),
            ("x/a@base64/Zm9vYmFy!", false, #"invalid base64 encoding for label a="Zm9vYmFy!": illegal base64 data at input byte 8"#),
            // Job base64: %q shows the partially decoded job (upstream overwrites the variable first).
            ("Zm9vY", true, #"invalid base64 encoding in job name "foo": illegal base64 data at input byte 4"#),
            ("Z", true, #"invalid base64 encoding in job name "": illegal base64 data at input byte 0"#),
            ("Zm9v+mFy", true, #"invalid base64 encoding in job name "foo": illegal base64 data at input byte 4"#),
            ("Zm9vYmFyYmF6Y", true, #"invalid base64 encoding in job name "foobarbaz": illegal base64 data at input byte 12"#),
            ("Zm9vYmFyYmF6cXV4!", true, #"invalid base64 encoding in job name "foobarbazqux": illegal base64 data at input byte 16"#),
            ("QUJDR%0A", true, #"invalid base64 encoding in job name "ABC": illegal base64 data at input byte 5"#),
            ("Zm9v%3Dx", true, #"invalid base64 encoding in job name "foo": illegal base64 data at input byte 4"#),
            ("Zm9vYmFy%2B%2B/a/b", true, #"invalid base64 encoding in job name "foobar": illegal base64 data at input byte 8"#),
            // Empty job.
            ("=", true, "job name is required"),
            ("==/a/b", true, "job name is required"),
            ("%2F", false, "job name is required"),
            // Order: job base64 first, then each label pair, then the empty job.
            ("Z/1a/v", true, "invalid base64 encoding in job name \"\": illegal base64 data at input byte 0"),
            ("=/1a/v", true, #"improper label name "1a""#),
            ("=/a", true, #"odd number of components in label string "/a""#),
            ("x/a@base64/Z/1a/v", false, #"invalid base64 encoding for label a="Z": illegal base64 data at input byte 0"#),
        ] as [(String, Bool, String)]
    )
    func rejectsWithUpstreamMessage(rawPath: String, jobIsBase64: Bool, message: String) throws {
        let error = try #require(parseError(rawPath, jobIsBase64: jobIsBase64))
        #expect(error.message == message)
        #expect(error.description == message)
    }

    @Test(
        arguments: [
            ("x/a", GroupingPathError.Code.oddNumberOfComponents),
            ("x/1a/v", .improperLabelName),
            ("x/a@base64/Z", .invalidLabelBase64),
            ("%2F", .missingJob),
            ("x/a/%FF", .invalidUTF8),
            ("", .routeNotFound),
            ("x/a/%zz", .invalidURL),
        ] as [(String, GroupingPathError.Code)]
    )
    func classifiesRejections(rawPath: String, code: GroupingPathError.Code) throws {
        let error = try #require(parseError(rawPath))
        #expect(error.code == code)
    }

    @Test func classifiesJobBase64Rejection() throws {
        let error = try #require(parseError("Z", jobIsBase64: true))
        #expect(error.code == .invalidJobBase64)
    }

    @Test(arguments: [false, true])
    func emptyPathMatchesNoRoute(jobIsBase64: Bool) throws {
        let error = try #require(parseError("", jobIsBase64: jobIsBase64))
        #expect(error.code == .routeNotFound)
        #expect(error.message == "404 page not found")
    }

    // MARK: What Go's URL parser rejects before routing

    @Test(
        arguments: [
            ("x/a/%zz", #"invalid URL escape "%zz""#),
            ("x/a/%2", #"invalid URL escape "%2""#),
            ("x/a/%", #"invalid URL escape "%""#),
            ("x%g1/a/b", #"invalid URL escape "%g1""#),
            ("x/a/b\u{7}", "net/url: invalid control character in URL"),
            ("x/a/b\u{7F}", "net/url: invalid control character in URL"),
        ] as [(String, String)]
    )
    func rejectsMalformedURL(rawPath: String, message: String) throws {
        let error = try #require(parseError(rawPath))
        #expect(error.code == .invalidURL)
        #expect(error.message == message)
    }

    // MARK: Deliberate difference: invalid UTF-8 is rejected here instead of failing later

    @Test(arguments: [("x/a/%FF", false), ("x/a@base64/_w", false), ("%FF", false), ("_w==", true)] as [(String, Bool)])
    func rejectsValuesThatAreNotUTF8(rawPath: String, jobIsBase64: Bool) throws {
        let error = try #require(parseError(rawPath, jobIsBase64: jobIsBase64))
        #expect(error.code == .invalidUTF8)
    }

    @Test func invalidUTF8MessageNamesTheLabel() throws {
        let error = try #require(parseError("x/a/b%FFc"))
        #expect(error.message == #"grouping label a has a value that is not valid UTF-8: "b\xffc""#)
    }

    @Test func upstreamErrorsTakePrecedenceOverInvalidUTF8() throws {
        #expect(parseError("%FF/a")?.code == .oddNumberOfComponents)
        #expect(parseError("x/a/%FF/1b/c")?.code == .improperLabelName)
    }

    @Test func decodedBytesAreNotDecodedAgain() throws {
        // `%41` as sent is `A`; a `%` in the decoded path (sent as `%25`) is a literal percent sign.
        let key = try GroupingPath.parse(Array("x/a/100%41".utf8), jobIsBase64: false)
        #expect(key == groupingKey(["job": "x", "a": "100%41"]))
    }

    @Test func invalidUTF8InDecodedBytesIsRejected() throws {
        // `/metrics/job/x/instance/%FF%FE` once decoded.
        let path: [UInt8] = Array("x/instance/".utf8) + [0xFF, 0xFE]
        let error = try #require(throws: GroupingPathError.self) { try GroupingPath.parse(path, jobIsBase64: false) }
        #expect(error.code == .invalidUTF8)
        #expect(error.message == #"grouping label instance has a value that is not valid UTF-8: "\xff\xfe""#)
    }

    // MARK: --push.enable-utf8-names

    @Test(
        arguments: [
            ("x/a.b/v", ["job": "x", "a.b": "v"]),
            ("x/%C3%A9/v", ["job": "x", "é": "v"]),
            ("x/U__a_2e_b/v", ["job": "x", "a.b": "v"]),
            ("x/U__a__b/v", ["job": "x", "a_b": "v"]),
            ("x/U__a_2E_b/v", ["job": "x", "a.b": "v"]),
            ("x/U___1f525_/v", ["job": "x", "🔥": "v"]),
            ("x/U__a_2e_b@base64/dg", ["job": "x", "a.b": "v"]),
            ("x/U__job/y", ["job": "x"]),
            ("x/1a/v", ["job": "x", "1a": "v"]),
            // Malformed escapes keep the name as sent.
            ("x/U__a_2e/v", ["job": "x", "U__a_2e": "v"]),
            ("x/U__a_/v", ["job": "x", "U__a_": "v"]),
            ("x/U__a_zz_/v", ["job": "x", "U__a_zz_": "v"]),
            ("x/U___d800_/v", ["job": "x", "U___d800_": "v"]),
            ("x/U___01f525_/v", ["job": "x", "U___01f525_": "v"]),
            ("x/U__valid/v", ["job": "x", "valid": "v"]),
            // Go lower-cases with `| 0x20`, so a control byte 0x10 reads as the digit 0.
            ("x/U___%10_/v", ["job": "x", "\u{0}": "v"]),
        ] as [(String, [String: String])]
    )
    func unescapesUTF8NamesWhenEnabled(rawPath: String, expected: [String: String]) throws {
        let key = try parse(rawPath, jobIsBase64: false, utf8Names: true)
        #expect(key == groupingKey(expected))
    }

    @Test(
        arguments: [
            ("x/__a/v", #"improper label name "__a""#),
            ("x/U__/v", #"improper label name "U__""#),
            ("x/@base64/v", #"improper label name """#),
            ("x/a%FF/v", #"improper label name "a\xff""#),
        ] as [(String, String)]
    )
    func rejectsImproperUTF8Names(rawPath: String, message: String) throws {
        let error = try #require(parseError(rawPath, utf8Names: true))
        #expect(error.message == message)
    }

    // MARK: Go's ServeMux redirect (301) and request-line checks

    @Test(
        arguments: [
            ("/metrics/job/a//b", "/metrics/job/a/b"),
            ("/metrics/job/x/a//", "/metrics/job/x/a/"),
            ("/metrics/job/x/./y", "/metrics/job/x/y"),
            ("/metrics/job/x/../y", "/metrics/job/y"),
            ("/metrics/job/x/a/.", "/metrics/job/x/a"),
            ("/metrics/job/x/a/..", "/metrics/job/x"),
            ("/metrics/job/x/a/./", "/metrics/job/x/a/"),
            ("//metrics", "/metrics"),
            ("/..", "/"),
            ("/../..//", "/"),
            ("/api/v1//status", "/api/v1/status"),
            ("", "/"),
            // An empty base64 value written as `//` is never reached: Go redirects it away.
            ("/metrics/job/x/a@base64//b/c", "/metrics/job/x/a@base64/b/c"),
            // A raw path that is not a valid encoding is re-escaped from the decoded path first.
            ("/metrics/job/a%2F%2Fb/{", "/metrics/job/a/b/%7B"),
            ("/metrics/job/%C3%A9//x", "/metrics/job/%C3%A9/x"),
        ] as [(String, String)]
    )
    func redirectsUncleanPaths(rawPath: String, expected: String) {
        #expect(ServeMuxPath.redirectTarget(forRawPath: rawPath) == expected)
    }

    @Test(
        arguments: [
            "/", "/metrics", "/metrics/job/x/a/", "/metrics/job/a%2F%2Fb", "/metrics/job/%2E%2E/x", "/metrics/job/x/{",
            "/metrics/job/x/a@base64/=", "/metrics/job/x/.a/..b", "/metrics/job/é/x", "/metrics//x%zz",
        ]
    )
    func passesCleanPathsOn(rawPath: String) {
        #expect(ServeMuxPath.redirectTarget(forRawPath: rawPath) == nil)
    }

    @Test(
        arguments: [
            ("/metrics/job/x", true), ("/metrics/job/a%2Fb", true), ("/metrics/job/%41", true), ("/a+b", true),
            ("/metrics/job/%zz", false), ("/metrics/job/%4", false), ("/metrics/job/%", false), ("/a\u{1}b", false),
        ] as [(String, Bool)]
    )
    func knowsWhichPathsGoAccepts(rawPath: String, accepted: Bool) {
        #expect(ServeMuxPath.isAcceptedByGo(rawPath) == accepted)
    }

    // MARK: Base64 decoding against Go's encoding/base64

    @Test(
        arguments: [
            ("Zm9v", "foo", nil), ("Zm9vYg", "foob", nil), ("Zm9vYg==", "foob", nil), ("Zm9vYmE", "fooba", nil),
            ("YR", "a", nil), ("", "", nil), ("=", "", nil), ("Zm\n9v", "foo", nil), ("QUJD\n", "ABC", nil),
            ("Z", "", 0), ("Zm9vY", "foo", 4), ("Zm9vYmFyY", "foobar", 8), ("Zm9v+mFy", "foo", 4), ("Zm9v/w", "foo", 4),
            ("a=b", "", 1), ("ab=c=", "", 2), ("QUJDR\n", "ABC", 5), ("Zm9vYmFyYmF6cXV4cXV1!x", "foobarbazquxquu", 20),
        ] as [(String, String, Int?)]
    )
    func decodesBase64LikeGo(input: String, decoded: String, errorOffset: Int?) {
        let result = Base64URL.decode(Array(input.utf8)[...])
        #expect(result.bytes == Array(decoded.utf8))
        #expect(result.errorOffset == errorOffset)
    }
}
