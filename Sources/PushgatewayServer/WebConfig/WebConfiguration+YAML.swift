import PushgatewayCore
import Yams

extension WebConfiguration {
    /// Decodes a web configuration file's text as exporter-toolkit's `getConfig` does: `yaml.UnmarshalStrict`
    /// over the defaults, then the header check; relative paths are joined with `directory`.
    /// - Throws: ``WebConfigurationError`` with yaml.v2's or exporter-toolkit's message.
    init(yaml text: String, directory: String) throws(WebConfigurationError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw WebConfigurationError(message: Self.syntaxMessage(error))
        } catch {
            throw WebConfigurationError(message: "yaml: \(error)")
        }
        var decoder = StrictDecoder()
        self.init()
        if let root, !StrictDecoder.isNull(root) {
            try decoder.decode(root, into: &self)
        }
        if !decoder.errors.isEmpty {
            throw WebConfigurationError(
                message: "yaml: unmarshal errors:\n" + decoder.errors.map { "  \($0)" }.joined(separator: "\n")
            )
        }
        try self.validateHeaders()
        self.tlsServer.certFile = Self.join(directory, self.tlsServer.certFile)
        self.tlsServer.keyFile = Self.join(directory, self.tlsServer.keyFile)
        self.tlsServer.clientCAFile = Self.join(directory, self.tlsServer.clientCAFile)
    }

    /// exporter-toolkit's `validateHeaderConfig`: only the allowed names, and for enumerated ones an allowed value.
    private func validateHeaders() throws(WebConfigurationError) {
        for header in self.httpServer.headers {
            guard let values = Self.allowedHeaders[header.name] else {
                throw WebConfigurationError(message: "HTTP header \(GoQuote.string(header.name)) can not be configured")
            }
            if !values.isEmpty && !values.contains(header.value) {
                let expected = "[" + values.map { GoQuote.string($0) }.joined(separator: " ") + "]"
                throw WebConfigurationError(
                    message: "invalid value for \(header.name). Expected one of: \(expected), but got: \(GoQuote.string(header.value))"
                )
            }
        }
    }

    /// prometheus/common's `JoinDir`: a relative, non-empty path is taken from the file's directory.
    private static func join(_ directory: String, _ path: String) -> String {
        guard !path.isEmpty, !path.hasPrefix("/") else {
            return path
        }
        return GoPath.join(directory, path)
    }

    /// A libyaml syntax error as yaml.v2 words it (`yaml: line N: <problem>`); yaml.v2 counts parser errors'
    /// lines from zero and scanner errors' from one.
    private static func syntaxMessage(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _):
            return "yaml: line \(mark.line): \(problem)"
        case .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return mark.line > 1 ? "yaml: line \(mark.line - 1): \(problem)" : "yaml: \(problem)"
        case .reader(let problem, _, _, _):
            return "yaml: \(problem)"
        default:
            return "yaml: \(error)"
        }
    }
}

/// yaml.v2's strict decoding of the node tree into ``WebConfiguration``: type errors are collected (yaml.v2's
/// `line N: cannot unmarshal ...` and `line N: field X not found in type web.T`), a custom type's own error
/// (an unknown TLS version, cipher or curve) ends decoding at once with its bare message.
private struct StrictDecoder {
    var errors: [String] = []

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    mutating func decode(_ node: Node, into configuration: inout WebConfiguration) throws(WebConfigurationError) {
        try self.fields(of: node, type: "web.Config") { (decoder, key, value) throws(WebConfigurationError) in
            switch key {
            case "tls_server_config": try decoder.decodeTLS(value, into: &configuration.tlsServer)
            case "http_server_config": decoder.decodeHTTP(value, into: &configuration.httpServer)
            case "rate_limit": decoder.decodeRateLimit(value, into: &configuration.rateLimit)
            case "basic_auth_users":
                if let users = decoder.stringMap(value) { configuration.basicAuthUsers = users }
            default: return false
            }
            return true
        }
    }

    private mutating func decodeTLS(_ node: Node, into tls: inout WebConfiguration.TLSServer) throws(WebConfigurationError) {
        try self.fields(of: node, type: "web.TLSConfig") { (decoder, key, value) throws(WebConfigurationError) in
            switch key {
            case "cert": if let parsed = decoder.string(value) { tls.cert = parsed }
            case "key": if let parsed = decoder.string(value) { tls.key = parsed }
            case "client_ca": if let parsed = decoder.string(value) { tls.clientCA = parsed }
            case "cert_file": if let parsed = decoder.string(value) { tls.certFile = parsed }
            case "key_file": if let parsed = decoder.string(value) { tls.keyFile = parsed }
            case "client_auth_type": if let parsed = decoder.string(value) { tls.clientAuthType = parsed }
            case "client_ca_file": if let parsed = decoder.string(value) { tls.clientCAFile = parsed }
            case "client_allowed_sans": if let parsed = decoder.stringList(value) { tls.clientAllowedSANs = parsed }
            case "prefer_server_cipher_suites": if let parsed = decoder.bool(value) { tls.preferServerCipherSuites = parsed }
            case "min_version": if let parsed = try decoder.version(value) { tls.minVersion = parsed }
            case "max_version": if let parsed = try decoder.version(value) { tls.maxVersion = parsed }
            case "cipher_suites":
                guard let names = decoder.stringList(value) else { break }
                tls.cipherSuites = []
                for name in names {
                    guard let suite = TLSCipherSuite.known.first(where: { $0.name == name }) else {
                        throw WebConfigurationError(message: "unknown cipher: \(name)")
                    }
                    tls.cipherSuites.append(suite)
                }
            case "curve_preferences":
                guard let names = decoder.stringList(value) else { break }
                tls.curvePreferences = []
                for name in names {
                    guard let curve = TLSCurve(rawValue: name) else {
                        throw WebConfigurationError(message: "unknown curve: \(name)")
                    }
                    tls.curvePreferences.append(curve)
                }
            default: return false
            }
            return true
        }
    }

    private mutating func decodeHTTP(_ node: Node, into http: inout WebConfiguration.HTTPServer) {
        // No custom types below, so nothing here ends decoding early.
        try? self.fields(of: node, type: "web.HTTPConfig") { (decoder, key, value) in
            switch key {
            case "http2": if let parsed = decoder.bool(value) { http.http2 = parsed }
            case "headers":
                guard let headers = decoder.stringMap(value) else { break }
                http.headers = headers.map { WebConfiguration.Header(name: $0.key, value: $0.value) }
                    .sorted { $0.name < $1.name }
            default: return false
            }
            return true
        }
    }

    private mutating func decodeRateLimit(_ node: Node, into limit: inout WebConfiguration.RateLimit) {
        try? self.fields(of: node, type: "web.RateLimiterConfig") { (decoder, key, value) in
            switch key {
            case "burst": if let parsed = decoder.int(value) { limit.burst = parsed }
            case "interval":
                guard let text = decoder.scalarText(value, into: "time.Duration", allowPlainInt: false) else { break }
                do {
                    limit.interval = try GoDuration(parsing: text)
                } catch {
                    decoder.cannotUnmarshal(value, into: "time.Duration")
                }
            default: return false
            }
            return true
        }
    }

    /// Walks a mapping's pairs; `field` returns false for a key the type does not have.
    private mutating func fields(
        of node: Node,
        type: String,
        _ field: (inout StrictDecoder, String, Node) throws(WebConfigurationError) -> Bool
    ) throws(WebConfigurationError) {
        if Self.isNull(node) { return }
        guard case .mapping(let mapping) = node else {
            self.cannotUnmarshal(node, into: type)
            return
        }
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            let key = keyNode.scalar?.string ?? ""
            guard seen.insert(key).inserted else {
                self.errors.append("line \(Self.line(keyNode)): field \(key) already set in type \(type)")
                continue
            }
            if Self.isNull(value) { continue }
            if try !field(&self, key, value) {
                self.errors.append("line \(Self.line(keyNode)): field \(key) not found in type \(type)")
            }
        }
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }

    /// yaml.v2's short tag of a node, for its error texts.
    private static func shortTag(_ node: Node) -> String {
        switch node {
        case .mapping: return "!!map"
        case .sequence: return "!!seq"
        case .alias: return "!!alias"
        case .scalar(let scalar):
            guard scalar.style == .plain else { return "!!str" }
            if Self.goBool(scalar.string) != nil { return "!!bool" }
            if Int(scalar.string) != nil { return "!!int" }
            if Double(scalar.string) != nil { return "!!float" }
            return "!!str"
        }
    }

    mutating func cannotUnmarshal(_ node: Node, into type: String) {
        var text = ""
        if case .scalar(let scalar) = node {
            text = " `\(scalar.string)`"
        }
        self.errors.append("line \(Self.line(node)): cannot unmarshal \(Self.shortTag(node))\(text) into \(type)")
    }

    /// A scalar's text for a string-like target; yaml.v2 puts any scalar into a string.
    mutating func scalarText(_ node: Node, into type: String, allowPlainInt: Bool = true) -> String? {
        guard case .scalar(let scalar) = node else {
            self.cannotUnmarshal(node, into: type)
            return nil
        }
        if !allowPlainInt && Self.shortTag(node) != "!!str" {
            self.cannotUnmarshal(node, into: type)
            return nil
        }
        return scalar.string
    }

    mutating func string(_ node: Node) -> String? {
        self.scalarText(node, into: "string")
    }

    mutating func bool(_ node: Node) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Self.goBool(scalar.string) else {
            self.cannotUnmarshal(node, into: "bool")
            return nil
        }
        return value
    }

    mutating func int(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int(scalar.string) else {
            self.cannotUnmarshal(node, into: "int")
            return nil
        }
        return value
    }

    mutating func version(_ node: Node) throws(WebConfigurationError) -> TLSProtocolVersion? {
        guard let text = self.scalarText(node, into: "string") else { return nil }
        guard let version = TLSProtocolVersion(rawValue: text) else {
            throw WebConfigurationError(message: "unknown TLS version: \(text)")
        }
        return version
    }

    mutating func stringList(_ node: Node) -> [String]? {
        guard case .sequence(let sequence) = node else {
            self.cannotUnmarshal(node, into: "[]string")
            return nil
        }
        return sequence.compactMap { self.string($0) }
    }

    mutating func stringMap(_ node: Node) -> [String: String]? {
        guard case .mapping(let mapping) = node else {
            self.cannotUnmarshal(node, into: "map[string]string")
            return nil
        }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = self.string(key) else { continue }
            if result[name] != nil {
                self.errors.append("line \(Self.line(key)): key \(GoQuote.string(name)) already set in map")
                continue
            }
            result[name] = Self.isNull(value) ? "" : self.string(value)
        }
        return result
    }

    /// YAML 1.1 booleans as yaml.v2 resolves them.
    private static func goBool(_ text: String) -> Bool? {
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE": return true
        case "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE": return false
        default: return nil
        }
    }
}
