import Foundation
import HTTPTypes
import PushgatewayCore
import Synchronization

/// What one gateway answered during a case, and the normalised state it was left in.
struct Transcript: Sendable {
    /// One answer per step.
    var answers: [HTTPAnswer]
    /// The normalised state views that were read.
    var state: [StateView: String]
}

/// Runs conversations against one gateway and reads its state back in a comparable form.
enum ConformanceRunner {
    /// The Accept header of a protobuf scrape.
    static let protobufAccept =
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"

    /// Family-name prefixes of the gateways' own metrics, which differ by implementation and are left out.
    static let ownFamilyPrefixes = ["pushgateway_", "process_", "go_", "promhttp_", syncFamily]

    /// The job of the synchronising push (see ``synchronise(_:)``); its group is left out of every view.
    static let syncJob = "conformance-sync"
    /// The family of the synchronising push; left out of every view.
    static let syncFamily = "conformance_sync"

    /// Sends the case's steps in order, then reads the state views it asks for.
    static func run(_ conformanceCase: ConformanceCase, on gateway: RunningGateway) async throws -> Transcript {
        var answers: [HTTPAnswer] = []
        for step in conformanceCase.steps {
            if gateway.kind == .go && !step.sentToGo {
                answers.append(HTTPAnswer(status: 0, headers: HTTPFields(), body: []))
                continue
            }
            answers.append(try await self.send(step.method, step.path, to: gateway, headers: step.headers, body: step.body))
        }
        let queuesWork =
            answers.contains { $0.status == 202 }
            || conformanceCase.steps.contains { $0.method == "DELETE" || $0.path.hasSuffix("/admin/wipe") }
        if queuesWork { try await self.synchronise(gateway) }
        var state: [StateView: String] = [:]
        for view in conformanceCase.views.sorted() {
            state[view] = try await self.read(view, from: gateway)
        }
        return Transcript(answers: answers, state: state)
    }

    /// `send(…)` with a deadline: a request that never gets an answer fails the case instead of hanging the suite
    /// (the hung request is abandoned; stopping the gateway at the end of the suite closes its connection).
    static func send(
        _ method: String,
        _ path: String,
        to gateway: RunningGateway,
        headers: [Header] = [],
        body: [UInt8]? = nil,
        timeout: Duration = .seconds(10)
    ) async throws -> HTTPAnswer {
        let port = gateway.port
        let tuples = headers.tuples
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPAnswer, any Error>) in
            let pending = PendingAnswer(continuation)
            Task {
                do {
                    pending.resume(
                        with: .success(try await PushgatewayInteropTests.send(method, path, port: port, headers: tuples, body: body))
                    )
                } catch {
                    pending.resume(with: .failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: timeout)
                pending.resume(with: .failure(PeerError("\(gateway.kind) gave no answer to \(method) \(path) within \(timeout)")))
            }
        }
    }

    /// Waits until every queued write was applied.
    ///
    /// The Go gateway answers DELETE, wipe and unchecked pushes with 202 before its single writer has applied
    /// them. Its queue is FIFO, so a push to a group of its own (left out of every view) orders the state reads
    /// after everything the conversation queued: a checked push is answered once applied; an unchecked one is
    /// polled for until the JSON API shows its group.
    static func synchronise(_ gateway: RunningGateway) async throws {
        let answer = try await self.send("PUT", "/metrics/job/\(syncJob)", to: gateway, body: Array("\(syncFamily) 1\n".utf8))
        switch answer.status {
        case 200:
            return
        case 202:
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                let groups = try await self.send("GET", "/api/v1/metrics", to: gateway)
                if case .array(let data)? = (try? JSON(parsing: groups.body))?["data"],
                    data.contains(where: { $0["labels"]?["job"] == .string(syncJob) })
                {
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw PeerError("\(gateway.kind) never applied the synchronising push")
        default:
            throw PeerError("\(gateway.kind) refused the synchronising push: \(answer.status) \(answer.text)")
        }
    }

    /// Wipes every group (admin API) and polls until the JSON API shows none.
    static func wipe(_ gateway: RunningGateway) async throws {
        let answer = try await self.send("PUT", "/api/v1/admin/wipe", to: gateway)
        guard answer.status == 202 else { throw PeerError("\(gateway.kind) wipe answered \(answer.status) \(answer.text)") }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            let groups = try await self.send("GET", "/api/v1/metrics", to: gateway)
            if case .array(let data)? = (try? JSON(parsing: groups.body))?["data"], data.isEmpty { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PeerError("\(gateway.kind) still has groups 5 s after a wipe")
    }

    /// Reads one view of the state.
    static func read(_ view: StateView, from gateway: RunningGateway) async throws -> String {
        switch view {
        case .json:
            return self.normaliseGroupsJSON(try await self.send("GET", "/api/v1/metrics", to: gateway))
        case .text:
            return self.normaliseText(try await self.send("GET", "/metrics", to: gateway))
        case .protobuf:
            let answer = try await self.send("GET", "/metrics", to: gateway, headers: [Header("Accept", protobufAccept)])
            return self.normaliseProtobuf(answer)
        }
    }

    // MARK: Normalisation

    /// `/api/v1/metrics`: groups sorted, `time_stamp` masked, push-time values masked unless 0, sync group dropped.
    static func normaliseGroupsJSON(_ answer: HTTPAnswer) -> String {
        guard answer.status == 200, case .object(var envelope)? = try? JSON(parsing: answer.body),
            case .array(let groups)? = envelope["data"]
        else { return "status \(answer.status), not a JSON envelope:\n\(answer.text)" }
        var rendered: [String] = []
        for group in groups {
            guard case .object(var members) = group else {
                rendered.append(group.description)
                continue
            }
            if case .object(let labels)? = members["labels"], labels["job"] == .string(syncJob) { continue }
            for (key, member) in members {
                guard case .object(var family) = member, family["time_stamp"] != nil else { continue }
                family["time_stamp"] = .string("<time>")
                if isPushTimeFamily(key), case .array(let metrics)? = family["metrics"] {
                    family["metrics"] = .array(metrics.map(maskPushTimeValue))
                }
                members[key] = .object(family)
            }
            rendered.append(JSON.object(members).description)
        }
        envelope["data"] = nil
        return ([JSON.object(envelope).description] + rendered.sorted()).joined(separator: "\n")
    }

    /// `/api/v1/status`: build information, start time and listen address masked; flags dropped unless asked for.
    static func normaliseStatusJSON(_ body: [UInt8], keepingFlags: Bool) -> String {
        guard case .object(var envelope)? = try? JSON(parsing: body), case .object(var data)? = envelope["data"] else {
            return "not a JSON envelope: \(String(decoding: body, as: UTF8.self))"
        }
        if case .object(let build)? = data["build_information"] {
            data["build_information"] = .object(build.mapValues { _ in .string("<masked>") })
        }
        if data["start_time"] != nil { data["start_time"] = .string("<time>") }
        if case .object(var flags)? = data["flags"] {
            if flags["web.listen-address"] != nil { flags["web.listen-address"] = .string("<address>") }
            data["flags"] = keepingFlags ? .object(flags) : .string("<compared separately>")
        }
        envelope["data"] = .object(data)
        return JSON.object(envelope).description
    }

    /// The text scrape without own families and the sync group, push-time values masked unless 0.
    static func normaliseText(_ answer: HTTPAnswer) -> String {
        guard answer.status == 200 else { return "status \(answer.status)\n\(self.normaliseGatherError(answer.text))" }
        var blocks: [(name: String, headers: [String], samples: [String])] = []
        for line in answer.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                let name =
                    line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(2).first.map(String.init) ?? ""
                if blocks.last?.name != name || !(blocks.last?.samples.isEmpty ?? false) {
                    blocks.append((name, [], []))
                }
                blocks[blocks.count - 1].headers.append(line)
            } else if !line.isEmpty {
                if blocks.isEmpty { blocks.append(("", [], [])) }
                blocks[blocks.count - 1].samples.append(line)
            }
        }
        var lines: [String] = []
        for block in blocks where !isOwnFamily(block.name) {
            let samples = block.samples
                .filter { !$0.contains("job=\"\(syncJob)\"") }
                .map { isPushTimeFamily(block.name) ? maskLastField($0) : $0 }
            if samples.isEmpty { continue }
            lines += block.headers + samples
        }
        return lines.joined(separator: "\n")
    }

    /// The protobuf scrape decoded, without own families and the sync group, push-time values masked unless 0.
    static func normaliseProtobuf(_ answer: HTTPAnswer) -> String {
        guard answer.status == 200 else { return "status \(answer.status)\n\(self.normaliseGatherError(answer.text))" }
        let families: [MetricFamily]
        do {
            families = try ProtobufCodec().decodeDelimited(answer.body)
        } catch {
            return "undecodable protobuf (\(error)); Content-Type \(answer.header("Content-Type") ?? "none")"
        }
        var lines: [String] = []
        for family in families where !isOwnFamily(family.name) {
            let metrics = family.metrics.filter { !$0.labels.contains(LabelPair(name: "job", value: syncJob)) }
            if metrics.isEmpty && !family.metrics.isEmpty { continue }
            var header = "family \(family.name) type=\(family.type.protobufName)"
            header += " help=\(family.help.map { "\"\($0)\"" } ?? "nil") unit=\(family.unit ?? "nil")"
            if family.unknownFields != UnknownFields() { header += " unknown=\(family.unknownFields)" }
            lines.append(header)
            for metric in metrics {
                let labels = metric.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
                // Go's math.NaN() carries payload 1 (`nan(0x1)`); payloads are not part of the behaviour.
                var value = String(describing: metric.value).replacing(/-?nan(\(0x[0-9a-f]+\))?/, with: "nan")
                if isPushTimeFamily(family.name), case .gauge(let seconds) = metric.value, seconds != 0 {
                    value = "gauge(<time>)"
                }
                var line = "  {\(labels)} \(value)"
                if let timestamp = metric.timestampMs { line += " timestamp_ms=\(timestamp)" }
                if metric.unknownFields != UnknownFields() { line += " unknown=\(metric.unknownFields)" }
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A consistency error (a push's 400 or a scrape's 500) in a form both gateways agree on.
    ///
    /// Go prints the offending metric as protobuf text: Debian's 1.5.1 (golang/protobuf) as `label:<name:"a" >`,
    /// newer upstream and ours as `label:{name:"a"}`, with deliberately unstable spacing (spec §1.6); so angle
    /// brackets become braces and blanks are collapsed. Go lists several errors in map order, so the `* ` lines
    /// are sorted, and which of two colliding push-time series it reports is random, so their values are masked.
    static func normaliseGatherError(_ text: String) -> String {
        var collapsed = ""
        for character in text.replacing("<", with: "{").replacing(">", with: "}") {
            if character == " " && (collapsed.last == " " || collapsed.last == "\n") { continue }
            if character == "}" && collapsed.last == " " { collapsed.removeLast() }
            collapsed.append(character)
        }
        var lines = collapsed.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.contains("\"push_time_seconds\"") || line.contains("\"push_failure_time_seconds\"") else { return String(line) }
            return String(line.replacing(/gauge:\{value:([^}]*)\}/) { _ in "gauge:{value:<masked>}" })
        }
        if let first = lines.firstIndex(where: { $0.hasPrefix("* ") }) {
            let end = lines[first...].firstIndex { !$0.hasPrefix("* ") } ?? lines.endIndex
            lines[first..<end].sort()
        }
        return lines.joined(separator: "\n")
    }

    private static func isOwnFamily(_ name: String) -> Bool {
        ownFamilyPrefixes.contains { name.hasPrefix($0) }
    }

    private static func isPushTimeFamily(_ name: String) -> Bool {
        name == "push_time_seconds" || name == "push_failure_time_seconds"
    }

    /// `name{…} 1.79e+09` → `name{…} <time>`; a value of 0 stays, because "never failed" is part of the behaviour.
    private static func maskLastField(_ line: String) -> String {
        guard let space = line.lastIndex(of: " ") else { return line }
        let value = line[line.index(after: space)...]
        return value == "0" ? line : line[..<space] + " <time>"
    }

    private static func maskPushTimeValue(_ metric: JSON) -> JSON {
        guard case .object(var members) = metric, case .string(let value)? = members["value"], value != "0" else { return metric }
        members["value"] = .string("<time>")
        return .object(members)
    }
}

/// A continuation resumed by whichever comes first, the answer or the deadline.
private final class PendingAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<HTTPAnswer, any Error>?>

    init(_ continuation: CheckedContinuation<HTTPAnswer, any Error>) {
        self.continuation = Mutex(continuation)
    }

    /// Resumes the continuation unless it was resumed already.
    func resume(with result: Result<HTTPAnswer, any Error>) {
        self.continuation.withLock { $0.take() }?.resume(with: result)
    }
}

extension [Header] {
    /// As `send(…)` takes them.
    var tuples: [(String, String)] { self.map { ($0.name, $0.value) } }
}
