internal import CLibYAML

/// One YAML document, read with libyaml's event parser into a flat arena: one record per
/// node, the children of every collection stored contiguously, and all scalar text in one byte
/// array. Reading a 100 000-region map this way allocates a handful of arrays instead of an
/// object per scalar (what a composed `Yams.Node` tree costs), which is most of the time and
/// memory of loading a large map.
///
/// libyaml is Debian's (`CLibYAML`, a system library); this file is the only place it is used.
final class YAMLDocument: Sendable {
    enum Kind: UInt8 { case scalar, sequence, mapping }

    /// How a scalar was written.
    enum ScalarStyle: UInt8 { case plain, singleQuoted, doubleQuoted, literal, folded }

    struct Record: Equatable, Sendable {
        var kind: Kind
        /// For scalars, the `ScalarStyle`; for collections, 1 when written in flow style.
        var style: UInt8
        var line: Int32
        var column: Int32
        /// Scalars: the text's start in `text`; collections: the first child in `children`.
        var start: Int32
        /// Scalars: the text's length; sequences: items; mappings: key/value pairs.
        var count: Int32
    }

    let records: [Record]
    /// Children of collections: a sequence's items, or a mapping's keys and values alternating.
    let children: [Int32]
    let text: [UInt8]
    let root: Int32

    /// A problem libyaml or the composer found, located 1-based.
    struct SyntaxError: Error {
        var id: String
        var message: String
        var line: Int
        var column: Int
    }

    /// Parses `bytes` (UTF-8), which must hold at most one document; `nil` for an empty stream.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) -> YAMLDocument? {
        var reader = Reader()
        reader.records.reserveCapacity(bytes.count / 8)
        reader.children.reserveCapacity(bytes.count / 8)
        reader.text.reserveCapacity(bytes.count / 2)
        try reader.read(bytes)
        return reader.root >= 0
            ? YAMLDocument(records: reader.records, children: reader.children, text: reader.text, root: reader.root) : nil
    }

    /// The root node.
    var rootNode: Node { Node(document: self, index: root) }

    private init(records: [Record], children: [Int32], text: [UInt8], root: Int32) {
        self.records = records
        self.children = children
        self.text = text
        self.root = root
    }

    /// Builds the arena from libyaml's events.
    private struct Reader {
        var records: [Record] = []
        var children: [Int32] = []
        var text: [UInt8] = []
        var root: Int32 = -1

        mutating func read(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                throw SyntaxError(id: "yaml-syntax", message: "cannot start the YAML parser (out of memory)", line: 1, column: 1)
            }
            defer { yaml_parser_delete(&parser) }
            let empty: [UInt8] = [0]
            empty.withUnsafeBufferPointer { fallback in
                let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? fallback.baseAddress!
                yaml_parser_set_input_string(&parser, start, bytes.count)
            }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

            // Open collections: their record, where their children start in `pending`, and their
            // anchor, which becomes usable once the collection is complete (so an alias can never
            // make the tree cyclic).
            var open: [(record: Int32, firstPending: Int, anchor: String?)] = []
            var pending: [Int32] = []
            var anchors: [String: Int32] = [:]
            var documents = 0
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else { throw YAMLDocument.error(of: parser) }
                defer { yaml_event_delete(&event) }
                let line = Int32(clamping: event.start_mark.line + 1)
                let column = Int32(clamping: event.start_mark.column + 1)
                var finished: Int32?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        throw SyntaxError(
                            id: "yaml-syntax", message: "malformed YAML: expected a single document, found another one", line: Int(line),
                            column: Int(column))
                    }
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let index = Int32(records.count)
                    let start = Int32(clamping: text.count)
                    if scalar.length > 0, let value = scalar.value {
                        text.append(contentsOf: UnsafeBufferPointer(start: value, count: scalar.length))
                    }
                    let style: ScalarStyle =
                        switch scalar.style {
                        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                        case YAML_LITERAL_SCALAR_STYLE: .literal
                        case YAML_FOLDED_SCALAR_STYLE: .folded
                        default: .plain
                        }
                    records.append(
                        Record(
                            kind: .scalar, style: style.rawValue, line: line, column: column, start: start,
                            count: Int32(clamping: scalar.length)))
                    if let anchor = scalar.anchor { anchors[String(cString: anchor)] = index }
                    finished = index
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    let flow =
                        isMapping
                        ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                        : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                    let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                    open.append((Int32(records.count), pending.count, anchor.map { String(cString: $0) }))
                    records.append(
                        Record(kind: isMapping ? .mapping : .sequence, style: flow ? 1 : 0, line: line, column: column, start: 0, count: 0))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let (index, first, anchor) = open.removeLast()
                    let items = pending[first...]
                    records[Int(index)].start = Int32(children.count)
                    let isMapping = records[Int(index)].kind == .mapping
                    records[Int(index)].count = Int32(isMapping ? items.count / 2 : items.count)
                    children.append(contentsOf: items)
                    pending.removeSubrange(first...)
                    if isMapping { try checkDuplicateKeys(of: index) }
                    if let anchor { anchors[anchor] = index }
                    finished = index
                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    guard let target = anchors[name] else {
                        throw SyntaxError(
                            id: "yaml-syntax", message: "malformed YAML: alias '*\(name)' names no complete anchored node before it",
                            line: Int(line), column: Int(column))
                    }
                    finished = target
                default:
                    break
                }
                if let finished {
                    if open.isEmpty { root = finished } else { pending.append(finished) }
                }
            }
        }

        /// The bytes of scalar `index`, or `nil` for a collection.
        private func scalarText(_ index: Int32) -> ArraySlice<UInt8>? {
            let r = records[Int(index)]
            return r.kind == .scalar ? text[Int(r.start)..<Int(r.start + r.count)] : nil
        }

        private func checkDuplicateKeys(of mapping: Int32) throws(SyntaxError) {
            let record = records[Int(mapping)]
            let pairs = Int(record.count)
            let first = Int(record.start)
            guard pairs > 1 else { return }
            var seen: Set<ArraySlice<UInt8>> = []
            for pair in 0..<pairs {
                let key = children[first + 2 * pair]
                guard let name = scalarText(key) else { continue }
                var repeated = false
                if pairs <= 16 {
                    // Small mappings (all of a map's regions): compare with the keys before.
                    for earlier in 0..<pair where scalarText(children[first + 2 * earlier]) == name {
                        repeated = true
                        break
                    }
                } else {
                    repeated = !seen.insert(name).inserted
                }
                if repeated {
                    let r = records[Int(key)]
                    throw SyntaxError(
                        id: "duplicate-key", message: "duplicate key '\(String(decoding: name, as: UTF8.self))' in a mapping",
                        line: Int(r.line), column: Int(r.column))
                }
            }
        }
    }

    private static func error(of parser: yaml_parser_t) -> SyntaxError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        if parser.error == YAML_READER_ERROR {
            return SyntaxError(
                id: "yaml-syntax", message: "unreadable input: \(problem) at byte \(parser.problem_offset)", line: 1, column: 1)
        }
        var message = "malformed YAML: \(problem)"
        if let context = parser.context {
            message += " (\(String(cString: context)) at \(parser.context_mark.line + 1):\(parser.context_mark.column + 1))"
        }
        return SyntaxError(id: "yaml-syntax", message: message, line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1)
    }

    fileprivate func string(_ record: Record) -> String {
        text.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(record.start)..<Int(record.start + record.count)]), as: UTF8.self)
        }
    }

    fileprivate func textEquals(_ record: Record, _ key: StaticString) -> Bool {
        guard key.utf8CodeUnitCount == Int(record.count) else { return false }
        return text.withUnsafeBufferPointer { t in
            let k = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
            return k.elementsEqual(t[Int(record.start)..<Int(record.start + record.count)])
        }
    }
}

/// A position in the source, 1-based.
struct Mark {
    var line: Int
    var column: Int
}

/// A node of a `YAMLDocument`.
struct Node {
    let document: YAMLDocument
    let index: Int32

    private var record: YAMLDocument.Record { document.records[Int(index)] }

    var mark: Mark { Mark(line: Int(record.line), column: Int(record.column)) }

    /// Whether the node is a collection written in flow style (`{...}` or `[...]`).
    var isFlow: Bool { record.kind != .scalar && record.style == 1 }

    var scalar: Scalar? { record.kind == .scalar ? Scalar(node: self) : nil }
    var mapping: Mapping? { record.kind == .mapping ? Mapping(document: document, record: record) : nil }
    var sequence: Sequence? { record.kind == .sequence ? Sequence(document: document, record: record) : nil }

    enum Content {
        case scalar(Scalar)
        case mapping(Mapping)
        case sequence(Sequence)
    }

    var content: Content {
        let r = record
        switch r.kind {
        case .scalar: return .scalar(Scalar(node: self))
        case .mapping: return .mapping(Mapping(document: document, record: r))
        case .sequence: return .sequence(Sequence(document: document, record: r))
        }
    }

    struct Scalar {
        fileprivate let node: Node
        var string: String { node.document.string(node.record) }
        var style: YAMLDocument.ScalarStyle { YAMLDocument.ScalarStyle(rawValue: node.record.style) ?? .plain }
    }

    /// A mapping's key/value pairs in source order.
    struct Mapping: RandomAccessCollection {
        fileprivate let document: YAMLDocument
        fileprivate let record: YAMLDocument.Record
        var startIndex: Int { 0 }
        var endIndex: Int { Int(record.count) }
        subscript(position: Int) -> (key: Node, value: Node) {
            let at = Int(record.start) + 2 * position
            return (Node(document: document, index: document.children[at]), Node(document: document, index: document.children[at + 1]))
        }
        /// The value of the first key whose text is `key`.
        subscript(key: StaticString) -> Node? { entry(key)?.value }
        /// The first pair whose key's text is `key`.
        func entry(_ key: StaticString) -> (key: Node, value: Node)? {
            for pair in self {
                let k = document.records[Int(pair.key.index)]
                if k.kind == .scalar && document.textEquals(k, key) { return pair }
            }
            return nil
        }
    }

    /// A sequence's items in source order.
    struct Sequence: RandomAccessCollection {
        fileprivate let document: YAMLDocument
        fileprivate let record: YAMLDocument.Record
        var startIndex: Int { 0 }
        var endIndex: Int { Int(record.count) }
        subscript(position: Int) -> Node { Node(document: document, index: document.children[Int(record.start) + position]) }
    }
}
