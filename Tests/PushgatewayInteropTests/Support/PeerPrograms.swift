import Foundation
import Testing

/// Runs a peer program to its end and requires exit status 0; returns its output.
@discardableResult
func runPeer(
    _ executable: String,
    _ arguments: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> String {
    let result = try await ChildProcess.run(executable, arguments)
    try #require(
        result.status == 0,
        "\(([executable] + arguments).joined(separator: " ")) exited with \(result.status):\n\(result.output)",
        sourceLocation: sourceLocation
    )
    return result.output
}

/// What the client_golang pusher (`Tests/Peers/gopusher`) does.
enum GoPush: String {
    /// `Pusher.Push`: PUT.
    case push
    /// `Pusher.Add`: POST.
    case add
    /// `Pusher.Delete`: DELETE, which client_golang only accepts with 202.
    case delete
}

/// Runs the client_golang pusher against `gateway` and requires it to report success.
///
/// - Parameters:
///   - set: `full` (labelled counter, exemplar counter, gauge, summary, classic + native histogram) or
///     `update` (the gauge changed, a new counter).
///   - format: `protobuf` (client_golang's default) or `text` (`Format(expfmt.FmtText)`).
///   - basicAuth: `user:password` for `Pusher.BasicAuth`.
func goPusher(
    _ gateway: RunningGateway,
    _ method: GoPush,
    job: String,
    grouping: [(String, String)] = [],
    set: String = "full",
    format: String = "protobuf",
    basicAuth: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    var arguments = ["-gateway", gateway.url, "-job", job, "-method", method.rawValue, "-set", set, "-format", format]
    if let basicAuth { arguments += ["-basic-auth", basicAuth] }
    for (name, value) in grouping { arguments += ["-grouping", "\(name)=\(value)"] }
    try await runPeer(Peers.goPusher, arguments, sourceLocation: sourceLocation)
}

/// What the prometheus_client pusher (`Tests/Peers/python_pusher.py`) does.
enum PythonPush: String {
    /// `push_to_gateway`: PUT.
    case push
    /// `pushadd_to_gateway`: POST.
    case pushadd
    /// `delete_from_gateway`: DELETE.
    case delete
}

/// Runs the prometheus_client pusher against `gateway` and requires it to report success.
///
/// - Parameters:
///   - set: `full` (labelled counter, gauge, summary, histogram) or `update` (the gauge changed).
///   - compression: `none` or `gzip` (`compression='gzip'`, a gzip body with `Content-Encoding: gzip`).
///   - basicAuth: `user:password` for prometheus_client's `basic_auth_handler`.
func pythonPusher(
    _ gateway: RunningGateway,
    _ method: PythonPush,
    job: String,
    grouping: [(String, String)] = [],
    set: String = "full",
    compression: String = "none",
    basicAuth: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    var arguments = [
        Peers.peerFile("python_pusher.py"), "--gateway", gateway.url, "--job", job, "--method", method.rawValue, "--set", set,
        "--compression", compression,
    ]
    if let basicAuth { arguments += ["--basic-auth", basicAuth] }
    for (name, value) in grouping { arguments += ["--grouping", "\(name)=\(value)"] }
    try await runPeer(Peers.python, arguments, sourceLocation: sourceLocation)
}

/// Runs curl with `arguments` (plus `-sS` and a status line) and returns the HTTP status and the body; curl itself
/// must exit 0.
func curl(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> (status: Int, body: String) {
    let marker = "\ncurl-http-code:"
    let output = try await runPeer("curl", ["-sS", "-w", "\(marker)%{http_code}"] + arguments, sourceLocation: sourceLocation)
    guard let range = output.range(of: marker, options: .backwards), let status = Int(output[range.upperBound...]) else {
        throw PeerError("curl printed no status: \(output)")
    }
    return (status, String(output[..<range.lowerBound]))
}

/// Writes `text` to a fresh file in the suite's temporary directory and returns its path.
func temporaryFile(_ text: String, named name: String) throws -> String {
    let path = try TemporaryDirectory.shared.file(named: "\(UUID().uuidString.prefix(8))-\(name)")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
