import Hummingbird
import PushgatewayCore

// httprouter's Router.ServeHTTP with the defaults upstream keeps (RedirectTrailingSlash, RedirectFixedPath,
// HandleMethodNotAllowed, HandleOPTIONS): one tree per method; a miss is redirected (301 for GET, 307 for any
// other method) to the path with the trailing slash fixed or the case corrected, then answered OPTIONS with an
// Allow header, 405 with an Allow header, or 404.

/// Routes a method and a decoded path as upstream's httprouter does.
struct MethodRouter<Value: Sendable>: Sendable {
    /// What httprouter does with a request.
    enum Outcome {
        /// A route matched; parameters by name.
        case matched(Value, parameters: [(name: String, value: [UInt8])])
        /// Redirect to this (decoded) path with 301 or 307.
        case redirect(path: [UInt8], status: HTTPResponse.Status)
        /// `OPTIONS` on a path other methods serve: 200 with this `Allow` value.
        case options(allow: String)
        /// Other methods serve the path: 405 with this `Allow` value.
        case methodNotAllowed(allow: String)
        /// No route at all.
        case notFound
    }

    private var trees: [String: RouteTree<Value>] = [:]

    /// Creates a router without routes.
    init() {}

    /// Registers a route.
    /// - Throws: ``RouteTreeError`` where httprouter would panic (conflicting or duplicate routes).
    mutating func add(_ method: HTTPRequest.Method, _ pattern: String, _ value: Value) throws(RouteTreeError) {
        try self.trees[method.rawValue, default: RouteTree()].add(pattern, value)
    }

    /// Routes a request.
    func route(method: HTTPRequest.Method, path: [UInt8]) -> Outcome {
        if let tree = self.trees[method.rawValue] {
            let match = tree.lookup(path)
            if let value = match.value {
                return .matched(value, parameters: match.parameters)
            }
            if method != .connect && path != [0x2F] {
                let status: HTTPResponse.Status = method == .get ? .movedPermanently : .temporaryRedirect
                if match.trailingSlashRecommended {
                    let fixed = path.count > 1 && path.last == 0x2F ? Array(path.dropLast()) : path + [0x2F]
                    return .redirect(path: fixed, status: status)
                }
                if let fixed = tree.caseInsensitivePath(GoPath.cleanKeepingTrailingSlash(path), fixTrailingSlash: true) {
                    return .redirect(path: fixed, status: status)
                }
            }
        }
        let allow = self.allowed(path: path, excluding: method)
        if !allow.isEmpty {
            return method == .options ? .options(allow: allow) : .methodNotAllowed(allow: allow)
        }
        return .notFound
    }

    /// httprouter's `allowed`: the other methods with a route for `path`, plus `OPTIONS`, sorted, comma-joined.
    func allowed(path: [UInt8], excluding method: HTTPRequest.Method) -> String {
        var methods = self.trees.compactMap { name, tree in
            name != method.rawValue && name != HTTPRequest.Method.options.rawValue && tree.lookup(path).value != nil ? name : nil
        }
        guard !methods.isEmpty else { return "" }
        methods.append(HTTPRequest.Method.options.rawValue)
        return methods.sorted().joined(separator: ", ")
    }
}
