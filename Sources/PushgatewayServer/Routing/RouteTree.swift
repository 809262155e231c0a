// A port of the radix tree of julienschmidt/httprouter v1.3.0 (tree.go), which upstream routes every request
// through (via prometheus/common route). Its trailing-slash recommendations and case-insensitive fixed paths
// depend on how the tree happens to be split, not on a simple rule: `PUT /metrics/job/` gets a 307 to
// `/metrics/job` only because the `/metrics/job` node has a wildcard child. Reproducing the tree is the
// reliable way to answer every path as upstream does.
//
// Differences: registration errors are thrown instead of panics, node paths are lower-cased as ASCII (every
// route here is ASCII), and a request path whose lower case changes its length (where Go could index out of
// range and fail the request) is simply not found.

private let asciiSlash: UInt8 = 0x2F
private let asciiColon: UInt8 = 0x3A
private let asciiStar: UInt8 = 0x2A

/// A route pattern httprouter would refuse to register (it panics at startup).
struct RouteTreeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// httprouter's panic message.
    var message: String

    var description: String { self.message }
}

/// One method's routes: static segments, `:name` parameters and a final `*name` catch-all.
struct RouteTree<Value: Sendable>: Sendable {
    /// The result of a lookup.
    struct Match: Sendable {
        /// The route's value if a route matched.
        var value: Value?
        /// Parameter names and their (already decoded) values; a catch-all value starts with `/`.
        var parameters: [(name: String, value: [UInt8])]
        /// httprouter's trailing slash recommendation: a route exists with one more or one less `/`.
        var trailingSlashRecommended: Bool
    }

    private enum NodeType: Sendable {
        case normal
        case root
        case parameter
        case catchAll
    }

    private struct Node: Sendable {
        var path: [UInt8] = []
        var wildChild = false
        var type = NodeType.normal
        var indices: [UInt8] = []
        var children: [Int] = []
        var value: Value?
        var priority: UInt32 = 0
    }

    /// Nodes by index; the root is at 0.
    private var nodes: [Node] = [Node()]

    /// Creates an empty tree.
    init() {}

    // MARK: Registration (httprouter addRoute / insertChild)

    /// Registers `pattern` (absolute, e.g. `/metrics/job/:job/*labels`).
    mutating func add(_ pattern: String, _ value: Value) throws(RouteTreeError) {
        let fullPath = Array(pattern.utf8)
        guard fullPath.first == asciiSlash else {
            throw RouteTreeError(message: "path must begin with '/' in path '\(pattern)'")
        }
        var path = fullPath
        var n = 0
        self.nodes[n].priority += 1
        guard !self.nodes[n].path.isEmpty || !self.nodes[n].children.isEmpty else {
            try self.insertChild(at: n, path: path, fullPath: pattern, value: value)
            self.nodes[n].type = .root
            return
        }
        walk: while true {
            var common = 0
            let limit = min(path.count, self.nodes[n].path.count)
            while common < limit && path[common] == self.nodes[n].path[common] {
                common += 1
            }
            // Split the edge: the node keeps the common prefix, a new child the rest.
            if common < self.nodes[n].path.count {
                let old = self.nodes[n]
                let child = Node(
                    path: Array(old.path[common...]),
                    wildChild: old.wildChild,
                    type: .normal,
                    indices: old.indices,
                    children: old.children,
                    value: old.value,
                    priority: old.priority - 1
                )
                let childIndex = self.append(child)
                self.nodes[n].children = [childIndex]
                self.nodes[n].indices = [old.path[common]]
                self.nodes[n].path = Array(old.path[..<common])
                self.nodes[n].value = nil
                self.nodes[n].wildChild = false
            }
            guard common < path.count else {
                if self.nodes[n].value != nil {
                    throw RouteTreeError(message: "a handle is already registered for path '\(pattern)'")
                }
                self.nodes[n].value = value
                return
            }
            path = Array(path[common...])
            if self.nodes[n].wildChild {
                n = self.nodes[n].children[0]
                self.nodes[n].priority += 1
                let wildcard = self.nodes[n].path
                if path.count >= wildcard.count && Array(path[..<wildcard.count]) == wildcard
                    && (wildcard.count >= path.count || path[wildcard.count] == asciiSlash)
                {
                    continue walk
                }
                throw RouteTreeError(
                    message: "'\(pattern)' conflicts with existing wildcard '\(String(decoding: wildcard, as: UTF8.self))'"
                )
            }
            let next = path[0]
            if self.nodes[n].type == .parameter && next == asciiSlash && self.nodes[n].children.count == 1 {
                n = self.nodes[n].children[0]
                self.nodes[n].priority += 1
                continue walk
            }
            if let position = self.nodes[n].indices.firstIndex(of: next) {
                let moved = self.incrementChildPriority(of: n, at: position)
                n = self.nodes[n].children[moved]
                continue walk
            }
            if next != asciiColon && next != asciiStar {
                self.nodes[n].indices.append(next)
                let child = self.append(Node())
                self.nodes[n].children.append(child)
                _ = self.incrementChildPriority(of: n, at: self.nodes[n].indices.count - 1)
                n = child
            }
            try self.insertChild(at: n, path: path, fullPath: pattern, value: value)
            return
        }
    }

    private mutating func append(_ node: Node) -> Int {
        self.nodes.append(node)
        return self.nodes.count - 1
    }

    /// httprouter's `incrementChildPrio`: children are kept ordered by priority, indices with them.
    private mutating func incrementChildPriority(of n: Int, at position: Int) -> Int {
        let child = self.nodes[n].children[position]
        self.nodes[child].priority += 1
        let priority = self.nodes[child].priority
        var newPosition = position
        while newPosition > 0 && self.nodes[self.nodes[n].children[newPosition - 1]].priority < priority {
            self.nodes[n].children.swapAt(newPosition - 1, newPosition)
            newPosition -= 1
        }
        if newPosition != position {
            var indices = self.nodes[n].indices
            let moved = indices.remove(at: position)
            indices.insert(moved, at: newPosition)
            self.nodes[n].indices = indices
        }
        return newPosition
    }

    private mutating func insertChild(at start: Int, path: [UInt8], fullPath: String, value: Value) throws(RouteTreeError) {
        var n = start
        var offset = 0
        var parameterCount = path.count { $0 == asciiColon || $0 == asciiStar }
        var index = 0
        while parameterCount > 0 {
            let byte = path[index]
            guard byte == asciiColon || byte == asciiStar else {
                index += 1
                continue
            }
            var end = index + 1
            while end < path.count && path[end] != asciiSlash {
                if path[end] == asciiColon || path[end] == asciiStar {
                    throw RouteTreeError(message: "only one wildcard per path segment is allowed in path '\(fullPath)'")
                }
                end += 1
            }
            guard self.nodes[n].children.isEmpty else {
                throw RouteTreeError(message: "wildcard route conflicts with existing children in path '\(fullPath)'")
            }
            guard end - index >= 2 else {
                throw RouteTreeError(message: "wildcards must be named with a non-empty name in path '\(fullPath)'")
            }
            if byte == asciiColon {
                if index > 0 {
                    self.nodes[n].path = Array(path[offset..<index])
                    offset = index
                }
                let child = self.append(Node(type: .parameter))
                self.nodes[n].children = [child]
                self.nodes[n].wildChild = true
                n = child
                self.nodes[n].priority += 1
                parameterCount -= 1
                if end < path.count {
                    self.nodes[n].path = Array(path[offset..<end])
                    offset = end
                    let next = self.append(Node(priority: 1))
                    self.nodes[n].children = [next]
                    n = next
                }
            } else {
                guard end == path.count, parameterCount <= 1 else {
                    throw RouteTreeError(message: "catch-all routes are only allowed at the end of the path in path '\(fullPath)'")
                }
                if self.nodes[n].path.last == asciiSlash {
                    throw RouteTreeError(
                        message: "catch-all conflicts with existing handle for the path segment root in path '\(fullPath)'"
                    )
                }
                index -= 1
                guard index >= 0, path[index] == asciiSlash else {
                    throw RouteTreeError(message: "no / before catch-all in path '\(fullPath)'")
                }
                self.nodes[n].path = Array(path[offset..<index])
                let catchAll = self.append(Node(wildChild: true, type: .catchAll))
                self.nodes[n].children = [catchAll]
                self.nodes[n].indices = [asciiSlash]
                n = catchAll
                self.nodes[n].priority += 1
                let holder = self.append(Node(path: Array(path[index...]), type: .catchAll, value: value, priority: 1))
                self.nodes[n].children = [holder]
                return
            }
            index += 1
        }
        self.nodes[n].path = Array(path[offset...])
        self.nodes[n].value = value
    }

    // MARK: Lookup (httprouter getValue)

    /// Looks `path` (decoded, absolute) up as httprouter's `getValue` does.
    func lookup(_ path: [UInt8]) -> Match {
        var match = Match(value: nil, parameters: [], trailingSlashRecommended: false)
        var n = 0
        var path = path[...]
        walk: while true {
            let node = self.nodes[n]
            if path.count > node.path.count {
                if path.starts(with: node.path) {
                    path = path.dropFirst(node.path.count)
                    if !node.wildChild {
                        if let first = path.first, let position = node.indices.firstIndex(of: first) {
                            n = node.children[position]
                            continue walk
                        }
                        match.trailingSlashRecommended = path.elementsEqual([asciiSlash]) && node.value != nil
                        return match
                    }
                    n = node.children[0]
                    let wildcard = self.nodes[n]
                    switch wildcard.type {
                    case .parameter:
                        let end = path.firstIndex(of: asciiSlash) ?? path.endIndex
                        match.parameters.append((String(decoding: wildcard.path.dropFirst(), as: UTF8.self), Array(path[..<end])))
                        if end < path.endIndex {
                            if !wildcard.children.isEmpty {
                                path = path[end...]
                                n = wildcard.children[0]
                                continue walk
                            }
                            match.trailingSlashRecommended = path.count == (end - path.startIndex) + 1
                            return match
                        }
                        if let value = wildcard.value {
                            match.value = value
                        } else if wildcard.children.count == 1 {
                            let child = self.nodes[wildcard.children[0]]
                            match.trailingSlashRecommended = child.path == [asciiSlash] && child.value != nil
                        }
                        return match
                    case .catchAll:
                        match.parameters.append((String(decoding: wildcard.path.dropFirst(2), as: UTF8.self), Array(path)))
                        match.value = wildcard.value
                        return match
                    case .normal, .root:
                        return match
                    }
                }
            } else if path.elementsEqual(node.path) {
                if let value = node.value {
                    match.value = value
                    return match
                }
                if path.elementsEqual([asciiSlash]) && node.wildChild && node.type != .root {
                    match.trailingSlashRecommended = true
                    return match
                }
                if let position = node.indices.firstIndex(of: asciiSlash) {
                    let child = self.nodes[node.children[position]]
                    match.trailingSlashRecommended =
                        (child.path.count == 1 && child.value != nil)
                        || (child.type == .catchAll && self.nodes[child.children[0]].value != nil)
                }
                return match
            }
            match.trailingSlashRecommended =
                path.elementsEqual([asciiSlash])
                || (node.path.count == path.count + 1 && node.path[path.count] == asciiSlash
                    && path.elementsEqual(node.path[..<path.count]) && node.value != nil)
            return match
        }
    }

    // MARK: Case-insensitive lookup (httprouter findCaseInsensitivePath)

    /// The path with its case corrected to a registered route (and, with `fixTrailingSlash`, a trailing slash
    /// added or removed), or `nil` if there is none.
    func caseInsensitivePath(_ path: [UInt8], fixTrailingSlash: Bool) -> [UInt8]? {
        let (corrected, found) = self.findCaseInsensitive(
            from: 0,
            path: path[...],
            lowerPath: Self.goLowercased(path)[...],
            corrected: [],
            runeBytes: RuneBytes(),
            fixTrailingSlash: fixTrailingSlash
        )
        return found ? corrected : nil
    }

    /// httprouter's 4-byte rune buffer: the UTF-8 bytes of the rune being matched that child indices have not
    /// consumed yet. It is carried across nodes, stale bytes included, exactly as httprouter carries it: a
    /// `/` left in it after a parameter is what lets a case-corrected path reach a catch-all behind it.
    private struct RuneBytes {
        var bytes: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)

        var first: UInt8 { self.bytes.0 }

        /// httprouter's `shiftNRuneBytes`.
        func shifted(by count: Int) -> RuneBytes {
            var result = RuneBytes()
            switch count {
            case 0: result.bytes = self.bytes
            case 1: result.bytes = (self.bytes.1, self.bytes.2, self.bytes.3, 0)
            case 2: result.bytes = (self.bytes.2, self.bytes.3, 0, 0)
            case 3: result.bytes = (self.bytes.3, 0, 0, 0)
            default: break
            }
            return result
        }

        /// Go's `utf8.EncodeRune(rb[:], rune)`: overwrites only as many leading bytes as the rune needs.
        func encoding(_ scalar: Unicode.Scalar) -> RuneBytes {
            var result = self
            let encoded = Array(String(scalar).utf8)
            if encoded.count > 0 { result.bytes.0 = encoded[0] }
            if encoded.count > 1 { result.bytes.1 = encoded[1] }
            if encoded.count > 2 { result.bytes.2 = encoded[2] }
            if encoded.count > 3 { result.bytes.3 = encoded[3] }
            return result
        }
    }

    private func findCaseInsensitive(
        from start: Int,
        path startPath: ArraySlice<UInt8>,
        lowerPath startLowerPath: ArraySlice<UInt8>,
        corrected startCorrected: [UInt8],
        runeBytes startRuneBytes: RuneBytes,
        fixTrailingSlash: Bool
    ) -> ([UInt8], Bool) {
        var n = start
        var path = startPath
        var lowerPath = startLowerPath
        var corrected = startCorrected
        var runeBytes = startRuneBytes
        var lowerNodePath = Self.goLowercased(self.nodes[n].path)
        // Like httprouter, the first byte of a node's path is not compared: the parent matched it through its
        // indices (case-insensitively).
        walk: while lowerPath.count >= lowerNodePath.count
            && (lowerNodePath.isEmpty || lowerPath.dropFirst().prefix(lowerNodePath.count - 1).elementsEqual(lowerNodePath.dropFirst()))
        {
            let node = self.nodes[n]
            corrected.append(contentsOf: node.path)
            path = path.dropFirst(node.path.count)
            guard !path.isEmpty else {
                if node.value != nil {
                    return (corrected, true)
                }
                if fixTrailingSlash, let position = node.indices.firstIndex(of: asciiSlash) {
                    let child = self.nodes[node.children[position]]
                    if (child.path.count == 1 && child.value != nil)
                        || (child.type == .catchAll && self.nodes[child.children[0]].value != nil)
                    {
                        return (corrected + [asciiSlash], true)
                    }
                }
                return (corrected, false)
            }
            let lowerOld = lowerPath
            lowerPath = lowerPath.dropFirst(lowerNodePath.count)
            if !node.wildChild {
                runeBytes = runeBytes.shifted(by: lowerNodePath.count)
                if runeBytes.first != 0 {
                    // The rune started in an earlier node is not finished.
                    if let position = node.indices.firstIndex(of: runeBytes.first) {
                        n = node.children[position]
                        lowerNodePath = Self.goLowercased(self.nodes[n].path)
                        continue walk
                    }
                } else {
                    // A new rune: find where it starts (at most three bytes back into the node path).
                    var rune = Unicode.Scalar(UInt8(0))
                    var offset = 0
                    while offset < min(lowerNodePath.count, 3) {
                        let index = lowerOld.startIndex + lowerNodePath.count - offset
                        // Go would index out of range (and the request would fail) where lower-casing changed
                        // the length; here that reads as no rune.
                        guard index < lowerOld.endIndex else { break }
                        if lowerOld[index] & 0xC0 != 0x80 {
                            rune = Self.decodeRune(lowerOld[index...])
                            break
                        }
                        offset += 1
                    }
                    runeBytes = runeBytes.encoding(rune).shifted(by: offset)
                    if let position = node.indices.firstIndex(of: runeBytes.first) {
                        // Both the lower- and the upper-case byte may be indices, so this one is a recursion.
                        let (out, found) = self.findCaseInsensitive(
                            from: node.children[position],
                            path: path,
                            lowerPath: lowerPath,
                            corrected: corrected,
                            runeBytes: runeBytes,
                            fixTrailingSlash: fixTrailingSlash
                        )
                        if found {
                            return (out, true)
                        }
                    }
                    let upper = Self.uppercased(rune)
                    if upper != rune {
                        runeBytes = runeBytes.encoding(upper).shifted(by: offset)
                        if let position = node.indices.firstIndex(of: runeBytes.first) {
                            n = node.children[position]
                            lowerNodePath = Self.goLowercased(self.nodes[n].path)
                            continue walk
                        }
                    }
                }
                return (corrected, fixTrailingSlash && path.elementsEqual([asciiSlash]) && node.value != nil)
            }
            n = node.children[0]
            let wildcard = self.nodes[n]
            switch wildcard.type {
            case .parameter:
                let end = path.firstIndex(of: asciiSlash) ?? path.endIndex
                let length = end - path.startIndex
                corrected.append(contentsOf: path[..<end])
                if end < path.endIndex {
                    if !wildcard.children.isEmpty {
                        n = wildcard.children[0]
                        lowerNodePath = Self.goLowercased(self.nodes[n].path)
                        lowerPath = lowerPath.dropFirst(length)
                        path = path[end...]
                        continue walk
                    }
                    return (corrected, fixTrailingSlash && path.count == length + 1)
                }
                if wildcard.value != nil {
                    return (corrected, true)
                }
                if fixTrailingSlash && wildcard.children.count == 1 {
                    let child = self.nodes[wildcard.children[0]]
                    if child.path == [asciiSlash] && child.value != nil {
                        return (corrected + [asciiSlash], true)
                    }
                }
                return (corrected, false)
            case .catchAll:
                return (corrected + path, true)
            case .normal, .root:
                return (corrected, false)
            }
        }
        if fixTrailingSlash {
            if path.elementsEqual([asciiSlash]) {
                return (corrected, true)
            }
            let node = self.nodes[n]
            if !lowerPath.isEmpty && lowerPath.count + 1 == lowerNodePath.count && lowerNodePath[lowerPath.count] == asciiSlash
                && lowerPath.dropFirst().elementsEqual(lowerNodePath[1..<lowerPath.count]) && node.value != nil
            {
                return (corrected + node.path, true)
            }
        }
        return (corrected, false)
    }

    /// Go's `utf8.DecodeRune`: the scalar at the start of `bytes`, U+FFFD if it is not valid UTF-8.
    private static func decodeRune(_ bytes: ArraySlice<UInt8>) -> Unicode.Scalar {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return scalar
        }
        return "\u{FFFD}"
    }

    /// Go's `unicode.ToUpper` where the upper case is one scalar; other scalars stay.
    private static func uppercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let mapping = scalar.properties.uppercaseMapping.unicodeScalars
        return mapping.count == 1 ? mapping[mapping.startIndex] : scalar
    }

    /// Go's `strings.ToLower`: ASCII bytes directly; otherwise every rune through its lower case (where that
    /// is a single scalar), invalid UTF-8 becoming U+FFFD, so the result may differ in length.
    private static func goLowercased(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(where: { $0 >= 0x80 }) else {
            return bytes.map(Self.lowercased)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] < 0x80 {
                out.append(Self.lowercased(bytes[index]))
                index += 1
                continue
            }
            var iterator = bytes[index...].makeIterator()
            var decoder = UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator) else {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                index += 1
                continue
            }
            let mapping = scalar.properties.lowercaseMapping.unicodeScalars
            let lower = mapping.count == 1 ? mapping[mapping.startIndex] : scalar
            out.append(contentsOf: String(lower).utf8)
            index += UTF8.width(scalar)
        }
        return out
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
    }
}
