/// A `--web.config.file` that cannot be used; ``message`` is exporter-toolkit's text for the same problem.
struct WebConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong, as exporter-toolkit (or the Go library it calls) words it.
    var message: String

    /// The message.
    var description: String { self.message }
}

/// The web configuration file of exporter-toolkit (v0.16.0 `web.Config`): TLS, extra answer headers, basic
/// authentication users and a rate limit, with the same field names and defaults.
struct WebConfiguration: Hashable, Sendable {
    /// `tls_server_config`.
    var tlsServer = TLSServer()
    /// `http_server_config`.
    var httpServer = HTTPServer()
    /// `basic_auth_users`: user name to bcrypt hash; empty for no authentication.
    var basicAuthUsers: [String: String] = [:]
    /// `rate_limit`.
    var rateLimit = RateLimit()

    /// `tls_server_config`: relative paths are already joined with the configuration file's directory.
    struct TLSServer: Hashable, Sendable {
        /// `cert`: an inline PEM certificate (chain).
        var cert = ""
        /// `key`: an inline PEM private key.
        var key = ""
        /// `client_ca`: inline PEM CA certificates for client certificates.
        var clientCA = ""
        /// `cert_file`.
        var certFile = ""
        /// `key_file`.
        var keyFile = ""
        /// `client_auth_type` as written (`""` means `NoClientCert`).
        var clientAuthType = ""
        /// `client_ca_file`.
        var clientCAFile = ""
        /// `cipher_suites`: Go's names of the suites, in preference order.
        var cipherSuites: [TLSCipherSuite] = []
        /// `curve_preferences`.
        var curvePreferences: [TLSCurve] = []
        /// `min_version`.
        var minVersion = TLSProtocolVersion.tls12
        /// `max_version`.
        var maxVersion = TLSProtocolVersion.tls13
        /// `prefer_server_cipher_suites`.
        var preferServerCipherSuites = true
        /// `client_allowed_sans`; `nil` when absent (no SAN check).
        var clientAllowedSANs: [String]?

        /// Whether any field that turns TLS on is set (exporter-toolkit's `validateTLSPaths` first check).
        var isEnabled: Bool {
            !(self.certFile.isEmpty && self.cert.isEmpty && self.keyFile.isEmpty && self.key.isEmpty
                && self.clientCAFile.isEmpty && self.clientCA.isEmpty && self.clientAuthType.isEmpty)
        }
    }

    /// `http_server_config`.
    struct HTTPServer: Hashable, Sendable {
        /// `http2` (default true). The gateway serves HTTP/1.1 only; the value is parsed and logged.
        var http2 = true
        /// `headers`: extra headers for every answer, sorted by name.
        var headers: [Header] = []
    }

    /// One `http_server_config.headers` entry.
    struct Header: Hashable, Sendable {
        var name: String
        var value: String
    }

    /// `rate_limit`.
    struct RateLimit: Hashable, Sendable {
        /// `interval` between two requests; zero disables the limiter.
        var interval = GoDuration(nanoseconds: 0)
        /// `burst`.
        var burst = 0
    }

    /// The TLS client authentication policies (Go's `tls.ClientAuthType`).
    enum ClientAuth: Hashable, Sendable {
        case noClientCert
        case requestClientCert
        case requireAnyClientCert
        case verifyClientCertIfGiven
        case requireAndVerifyClientCert
    }

    /// The headers `http_server_config.headers` may set, with their allowed values (empty: any value), as
    /// exporter-toolkit's `extraHTTPHeaders`.
    static let allowedHeaders: [String: [String]] = [
        "Strict-Transport-Security": [],
        "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"],
        "X-XSS-Protection": [],
        "Content-Security-Policy": [],
    ]
}

/// A `min_version`/`max_version` value.
enum TLSProtocolVersion: String, Hashable, Sendable, CaseIterable, Comparable {
    case tls10 = "TLS10"
    case tls11 = "TLS11"
    case tls12 = "TLS12"
    case tls13 = "TLS13"

    private var rank: Int {
        switch self {
        case .tls10: 0
        case .tls11: 1
        case .tls12: 2
        case .tls13: 3
        }
    }

    static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.rank < rhs.rank
    }
}

/// A `curve_preferences` value (Go's names).
enum TLSCurve: String, Hashable, Sendable, CaseIterable {
    case p256 = "CurveP256"
    case p384 = "CurveP384"
    case p521 = "CurveP521"
    case x25519 = "X25519"
}

/// A `cipher_suites` value: one of the names Go's `tls.CipherSuites()` lists (the secure suites).
struct TLSCipherSuite: Hashable, Sendable {
    /// Go's name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    var name: String
    /// The IANA code point.
    var code: UInt16

    /// Go 1.23's `tls.CipherSuites()`, which exporter-toolkit accepts by name.
    static let known: [TLSCipherSuite] = [
        .init(name: "TLS_AES_128_GCM_SHA256", code: 0x1301),
        .init(name: "TLS_AES_256_GCM_SHA384", code: 0x1302),
        .init(name: "TLS_CHACHA20_POLY1305_SHA256", code: 0x1303),
        .init(name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", code: 0xc009),
        .init(name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", code: 0xc00a),
        .init(name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", code: 0xc013),
        .init(name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", code: 0xc014),
        .init(name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", code: 0xc02b),
        .init(name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", code: 0xc02c),
        .init(name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", code: 0xc02f),
        .init(name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", code: 0xc030),
        .init(name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", code: 0xcca8),
        .init(name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", code: 0xcca9),
    ]
}
