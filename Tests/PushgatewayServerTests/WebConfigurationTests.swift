import Testing

@testable import PushgatewayServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--web.config.file` parsing: exporter-toolkit's fields, defaults and error texts.
@Suite struct WebConfigurationTests {
    private func parse(_ yaml: String, directory: String = "/etc/pushgateway") throws(WebConfigurationError) -> WebConfiguration {
        try WebConfiguration(yaml: yaml, directory: directory)
    }

    @Test func emptyFileHasExporterToolkitDefaults() throws {
        let configuration = try self.parse("")
        #expect(configuration == WebConfiguration())
        #expect(configuration.tlsServer.minVersion == .tls12)
        #expect(configuration.tlsServer.maxVersion == .tls13)
        #expect(configuration.tlsServer.preferServerCipherSuites)
        #expect(configuration.httpServer.http2)
        #expect(!configuration.tlsServer.isEnabled)
    }

    @Test func readsEverySection() throws {
        let configuration = try self.parse(
            """
            tls_server_config:
              cert_file: server.crt
              key_file: /abs/server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: ca.crt
              client_allowed_sans: [client.example, 127.0.0.1]
              min_version: TLS13
              max_version: TLS13
              cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
              curve_preferences: [X25519, CurveP256]
              prefer_server_cipher_suites: false
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: deny
                Content-Security-Policy: default-src 'self'
            basic_auth_users:
              alice: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi
            rate_limit:
              interval: 1s
              burst: 5
            """
        )
        let tls = configuration.tlsServer
        #expect(tls.certFile == "/etc/pushgateway/server.crt")
        #expect(tls.keyFile == "/abs/server.key")
        #expect(tls.clientCAFile == "/etc/pushgateway/ca.crt")
        #expect(tls.clientAuthType == "RequireAndVerifyClientCert")
        #expect(tls.clientAllowedSANs == ["client.example", "127.0.0.1"])
        #expect(tls.minVersion == .tls13 && tls.maxVersion == .tls13)
        #expect(tls.cipherSuites.map(\.code) == [0xc02f])
        #expect(tls.curvePreferences == [.x25519, .p256])
        #expect(!tls.preferServerCipherSuites)
        #expect(tls.isEnabled)
        #expect(!configuration.httpServer.http2)
        #expect(
            configuration.httpServer.headers == [
                .init(name: "Content-Security-Policy", value: "default-src 'self'"), .init(name: "X-Frame-Options", value: "deny"),
            ]
        )
        #expect(configuration.basicAuthUsers.keys.sorted() == ["alice"])
        #expect(configuration.rateLimit == .init(interval: GoDuration(nanoseconds: 1_000_000_000), burst: 5))
    }

    @Test(arguments: [
        ("tls_server_config:\n  cert_fil: x\n", "yaml: unmarshal errors:\n  line 2: field cert_fil not found in type web.TLSConfig"),
        (
            "foo: 1\nbar: 2\n",
            "yaml: unmarshal errors:\n  line 1: field foo not found in type web.Config\n  line 2: field bar not found in type web.Config"
        ),
        ("http_server_config:\n  http2: maybe\n", "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!str `maybe` into bool"),
        ("tls_server_config:\n  min_version: TLS14\n", "unknown TLS version: TLS14"),
        ("tls_server_config:\n  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n", "unknown cipher: TLS_RSA_WITH_RC4_128_SHA"),
        ("tls_server_config:\n  curve_preferences: [P999]\n", "unknown curve: P999"),
        ("http_server_config:\n  headers:\n    X-Powered-By: swift\n", #"HTTP header "X-Powered-By" can not be configured"#),
        (
            "http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
            #"invalid value for X-Frame-Options. Expected one of: ["deny" "sameorigin"], but got: "allow""#
        ),
        ("rate_limit:\n  interval: soon\n", "yaml: unmarshal errors:\n  line 2: cannot unmarshal !!str `soon` into time.Duration"),
        ("just text", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!str `just text` into web.Config"),
        ("a: b: c\n", "yaml: line 1: mapping values are not allowed in this context"),
    ])
    func rejectsBadFilesWithExporterToolkitsMessage(yaml: String, message: String) {
        #expect(throws: WebConfigurationError(message: message)) {
            _ = try self.parse(yaml)
        }
    }

    @Test(arguments: [
        ("x", "crypto/bcrypt: hashedSecret too short to be a bcrypted password"),
        (
            "x2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi",
            "crypto/bcrypt: bcrypt hashes must start with '$', but hashedSecret started with 'x'"
        ),
        (
            "$3y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi",
            "crypto/bcrypt: bcrypt algorithm version '3' requested is newer than current version '2'"
        ),
        ("$2y$99$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi", "crypto/bcrypt: cost 99 is outside allowed inclusive range 4..31"),
    ])
    func rejectsHashesGoBcryptRejects(hash: String, message: String) {
        #expect(BcryptHash.problem(hash) == message)
    }

    @Test func acceptsHtpasswdHashes() {
        #expect(BcryptHash.problem("$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi") == nil)
    }

    @Test func tlsSettingsAreCheckedInExporterToolkitsOrder() {
        let cases: [(String, String)] = [
            ("tls_server_config:\n  key_file: k\n", "missing one of cert or cert_file"),
            ("tls_server_config:\n  cert_file: c\n", "missing one of key or key_file"),
            (
                "tls_server_config:\n  cert_file: /nonexistent/c\n  key_file: k\n",
                "failed to read cert_file (/nonexistent/c): open /nonexistent/c: no such file or directory"
            ),
        ]
        for (yaml, message) in cases {
            #expect(throws: WebConfigurationError(message: message)) {
                try self.parse(yaml).tlsServer.validate()
            }
        }
        var tls = WebConfiguration.TLSServer()
        tls.cert = "inline"
        tls.key = "inline"
        tls.clientAuthType = "Sometimes"
        #expect(throws: WebConfigurationError(message: "invalid ClientAuth: Sometimes")) { try tls.validate() }
        tls.clientAuthType = ""
        tls.clientCA = "inline"
        #expect(throws: WebConfigurationError(message: "client CA's have been configured without a Client Auth Policy")) {
            try tls.validate()
        }
    }

    @Test func unreadableFileGivesGosOpenError() {
        #expect(throws: WebConfigurationError(message: "open /nonexistent/web.yml: no such file or directory")) {
            _ = try WebConfiguration.load(path: "/nonexistent/web.yml")
        }
    }

    @Test func relativePathsAreTakenFromTheFilesDirectory() {
        #expect(WebConfiguration.directory(of: "web.yml") == ".")
        #expect(WebConfiguration.directory(of: "/etc/web.yml") == "/etc")
        #expect(WebConfiguration.directory(of: "/web.yml") == "/")
    }

    @Test(arguments: [
        ([UInt8]([127, 0, 0, 1]), "127.0.0.1"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "::1"),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], "2001:db8::1:0:0:1"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1], "10.0.0.1"),
    ])
    func printsSANAddressesAsGo(bytes: [UInt8], text: String) {
        #expect(AllowedSANsHandler.ipText(bytes) == text)
    }
}
