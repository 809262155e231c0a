import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension WebConfiguration {
    /// Reads and checks `--web.config.file` as exporter-toolkit's `Serve` does before it listens: the file
    /// (`getConfig`), every user's bcrypt hash (`validateUsers`), then the TLS settings
    /// (`ConfigToTLSConfig`, which also loads the certificate and key once).
    /// - Throws: ``WebConfigurationError`` with exporter-toolkit's message.
    static func load(path: String) throws(WebConfigurationError) -> WebConfiguration {
        let bytes = try Self.readFile(path)
        let configuration = try WebConfiguration(yaml: String(decoding: bytes, as: UTF8.self), directory: Self.directory(of: path))
        for user in configuration.basicAuthUsers.keys.sorted() {
            if let problem = BcryptHash.problem(configuration.basicAuthUsers[user] ?? "") {
                throw WebConfigurationError(message: problem)
            }
        }
        try configuration.tlsServer.validate()
        return configuration
    }

    /// Go's `filepath.Dir`.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else {
            return "."
        }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// Go's `os.ReadFile`, with its error texts (`open PATH: no such file or directory`).
    static func readFile(_ path: String) throws(WebConfigurationError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw WebConfigurationError(message: "open \(path): \(Self.goErrorText(errno))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 {
                return bytes
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw WebConfigurationError(message: "read \(path): \(Self.goErrorText(errno))")
            }
            bytes.append(contentsOf: chunk[..<count])
        }
    }

    /// An errno as Go's `syscall.Errno` prints it: the C library's text with a lower-case first letter.
    static func goErrorText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

extension WebConfiguration.TLSServer {
    /// The client authentication policy (`client_auth_type`; `RequireClientCert` is kept for compatibility).
    /// - Throws: exporter-toolkit's `invalid ClientAuth: X`.
    func clientAuth() throws(WebConfigurationError) -> WebConfiguration.ClientAuth {
        switch self.clientAuthType {
        case "", "NoClientCert": return .noClientCert
        case "RequestClientCert": return .requestClientCert
        case "RequireAnyClientCert", "RequireClientCert": return .requireAnyClientCert
        case "VerifyClientCertIfGiven": return .verifyClientCertIfGiven
        case "RequireAndVerifyClientCert": return .requireAndVerifyClientCert
        default: throw WebConfigurationError(message: "invalid ClientAuth: \(self.clientAuthType)")
        }
    }

    /// exporter-toolkit's checks in `validateTLSPaths` and `ConfigToTLSConfig`, in its order; nothing to check
    /// when TLS is off.
    func validate() throws(WebConfigurationError) {
        guard self.isEnabled else {
            return
        }
        if self.certFile.isEmpty && self.cert.isEmpty {
            throw WebConfigurationError(message: "missing one of cert or cert_file")
        }
        if self.keyFile.isEmpty && self.key.isEmpty {
            throw WebConfigurationError(message: "missing one of key or key_file")
        }
        if !self.certFile.isEmpty {
            do {
                _ = try WebConfiguration.readFile(self.certFile)
            } catch {
                throw WebConfigurationError(message: "failed to read cert_file (\(self.certFile)): \(error.message)")
            }
        }
        if !self.keyFile.isEmpty {
            do {
                _ = try WebConfiguration.readFile(self.keyFile)
            } catch {
                throw WebConfigurationError(message: "failed to read key_file (\(self.keyFile)): \(error.message)")
            }
        }
        if !self.clientCAFile.isEmpty {
            _ = try WebConfiguration.readFile(self.clientCAFile)
        }
        let clientAuth = try self.clientAuth()
        if (!self.clientCAFile.isEmpty || !self.clientCA.isEmpty) && clientAuth == .noClientCert {
            throw WebConfigurationError(message: "client CA's have been configured without a Client Auth Policy")
        }
    }
}

/// The checks of Go's `bcrypt.Cost` on a stored hash, with its error texts.
enum BcryptHash {
    /// Why `hash` is not a bcrypt hash Go would accept, or nil.
    static func problem(_ hash: String) -> String? {
        let bytes = Array(hash.utf8)
        // Go's minHashSize: "$2a$10$" plus 53 characters of salt and hash, less one for the optional minor.
        guard bytes.count >= 59 else {
            return "crypto/bcrypt: hashedSecret too short to be a bcrypted password"
        }
        guard bytes[0] == UInt8(ascii: "$") else {
            return
                "crypto/bcrypt: bcrypt hashes must start with '$', but hashedSecret started with '\(Character(Unicode.Scalar(bytes[0])))'"
        }
        guard bytes[1] <= UInt8(ascii: "2") else {
            return
                "crypto/bcrypt: bcrypt algorithm version '\(Character(Unicode.Scalar(bytes[1])))' requested is newer than current version '2'"
        }
        var rest = bytes[2...]
        if rest.first != UInt8(ascii: "$") {
            rest = rest.dropFirst()
        }
        rest = rest.dropFirst()
        let costText = String(decoding: rest.prefix(2), as: UTF8.self)
        guard let cost = Int(costText) else {
            return "strconv.Atoi: parsing \(GoQuote.string(costText)): invalid syntax"
        }
        guard (4...31).contains(cost) else {
            return "crypto/bcrypt: cost \(cost) is outside allowed inclusive range 4..31"
        }
        return nil
    }
}
