import PushgatewayCore
import PushgatewayStorage

/// The gateway's own families, merged into every `/metrics` response: `pushgateway_build_info`, the HTTP
/// instrumentation and `process_*`. No `go_*` families.
final class OwnMetrics: Sendable {
    /// The request counter and push summaries.
    let http = HTTPMetrics()

    /// Every own family as the store must know it from the start (its type is fixed and its help wins).
    static var declarations: [OwnFamily] {
        let all =
            [(BuildInformation.buildInfoName, MetricType.gauge, BuildInformation.buildInfoHelp)]
            + HTTPMetrics.ownFamilies.map { ($0.name, $0.type, $0.help) }
            + ProcessMetrics.ownFamilies.map { ($0.name, $0.type, $0.help) }
        return all.map { OwnFamily(name: $0.0, type: $0.1, help: $0.2) }
    }

    /// The families as of now.
    func families() -> [MetricFamily] {
        [BuildInformation.buildInfoFamily] + self.http.families(at: .now) + ProcessMetrics.families()
    }
}
