import Foundation
import Testing

/// Our gateway against Debian's Go gateway (1.5.1): the same conversations, the same answers, the same state.
///
/// Both gateways start once for the suite (``ConformanceGateways``) with `--web.enable-admin-api` and are wiped
/// before every case. Where they differ on purpose the case says so (``Divergence``); where ours is wrong the
/// case records it (``KnownBug``).
///
/// `CONFORMANCE_FILTER=<part of a case name>` runs only matching cases; `CONFORMANCE_DUMP=1` prints what our
/// gateway answered and its normalised state, for writing expectations.
@Suite(.interop, .serialized, .conformanceGateways)
struct ConformanceTests {
    @Test("Our gateway answers and stores like the Go gateway", arguments: ConformanceCase.selected)
    func answersAndStoresLikeTheGoGateway(_ conformanceCase: ConformanceCase) async throws {
        let pair = try #require(ConformanceGateways.current, "the suite trait starts both gateways")
        try await Self.runAndCompare(conformanceCase, on: pair)
    }

    @Test("With the consistency check off, both gateways answer and store alike")
    func uncheckedPushesAgree() async throws {
        try await withGatewayPair(flags: ["--push.disable-consistency-check", "--web.enable-admin-api"]) { pair in
            for conformanceCase in ConformanceCase.uncheckedCases {
                try await Self.runAndCompare(conformanceCase, on: pair)
            }
            // The store left by the last inconsistent push breaks scrapes on both (spec §2).
            let inconsistent = ConformanceCase.uncheckedCases[2]
            async let goWipe: Void = ConformanceRunner.wipe(pair.go)
            async let oursWipe: Void = ConformanceRunner.wipe(pair.ours)
            _ = try await (goWipe, oursWipe)
            for gateway in [pair.go, pair.ours] {
                _ = try await ConformanceRunner.run(inconsistent, on: gateway)
                let scrape = try await ConformanceRunner.send("GET", "/metrics", to: gateway)
                #expect(scrape.status == 500, "\(gateway.kind): \(scrape.text)")
                #expect(scrape.text.hasPrefix("An error has occurred while serving metrics:\n\n"), "\(gateway.kind)")
                #expect(scrape.text.contains("} is not a "), "\(gateway.kind): \(scrape.text)")
            }
        }
    }

    @Test("The admin wipe route does not exist without --web.enable-admin-api")
    func wipeIsNotRoutedWithoutTheAdminFlag() async throws {
        try await withGatewayPair(flags: []) { pair in
            let step = ConformanceStep.request("PUT", "/api/v1/admin/wipe")
            let conformanceCase = ConformanceCase("wipe without the admin flag is 404", [step], views: [])
            async let goRun = ConformanceRunner.run(conformanceCase, on: pair.go)
            async let oursRun = ConformanceRunner.run(conformanceCase, on: pair.ours)
            let (go, ours) = try await (goRun, oursRun)
            #expect(go.answers.first?.status == 404)
            Comparison(conformanceCase: conformanceCase, go: go, ours: ours).compareAnswers()
        }
    }

    @Test("The case table is well formed")
    func caseTableIsWellFormed() {
        let cases = ConformanceCase.all + ConformanceCase.uncheckedCases
        #expect(ConformanceCase.all.count >= 40)
        #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")
        for conformanceCase in cases {
            let aspects = conformanceCase.divergences.flatMap(\.aspects) + conformanceCase.knownBugs.flatMap(\.aspects)
            for aspect in aspects {
                switch aspect {
                case .answer(let step), .body(let step), .header(let step, _):
                    #expect(conformanceCase.steps.indices.contains(step), "\(conformanceCase.name): \(aspect)")
                case .state(let view):
                    #expect(conformanceCase.views.contains(view), "\(conformanceCase.name): \(aspect)")
                }
            }
            for divergence in conformanceCase.divergences {
                #expect(!divergence.reason.isEmpty && !divergence.ours.isEmpty, "\(conformanceCase.name)")
            }
            for (index, step) in conformanceCase.steps.enumerated() where !step.sentToGo {
                #expect(conformanceCase.isDivergent(.body(index)), "\(conformanceCase.name): step \(index) is not sent to Go")
            }
        }
    }

    /// Wipes both gateways, runs the case on both at once, and compares.
    static func runAndCompare(_ conformanceCase: ConformanceCase, on pair: GatewayPair) async throws {
        async let goWipe: Void = ConformanceRunner.wipe(pair.go)
        async let oursWipe: Void = ConformanceRunner.wipe(pair.ours)
        _ = try await (goWipe, oursWipe)

        async let goRun = ConformanceRunner.run(conformanceCase, on: pair.go)
        async let oursRun = ConformanceRunner.run(conformanceCase, on: pair.ours)
        let (go, ours) = try await (goRun, oursRun)
        if ProcessInfo.processInfo.environment["CONFORMANCE_DUMP"] == "1" { dump(conformanceCase, ours: ours, go: go) }

        let comparison = Comparison(conformanceCase: conformanceCase, go: go, ours: ours)
        comparison.compareAnswers()
        comparison.compareState()
        comparison.checkExpectations()
    }

    /// Prints what our gateway answered and its normalised state (`CONFORMANCE_DUMP=1`), for writing expectations.
    private static func dump(_ conformanceCase: ConformanceCase, ours: Transcript, go: Transcript) {
        print("=== \(conformanceCase.name)")
        for (index, answer) in ours.answers.enumerated() {
            print("step \(index): Go \(go.answers[index].status), ours \(answer.status) \(answer.text.prefix(300))")
        }
        for (view, state) in ours.state.sorted(by: { $0.key < $1.key }) { print("--- \(view.rawValue)\n\(state)") }
    }
}

/// Compares the transcripts of one case, aspect by aspect.
struct Comparison {
    let conformanceCase: ConformanceCase
    let go: Transcript
    let ours: Transcript

    /// Status, body and key headers of every answer.
    func compareAnswers() {
        for (index, step) in self.conformanceCase.steps.enumerated() {
            guard let go = self.go.answers.at(index), let ours = self.ours.answers.at(index) else { continue }
            self.expectEqual(.answer(index), "status of step \(index) (\(step.label))", go: "\(go.status)", ours: "\(ours.status)")
            let goBody = Self.normalise(go.body, step.bodyCheck)
            let oursBody = Self.normalise(ours.body, step.bodyCheck)
            if let goBody, let oursBody {
                self.expectEqual(.body(index), "body of step \(index) (\(step.label))", go: goBody, ours: oursBody)
            }
            for name in step.comparedHeaders {
                self.expectEqual(
                    .header(index, name),
                    "\(name) of step \(index) (\(step.label))",
                    go: go.header(name) ?? "<absent>",
                    ours: ours.header(name) ?? "<absent>"
                )
            }
        }
    }

    /// The normalised state views.
    func compareState() {
        for view in self.conformanceCase.views.sorted() {
            self.expectEqual(.state(view), "\(view.rawValue) state", go: self.go.state[view] ?? "", ours: self.ours.state[view] ?? "")
        }
    }

    /// What each divergence says about our gateway (and about Go's), and the facts both must show.
    func checkExpectations() {
        for divergence in self.conformanceCase.divergences {
            for expectation in divergence.ours {
                if let bug = divergence.oursKnownBug {
                    withKnownIssue(Comment(rawValue: bug)) {
                        self.check(expectation, on: self.ours, gateway: "ours", context: "divergence: \(divergence.reason)")
                    }
                } else {
                    self.check(expectation, on: self.ours, gateway: "ours", context: "divergence: \(divergence.reason)")
                }
            }
            for expectation in divergence.go {
                self.check(expectation, on: self.go, gateway: "Go", context: "divergence: \(divergence.reason)")
            }
        }
        for expectation in self.conformanceCase.expectations {
            self.check(expectation, on: self.go, gateway: "Go", context: "expected of both")
            self.check(expectation, on: self.ours, gateway: "ours", context: "expected of both")
        }
    }

    private func expectEqual(_ aspect: Aspect, _ what: String, go: String, ours: String) {
        if self.conformanceCase.isDivergent(aspect) { return }
        let comment = Comment(rawValue: "\(self.conformanceCase.name): \(what) differs\n--- Go:\n\(go)\n--- ours:\n\(ours)")
        if let bug = self.conformanceCase.knownBug(for: aspect) {
            withKnownIssue(Comment(rawValue: bug.description)) {
                #expect(ours == go, comment)
            }
        } else {
            #expect(ours == go, comment)
        }
    }

    private func check(_ expectation: Expectation, on transcript: Transcript, gateway: String, context: String) {
        let context = "\(self.conformanceCase.name) [\(gateway), \(context)]"
        switch expectation {
        case .status(let step, let status):
            #expect(transcript.answers.at(step)?.status == status, "\(context): status of step \(step)")
        case .body(let step, let body):
            #expect(transcript.answers.at(step)?.text == body, "\(context): body of step \(step)")
        case .bodyContains(let step, let part):
            let body = transcript.answers.at(step)?.text ?? ""
            #expect(body.contains(part), "\(context): body of step \(step) lacks \(part):\n\(body)")
        case .bodyLacks(let step, let part):
            let body = transcript.answers.at(step)?.text ?? ""
            #expect(!body.contains(part), "\(context): body of step \(step) has \(part):\n\(body)")
        case .header(let step, let name, let value):
            #expect(transcript.answers.at(step)?.header(name) == value, "\(context): \(name) of step \(step)")
        case .state(let view, let part):
            let state = transcript.state[view] ?? ""
            #expect(state.contains(part), "\(context): \(view.rawValue) state lacks \(part):\n\(state)")
        case .stateLacks(let view, let part):
            let state = transcript.state[view] ?? ""
            #expect(!state.contains(part), "\(context): \(view.rawValue) state has \(part):\n\(state)")
        }
    }

    /// A body prepared for comparison (`nil`: not compared).
    private static func normalise(_ body: [UInt8], _ check: BodyCheck) -> String? {
        switch check {
        case .exact: return String(decoding: body, as: UTF8.self)
        case .ignored: return nil
        case .statusJSON: return ConformanceRunner.normaliseStatusJSON(body, keepingFlags: true)
        case .statusJSONWithoutFlags: return ConformanceRunner.normaliseStatusJSON(body, keepingFlags: false)
        case .gatherError: return ConformanceRunner.normaliseGatherError(String(decoding: body, as: UTF8.self))
        }
    }
}

extension Array {
    /// The element at `index`, or `nil` past the end.
    fileprivate func at(_ index: Int) -> Element? {
        self.indices.contains(index) ? self[index] : nil
    }
}
