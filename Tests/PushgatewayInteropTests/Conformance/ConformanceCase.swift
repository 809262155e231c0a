import PushgatewayCore
import Testing

/// One named HTTP conversation that is run against Debian's Go gateway and ours, and what to compare.
///
/// By default every answer's status, body and key headers are compared, and so is the state left behind, seen
/// three ways (``StateView``). A ``Divergence`` takes named aspects out of the comparison and asserts what our
/// gateway must answer instead; a ``KnownBug`` keeps the comparison but expects it to fail.
struct ConformanceCase: Sendable, CustomTestStringConvertible {
    /// The behaviour, as a sentence; the test's argument description.
    var name: String
    /// The requests, in order, each on a fresh connection.
    var steps: [ConformanceStep]
    /// Which views of the state after the conversation are compared.
    var views: Set<StateView>
    /// Where we deliberately or necessarily differ from Debian's Go gateway.
    var divergences: [Divergence]
    /// Where our gateway is wrong (it differs from the spec and from Go with no good reason).
    var knownBugs: [KnownBug]
    /// Facts both gateways must show, beyond agreeing (for what cannot be compared, such as own metrics).
    var expectations: [Expectation]

    /// Creates a case.
    init(
        _ name: String,
        _ steps: [ConformanceStep],
        views: Set<StateView> = Set(StateView.allCases),
        divergences: [Divergence] = [],
        knownBugs: [KnownBug] = [],
        expectations: [Expectation] = []
    ) {
        self.name = name
        self.steps = steps
        self.views = views
        self.divergences = divergences
        self.knownBugs = knownBugs
        self.expectations = expectations
    }

    var testDescription: String { self.name }

    /// Whether an aspect is taken out of the equality comparison by a divergence.
    func isDivergent(_ aspect: Aspect) -> Bool {
        self.divergences.contains { divergence in divergence.aspects.contains { $0.covers(aspect) } }
    }

    /// The known bug that covers an aspect, if any.
    func knownBug(for aspect: Aspect) -> KnownBug? {
        self.knownBugs.first { bug in bug.aspects.contains { $0.covers(aspect) } }
    }
}

/// One request of a conversation.
struct ConformanceStep: Sendable {
    /// The HTTP method, sent as is.
    var method: String
    /// The raw request target, sent byte for byte.
    var path: String
    /// Request headers.
    var headers: [Header]
    /// The request body, if any.
    var body: [UInt8]?
    /// How the answer bodies are compared.
    var bodyCheck: BodyCheck = .exact
    /// The response headers whose values (or absence) are compared.
    var comparedHeaders: [String] = ConformanceStep.keyHeaders
    /// Whether the step goes to Debian's Go gateway too; some requests wedge 1.5.1 (see ``onlyToOurs()``).
    var sentToGo = true

    /// The headers compared on every answer unless a step says otherwise.
    static let keyHeaders = ["Content-Type", "Content-Encoding", "Location", "Allow", "X-Content-Type-Options"]

    /// The CORS headers of the API routes (spec §1.2).
    static let corsHeaders = [
        "Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
        "Access-Control-Expose-Headers", "Cache-Control",
    ]

    /// The Content-Type client_golang sends with a protobuf push.
    static let protobufContentType =
        "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

    /// `METHOD path`, for messages.
    var label: String { "\(self.method) \(self.path)" }

    /// Any request.
    static func request(_ method: String, _ path: String, headers: [Header] = [], body: [UInt8]? = nil) -> Self {
        ConformanceStep(method: method, path: path, headers: headers, body: body)
    }

    /// A PUT with a text body.
    static func put(_ path: String, _ text: String, headers: [Header] = []) -> Self {
        .request("PUT", path, headers: headers, body: Array(text.utf8))
    }

    /// A POST with a text body.
    static func post(_ path: String, _ text: String, headers: [Header] = []) -> Self {
        .request("POST", path, headers: headers, body: Array(text.utf8))
    }

    /// A push of delimited protobuf built from the model, with client_golang's Content-Type.
    static func push(_ method: String, _ path: String, protobuf families: [MetricFamily]) -> Self {
        .request(
            method,
            path,
            headers: [Header("Content-Type", ConformanceStep.protobufContentType)],
            body: ProtobufCodec().encodeDelimited(families)
        )
    }

    /// A DELETE without a body.
    static func delete(_ path: String) -> Self { .request("DELETE", path) }

    /// A GET without a body.
    static func get(_ path: String, headers: [Header] = []) -> Self { .request("GET", path, headers: headers) }

    /// A scrape of `/metrics` whose headers are compared but whose body (own metrics included) is not.
    static func scrape(accept: String? = nil, headers: [Header] = []) -> Self {
        var all = headers
        if let accept { all.append(Header("Accept", accept)) }
        return ConformanceStep.get("/metrics", headers: all).comparingBody(.ignored)
    }

    /// The same step with another body comparison.
    func comparingBody(_ check: BodyCheck) -> Self {
        var copy = self
        copy.bodyCheck = check
        return copy
    }

    /// The same step, sent to our gateway only; Go's answer is recorded as status 0. For requests that wedge
    /// Debian's 1.5.1, whose case must carry a divergence covering the step.
    func onlyToOurs() -> Self {
        var copy = self
        copy.sentToGo = false
        return copy
    }

    /// The same step comparing further response headers.
    func comparingHeaders(_ names: [String]) -> Self {
        var copy = self
        copy.comparedHeaders += names
        return copy
    }
}

/// A request header.
struct Header: Sendable {
    /// The header name.
    var name: String
    /// The header value.
    var value: String

    /// Creates a header.
    init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// How two answer bodies are compared.
enum BodyCheck: Sendable {
    /// Byte for byte.
    case exact
    /// Not at all.
    case ignored
    /// As a consistency (Gather) error, normalised by ``ConformanceRunner/normaliseGatherError(_:)``.
    case gatherError
    /// As JSON of `/api/v1/status`, with build information, start time and listen address masked.
    case statusJSON
    /// As ``statusJSON``, without the flags (their set differs between versions).
    case statusJSONWithoutFlags
}

/// A view of the gateway state after a conversation, without the gateways' own metrics and with push times
/// masked.
enum StateView: String, Sendable, CaseIterable, Comparable {
    /// `GET /api/v1/metrics`.
    case json
    /// `GET /metrics` as text.
    case text
    /// `GET /metrics` as delimited protobuf, decoded.
    case protobuf

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A comparable part of a conversation's outcome. Step indices are 0-based.
enum Aspect: Hashable, Sendable, CustomStringConvertible {
    /// Everything of one answer: status, body, headers.
    case answer(Int)
    /// One answer's body.
    case body(Int)
    /// One response header of one answer.
    case header(Int, String)
    /// A state view.
    case state(StateView)

    /// Whether this aspect includes `other` (an answer includes its body and headers).
    func covers(_ other: Aspect) -> Bool {
        switch (self, other) {
        case (.answer(let step), .body(let other)): step == other
        case (.answer(let step), .header(let other, _)): step == other
        case (.header(let step, let name), .header(let otherStep, let otherName)):
            step == otherStep && name.lowercased() == otherName.lowercased()
        default: self == other
        }
    }

    var description: String {
        switch self {
        case .answer(let step): "answer to step \(step)"
        case .body(let step): "body of answer \(step)"
        case .header(let step, let name): "\(name) of answer \(step)"
        case .state(let view): "\(view.rawValue) state"
        }
    }
}

/// A documented difference between our gateway and Debian's Go gateway 1.5.1: the aspects are not compared;
/// instead, our answers must meet `ours` (and Go's must meet `go`, which proves the divergence is still real).
struct Divergence: Sendable {
    /// Why the gateways differ: a newer upstream (the spec) or a deliberate improvement (README).
    var reason: String
    /// What is not compared for equality.
    var aspects: [Aspect]
    /// What our gateway must show instead.
    var ours: [Expectation]
    /// What Debian's Go gateway shows (documentation that is checked too).
    var go: [Expectation]
    /// Set when our gateway does not meet `ours` yet: the bug, precisely; the checks then run as known issues.
    var oursKnownBug: String?

    /// Creates a divergence.
    init(_ reason: String, aspects: [Aspect], ours: [Expectation], go: [Expectation] = [], oursKnownBug: String? = nil) {
        self.reason = reason
        self.aspects = aspects
        self.ours = ours
        self.go = go
        self.oursKnownBug = oursKnownBug
    }
}

/// A bug in our gateway: the aspects are still compared, inside `withKnownIssue`.
struct KnownBug: Sendable {
    /// What is wrong, precisely.
    var description: String
    /// Where it shows.
    var aspects: [Aspect]
}

/// A fact about one gateway's outcome.
enum Expectation: Sendable {
    /// The status of a step's answer.
    case status(step: Int, Int)
    /// A step's answer body, exactly.
    case body(step: Int, String)
    /// A substring of a step's answer body.
    case bodyContains(step: Int, String)
    /// A string that must not occur in a step's answer body.
    case bodyLacks(step: Int, String)
    /// A response header's value (`nil`: absent).
    case header(step: Int, String, String?)
    /// A substring of a normalised state view.
    case state(StateView, contains: String)
    /// A string that must not occur in a normalised state view.
    case stateLacks(StateView, String)
}
