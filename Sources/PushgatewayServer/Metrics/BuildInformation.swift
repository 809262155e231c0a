private import CBuildStamp
import PushgatewayCore

// What upstream reports through prometheus/common's version package (`--version`, `/api/v1/status`) and
// client_golang's version collector (`pushgateway_build_info`), filled with this build's values: the Go
// toolchain fields name the Swift toolchain, and the platform uses Go's GOOS/GOARCH spellings.

/// This build's identity.
public enum BuildInformation {
    /// The gateway's version: the one place it is set.
    public static let version = "0.1.0"
    /// The git revision, stamped by `make` (scripts/build-stamp.sh); "unknown" for a plain `swift build`.
    public static let revision = String(cString: CBuildStamp_revision())
    /// The git branch, stamped like ``revision``.
    public static let branch = String(cString: CBuildStamp_branch())
    /// Who built it (`user@host`), stamped like ``revision``.
    public static let buildUser = String(cString: CBuildStamp_user())
    /// When it was built (`20060102-15:04:05`, UTC), stamped like ``revision``.
    public static let buildDate = String(cString: CBuildStamp_date())
    /// Build tags (upstream's `tags` label).
    public static let tags = "unknown"

    /// The toolchain, in the place of Go's `runtime.Version()`.
    public static let toolchainVersion: String = {
        #if compiler(>=6.4)
            "swift6.4"
        #elseif compiler(>=6.3.1)
            "swift6.3.1"
        #elseif compiler(>=6.3)
            "swift6.3"
        #else
            "swift6"
        #endif
    }()

    /// The operating system as Go's `GOOS` names it.
    public static let operatingSystem: String = {
        #if os(Linux)
            "linux"
        #elseif os(macOS)
            "darwin"
        #else
            "unknown"
        #endif
    }()

    /// The architecture as Go's `GOARCH` names it.
    public static let architecture: String = {
        #if arch(x86_64)
            "amd64"
        #elseif arch(arm64)
            "arm64"
        #else
            "unknown"
        #endif
    }()

    /// The `--version` text, laid out as prometheus/common's `version.Print`.
    public static var versionText: String {
        """
        pushgateway, version \(Self.version) (branch: \(Self.branch), revision: \(Self.revision))
          build user:       \(Self.buildUser)
          build date:       \(Self.buildDate)
          go version:       \(Self.toolchainVersion)
          platform:         \(Self.operatingSystem)/\(Self.architecture)
          tags:             \(Self.tags)
        """
    }

    /// The `build_information` map of `/api/v1/status`.
    static var statusMap: [String: String] {
        [
            "branch": Self.branch,
            "buildDate": Self.buildDate,
            "buildUser": Self.buildUser,
            "goVersion": Self.toolchainVersion,
            "revision": Self.revision,
            "version": Self.version,
        ]
    }

    static let buildInfoName = "pushgateway_build_info"
    static let buildInfoHelp =
        "A metric with a constant '1' value labeled by version, revision, branch, goversion from which pushgateway was built, and the goos and goarch for the build."

    /// The `pushgateway_build_info` family.
    static var buildInfoFamily: MetricFamily {
        let labels = [
            LabelPair(name: "branch", value: Self.branch),
            LabelPair(name: "goarch", value: Self.architecture),
            LabelPair(name: "goos", value: Self.operatingSystem),
            LabelPair(name: "goversion", value: Self.toolchainVersion),
            LabelPair(name: "revision", value: Self.revision),
            LabelPair(name: "tags", value: Self.tags),
            LabelPair(name: "version", value: Self.version),
        ]
        return MetricFamily(
            name: Self.buildInfoName,
            help: Self.buildInfoHelp,
            type: .gauge,
            metrics: [Metric(labels: labels, value: .gauge(1))]
        )
    }
}
