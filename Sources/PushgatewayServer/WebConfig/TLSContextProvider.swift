import NIOCore
import NIOSSL
import Synchronization

/// The TLS context of `tls_server_config`, rebuilt when a certificate, key or CA file changes on disk.
///
/// exporter-toolkit reads the files again for every handshake, and so does this: each new connection reads the
/// certificate, key and CA files (a few kilobytes from the page cache) and builds a new context only when their
/// bytes changed, so a rotated certificate (cert-manager, certbot) is served from the next connection on without
/// a restart.
final class TLSContextProvider: Sendable {
    private let settings: WebConfiguration.TLSServer
    private let clientAuth: WebConfiguration.ClientAuth
    private let cached: Mutex<(files: Files, context: NIOSSLContext)?> = Mutex(nil)
    /// Whether the handshake offers HTTP/2 (ALPN `h2`) besides HTTP/1.1: `http_server_config.http2`.
    let offersHTTP2: Bool

    /// Builds the first context.
    /// - Parameters:
    ///   - settings: `tls_server_config`.
    ///   - http2: `http_server_config.http2`; Go's server then offers `h2` and `http/1.1`, otherwise `http/1.1`.
    /// - Throws: ``WebConfigurationError`` with exporter-toolkit's texts when the files cannot be used.
    init(_ settings: WebConfiguration.TLSServer, http2: Bool) throws(WebConfigurationError) {
        self.settings = settings
        self.clientAuth = try settings.clientAuth()
        self.offersHTTP2 = http2
        _ = try self.context()
    }

    /// The context for a new connection: the cached one while its files are unchanged.
    func context() throws(WebConfigurationError) -> NIOSSLContext {
        let files = try self.readFiles()
        if let cached = self.cached.withLock({ $0 }), cached.files == files {
            return cached.context
        }
        let context = try self.makeContext(files)
        self.cached.withLock { $0 = (files, context) }
        return context
    }

    /// Puts TLS in front of a new connection's pipeline, with the verification `client_auth_type` needs and the
    /// `client_allowed_sans` check.
    func addHandlers(to operations: ChannelPipeline.SynchronousOperations) throws {
        let context = try self.context()
        let handler: NIOSSLServerHandler
        switch self.clientAuth {
        case .requestClientCert, .requireAnyClientCert:
            // Go asks for (or requires) a certificate but does not verify it for these two policies.
            handler = NIOSSLServerHandler(
                context: context,
                customVerificationCallback: { _, promise in promise.succeed(.certificateVerified) }
            )
        case .noClientCert, .verifyClientCertIfGiven, .requireAndVerifyClientCert:
            handler = NIOSSLServerHandler(context: context)
        }
        try operations.addHandler(handler, position: .first)
        if let allowed = self.settings.clientAllowedSANs {
            try operations.addHandler(AllowedSANsHandler(allowed: allowed), position: .after(handler))
        }
    }

    /// The certificate, key and client CA PEM bytes, inline or from their files.
    private struct Files: Equatable {
        var certificate: [UInt8]
        var key: [UInt8]
        var clientCA: [UInt8]
    }

    private func readFiles() throws(WebConfigurationError) -> Files {
        let settings = self.settings
        var files = Files(certificate: Array(settings.cert.utf8), key: Array(settings.key.utf8), clientCA: Array(settings.clientCA.utf8))
        if !settings.certFile.isEmpty {
            do {
                files.certificate = try WebConfiguration.readFile(settings.certFile)
            } catch {
                throw WebConfigurationError(message: "failed to read cert_file (\(settings.certFile)): \(error.message)")
            }
        }
        if !settings.keyFile.isEmpty {
            do {
                files.key = try WebConfiguration.readFile(settings.keyFile)
            } catch {
                throw WebConfigurationError(message: "failed to read key_file (\(settings.keyFile)): \(error.message)")
            }
        }
        if !settings.clientCAFile.isEmpty {
            files.clientCA = try WebConfiguration.readFile(settings.clientCAFile)
        }
        return files
    }

    private func makeContext(_ files: Files) throws(WebConfigurationError) -> NIOSSLContext {
        let settings = self.settings
        let certificateBytes = files.certificate
        let keyBytes = files.key
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(certificateBytes)
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem)
        } catch {
            throw WebConfigurationError(message: "failed to load X509KeyPair: \(error)")
        }
        guard !chain.isEmpty else {
            throw WebConfigurationError(message: "failed to load X509KeyPair: tls: failed to find any PEM data in certificate input")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.applicationProtocols = self.offersHTTP2 ? ["h2", "http/1.1"] : ["http/1.1"]
        configuration.minimumTLSVersion = settings.minVersion.nio
        configuration.maximumTLSVersion = settings.maxVersion.nio
        // TLS 1.3 suites are fixed in BoringSSL (and ignored by Go too); the rest are in preference order.
        let suites = settings.cipherSuites.filter { $0.code >> 8 != 0x13 }
        if !suites.isEmpty {
            configuration.cipherSuiteValues = suites.map { NIOTLSCipher(rawValue: $0.code) }
        }
        if !settings.curvePreferences.isEmpty {
            configuration.curves = settings.curvePreferences.map(\.nio)
        }
        let caBytes = files.clientCA
        if !caBytes.isEmpty {
            // Go's AppendCertsFromPEM skips what it cannot parse; a CA file without certificates trusts nothing.
            let roots = (try? NIOSSLCertificate.fromPEMBytes(caBytes)) ?? []
            configuration.trustRoots = .certificates(roots)
        } else {
            configuration.trustRoots = .certificates([])
        }
        switch self.clientAuth {
        case .noClientCert: configuration.certificateVerification = .none
        case .requestClientCert, .verifyClientCertIfGiven: configuration.certificateVerification = .optionalVerification
        case .requireAnyClientCert, .requireAndVerifyClientCert: configuration.certificateVerification = .noHostnameVerification
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw WebConfigurationError(message: "failed to load X509KeyPair: \(error)")
        }
    }
}

extension TLSProtocolVersion {
    fileprivate var nio: NIOSSL.TLSVersion {
        switch self {
        case .tls10: .tlsv1
        case .tls11: .tlsv11
        case .tls12: .tlsv12
        case .tls13: .tlsv13
        }
    }
}

extension TLSCurve {
    fileprivate var nio: NIOTLSCurve {
        switch self {
        case .p256: .secp256r1
        case .p384: .secp384r1
        case .p521: .secp521r1
        case .x25519: .x25519
        }
    }
}
