import Testing

@testable import PushgatewayCore

struct GoFloatTests {
    // Expected strings printed by Go's strconv.FormatFloat(v, 'g', -1, 64) (go1.19, Debian bookworm).
    @Test(
        arguments: [
            (0.0, "0"), (1, "1"), (-1, "-1"), (100, "100"), (123456, "123456"), (1e6, "1e+06"),
            (1234567, "1.234567e+06"), (1e21, "1e+21"), (1e-4, "0.0001"), (1e-5, "1e-05"), (0.1, "0.1"),
            (0.2721322309989773, "0.2721322309989773"), (1.7673330451234567e9, "1.7673330451234567e+09"),
            (250000, "250000"), (5e-324, "5e-324"), (Double.greatestFiniteMagnitude, "1.7976931348623157e+308"),
            (-1.5, "-1.5"), (2398.283, "2398.283"), (12345.678, "12345.678"),
            (1.5838723477166057e9, "1.5838723477166057e+09"), (0.005, "0.005"), (9007199254740993, "9.007199254740992e+15"),
            (123456789012345680000, "1.2345678901234568e+20"), (0.00012345, "0.00012345"),
            (1.0000000000000002, "1.0000000000000002"), (4.35, "4.35"), (1e22, "1e+22"), (1e100, "1e+100"),
            (2.5e-7, "2.5e-07"), (999999, "999999"), (999999.5, "999999.5"), (1e15, "1e+15"), (123e15, "1.23e+17"),
            (-0.0, "-0"), (33.333333333333336, "33.333333333333336"), (1e-310, "1e-310"),
            (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"),
        ] as [(Double, String)]
    )
    func formatsLikeGoShortestG(value: Double, expected: String) {
        #expect(GoFloat.format(value) == expected)
    }

    @Test func expositionWritesNegativeZeroAsZero() {
        var buffer: [UInt8] = []
        GoFloat.appendExposition(-0.0, to: &buffer)
        #expect(buffer == Array("0".utf8))
    }

    @Test func formattedValuesParseBackExactly() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            let text = Array(GoFloat.format(value).utf8)
            let parsed = text.withUnsafeBytes { GoFloat.parse($0) }
            #expect(parsed?.bitPattern == value.bitPattern, "\(value) -> \(String(decoding: text, as: UTF8.self))")
        }
    }

    @Test(
        arguments: [
            ("1", 1.0), ("-1", -1), ("+1", 1), (".5", 0.5), ("5.", 5), ("1e3", 1000), ("1E-3", 0.001), ("-.5e-3", -0.0005),
            ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29), ("1e-400", 0),
            ("Inf", .infinity), ("+Inf", .infinity), ("-Inf", -.infinity), ("inf", .infinity), ("infinity", .infinity),
            ("-Infinity", -.infinity), ("INF", .infinity), ("4.9406564584124654e-324", 5e-324),
            ("2.2250738585072011e-308", 2.225073858507201e-308), ("9007199254740993", 9007199254740992),
        ] as [(String, Double)]
    )
    func parsesWhatGoParseFloatAccepts(text: String, expected: Double) {
        let parsed = Array(text.utf8).withUnsafeBytes { TextFormatParser.parseFloat($0) }
        #expect(parsed == expected)
    }

    @Test(arguments: ["nan", "NaN", "NAN"])
    func parsesNaNSpellings(text: String) {
        let parsed = Array(text.utf8).withUnsafeBytes { TextFormatParser.parseFloat($0) }
        #expect(parsed?.isNaN == true)
    }

    @Test(arguments: [
        "", "+", "-", ".", "e3", "1e", "1e+", "0x10", "0x1p3", "1_000", "1e400", "-1e400", "+nan", "-nan",
        "infin", "in", "1.2.3", " 1", "1 ", "1\r", "1f", "Infinityx", "nan1",
    ])
    func rejectsWhatGoParseFloatRejects(text: String) {
        let parsed = Array(text.utf8).withUnsafeBytes { TextFormatParser.parseFloat($0) }
        #expect(parsed == nil)
    }

    @Test(
        arguments: [
            ("0", Int64(0)), ("-5", -5), ("+7", 7), ("9223372036854775807", .max), ("-9223372036854775808", .min),
        ] as [(String, Int64)]
    )
    func parsesInt64LikeGo(text: String, expected: Int64) {
        #expect(Array(text.utf8).withUnsafeBytes { GoFloat.parseInt64($0) } == expected)
    }

    @Test(arguments: ["", "-", "1.5", "9223372036854775808", "-9223372036854775809", "1e3", " 1"])
    func rejectsInt64LikeGo(text: String) {
        #expect(Array(text.utf8).withUnsafeBytes { GoFloat.parseInt64($0) } == nil)
    }
}

struct GoQuoteTests {
    // Expected strings printed by Go's strconv.Quote and %q on a byte.
    @Test(
        arguments: [
            (Array("a\"b\\c\nd".utf8), #""a\"b\\c\nd""#), (Array("Προμηθεύς".utf8), #""Προμηθεύς""#),
            ([0xFF, 0xFE], #""\xff\xfe""#), (Array("tab\there".utf8), #""tab\there""#), ([0x00, 0x7F], #""\x00\x7f""#),
            (Array("\u{a0}nbsp".utf8), #""\u00a0nbsp""#), (Array("\u{200b}zw".utf8), #""\u200bzw""#),
            (Array("emoji😀".utf8), #""emoji😀""#), (Array("\u{10FFFF}".utf8), #""\U0010ffff""#), (Array("1\r".utf8), #""1\r""#),
        ] as [([UInt8], String)]
    )
    func quotesStringsLikeGo(bytes: [UInt8], expected: String) {
        #expect(GoQuote.string(bytes) == expected)
    }

    @Test(
        arguments: [
            (UInt8(ascii: "x"), "'x'"), (0x0A, #"'\n'"#), (0x22, #"'"'"#), (0x27, #"'\''"#), (0xE9, "'é'"), (0x85, #"'\u0085'"#),
            (0xA0, #"'\u00a0'"#), (0x00, #"'\x00'"#),
        ] as [(UInt8, String)]
    )
    func quotesBytesLikeGo(byte: UInt8, expected: String) {
        #expect(GoQuote.byte(byte) == expected)
    }
}
