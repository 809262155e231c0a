// Gob streams are self-describing: before a value of a user type, the encoder sends a message
// (-id, wireType) defining it. wireType is a struct whose single set field says the kind (Go's
// src/encoding/gob/doc.go and type.go):
//
//   wireType       {0 ArrayT *arrayType, 1 SliceT, 2 StructT, 3 MapT, 4 GobEncoderT *gobEncoderType,
//                   5 BinaryMarshalerT, 6 TextMarshalerT}
//   CommonType     {0 Name string, 1 Id int}
//   arrayType      {0 CommonType, 1 Elem typeId, 2 Len int}
//   sliceType      {0 CommonType, 1 Elem typeId}
//   structType     {0 CommonType, 1 Field []*fieldType}    fieldType {0 Name string, 1 Id typeId}
//   mapType        {0 CommonType, 1 Key typeId, 2 Elem typeId}
//   gobEncoderType {0 CommonType}
//
// Ids 1...8 are the built-in bool, int, uint, float, []byte, string, complex and interface; ids below 64 are
// reserved, so a stream may define only ids from 64 up, each once. CommonType.Id is not trusted: Go writes
// the id of the user type there, which for a GobEncoder on a pointer receiver differs from the id being
// defined (Go's decoder ignores it too).

/// A gob type id.
typealias GobTypeID = Int64

/// A type as a gob stream knows it: built in, or defined by a wireType message.
enum GobType: Hashable, Sendable {
    case bool, int, uint, float, bytes, string, complex, interface
    case array(name: String, element: GobTypeID, length: Int64)
    case slice(name: String, element: GobTypeID)
    case structure(name: String, fields: [Field])
    case map(name: String, key: GobTypeID, element: GobTypeID)
    /// A GobEncoder, BinaryMarshaler or TextMarshaler: its value is a byte slice only the type can read.
    case encoded(name: String, kind: EncoderKind)

    /// One field of a struct; its position is its field number.
    struct Field: Hashable, Sendable {
        var name: String
        var type: GobTypeID
    }

    /// Which interface produced an ``encoded(name:kind:)`` value.
    enum EncoderKind: Hashable, Sendable {
        case gobEncoder, binaryMarshaler, textMarshaler
    }

    /// The built-in types by id.
    static func builtin(_ id: GobTypeID) -> GobType? {
        switch id {
        case 1: .bool
        case 2: .int
        case 3: .uint
        case 4: .float
        case 5: .bytes
        case 6: .string
        case 7: .complex
        case 8: .interface
        default: nil
        }
    }

    /// The type id of `string`.
    static let stringID: GobTypeID = 6
    /// The lowest id a stream may define.
    static let firstUserID: GobTypeID = 64
}

/// The types a stream has defined so far, and where.
struct GobTypeTable {
    private var defined: [GobTypeID: (type: GobType, offset: Int)] = [:]

    /// The type with `id`, built in or defined; nil if the stream never defined it.
    subscript(id: GobTypeID) -> GobType? {
        GobType.builtin(id) ?? self.defined[id]?.type
    }

    /// Where the definition of `id` starts in the file (nil for built-in or undefined ids).
    func offset(of id: GobTypeID) -> Int? {
        self.defined[id]?.offset
    }

    /// Reads a wireType (the rest of a definition message) for `id`.
    /// - Parameters:
    ///   - id: the id being defined (already negated back).
    ///   - offset: where the definition message starts, for errors.
    mutating func define(_ id: GobTypeID, offset: Int, from scanner: inout GobScanner) throws(GoPersistenceError) {
        guard id >= GobType.firstUserID else {
            throw GoPersistenceError(
                .invalidTypeDefinition,
                offset: offset,
                "a type definition for id \(id), which is reserved (streams define ids from \(GobType.firstUserID) up)"
            )
        }
        guard self.defined[id] == nil else {
            throw GoPersistenceError(.invalidTypeDefinition, offset: offset, "type id \(id) is defined a second time")
        }
        self.defined[id] = (try Self.wireType(id, offset: offset, from: &scanner), offset)
    }

    /// A human description of type `id` for errors: its Go name when it has one, else its shape.
    func describe(_ id: GobTypeID, depth: Int = 0) -> String {
        guard let type = self[id] else { return "undefined type \(id)" }
        guard depth < 4 else { return "…" }
        switch type {
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .float: return "float"
        case .bytes: return "[]byte"
        case .string: return "string"
        case .complex: return "complex"
        case .interface: return "interface"
        case .array(let name, let element, let length):
            return name.isEmpty ? "[\(length)]\(self.describe(element, depth: depth + 1))" : name
        case .slice(let name, let element):
            return name.isEmpty ? "[]\(self.describe(element, depth: depth + 1))" : name
        case .structure(let name, _):
            return name.isEmpty ? "struct" : "struct \(name)"
        case .map(let name, let key, let element):
            return name.isEmpty ? "map[\(self.describe(key, depth: depth + 1))]\(self.describe(element, depth: depth + 1))" : name
        case .encoded(let name, let kind):
            return "\(name.isEmpty ? "unnamed type" : name) (\(kind))"
        }
    }

    // MARK: Reading wireType

    private static func wireType(_ id: GobTypeID, offset: Int, from scanner: inout GobScanner) throws(GoPersistenceError) -> GobType {
        let what = "the wireType defining type \(id)"
        var type: GobType?
        var field = -1
        while let next = try scanner.nextField(after: field, of: 7, in: what) {
            field = next
            guard type == nil else {
                throw GoPersistenceError(.invalidTypeDefinition, offset: offset, "\(what) describes more than one kind of type")
            }
            switch field {
            case 0: type = try self.arrayType(from: &scanner)
            case 1: type = try self.sliceType(from: &scanner)
            case 2: type = try self.structType(from: &scanner)
            case 3: type = try self.mapType(from: &scanner)
            case 4: type = .encoded(name: try self.gobEncoderType(from: &scanner), kind: .gobEncoder)
            case 5: type = .encoded(name: try self.gobEncoderType(from: &scanner), kind: .binaryMarshaler)
            default: type = .encoded(name: try self.gobEncoderType(from: &scanner), kind: .textMarshaler)
            }
        }
        guard let type else {
            throw GoPersistenceError(.invalidTypeDefinition, offset: offset, "\(what) describes no type")
        }
        return type
    }

    /// Reads a struct of `fieldCount` fields, calling `field` with each field number present.
    private static func structure(
        _ what: String,
        fieldCount: Int,
        from scanner: inout GobScanner,
        _ field: (Int, inout GobScanner) throws(GoPersistenceError) -> Void
    ) throws(GoPersistenceError) {
        var number = -1
        while let next = try scanner.nextField(after: number, of: fieldCount, in: what) {
            number = next
            try field(number, &scanner)
        }
    }

    /// CommonType: the name (empty for unnamed types such as `map[string]string`); the id is read and ignored.
    private static func commonType(from scanner: inout GobScanner) throws(GoPersistenceError) -> String {
        var name = ""
        try self.structure("CommonType", fieldCount: 2, from: &scanner) { (number, scanner) throws(GoPersistenceError) in
            if number == 0 {
                name = try scanner.nextString(of: "a type name")
            } else {
                _ = try scanner.nextSigned()
            }
        }
        return name
    }

    private static func typeID(from scanner: inout GobScanner) throws(GoPersistenceError) -> GobTypeID {
        try scanner.nextSigned()
    }

    private static func arrayType(from scanner: inout GobScanner) throws(GoPersistenceError) -> GobType {
        var (name, element, length): (String, GobTypeID, Int64) = ("", 0, 0)
        try self.structure("arrayType", fieldCount: 3, from: &scanner) { (number, scanner) throws(GoPersistenceError) in
            switch number {
            case 0: name = try self.commonType(from: &scanner)
            case 1: element = try self.typeID(from: &scanner)
            default: length = try scanner.nextSigned()
            }
        }
        return .array(name: name, element: element, length: length)
    }

    private static func sliceType(from scanner: inout GobScanner) throws(GoPersistenceError) -> GobType {
        var (name, element): (String, GobTypeID) = ("", 0)
        try self.structure("sliceType", fieldCount: 2, from: &scanner) { (number, scanner) throws(GoPersistenceError) in
            if number == 0 {
                name = try self.commonType(from: &scanner)
            } else {
                element = try self.typeID(from: &scanner)
            }
        }
        return .slice(name: name, element: element)
    }

    private static func structType(from scanner: inout GobScanner) throws(GoPersistenceError) -> GobType {
        var name = ""
        var fields: [GobType.Field] = []
        try self.structure("structType", fieldCount: 2, from: &scanner) { (number, scanner) throws(GoPersistenceError) in
            if number == 0 {
                name = try self.commonType(from: &scanner)
                return
            }
            for _ in 0..<(try scanner.nextCount(of: "the field list of a struct type")) {
                var field = GobType.Field(name: "", type: 0)
                try self.structure("fieldType", fieldCount: 2, from: &scanner) { (number, scanner) throws(GoPersistenceError) in
                    if number == 0 {
                        field.name = try scanner.nextString(of: "a field name")
                    } else {
                        field.type = try self.typeID(from: &scanner)
                    }
                }
                fields.append(field)
            }
        }
        return .structure(name: name, fields: fields)
    }

    private static func mapType(from scanner: inout GobScanner) throws(GoPersistenceError) -> GobType {
        var (name, key, element): (String, GobTypeID, GobTypeID) = ("", 0, 0)
        try self.structure("mapType", fieldCount: 3, from: &scanner) { (number, scanner) throws(GoPersistenceError) in
            switch number {
            case 0: name = try self.commonType(from: &scanner)
            case 1: key = try self.typeID(from: &scanner)
            default: element = try self.typeID(from: &scanner)
            }
        }
        return .map(name: name, key: key, element: element)
    }

    private static func gobEncoderType(from scanner: inout GobScanner) throws(GoPersistenceError) -> String {
        var name = ""
        try self.structure("gobEncoderType", fieldCount: 1, from: &scanner) { (_, scanner) throws(GoPersistenceError) in
            name = try self.commonType(from: &scanner)
        }
        return name
    }
}
