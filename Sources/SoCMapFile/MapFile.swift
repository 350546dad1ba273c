public import SoCMap

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A map read from a YAML or JSON file, with what `fmt` needs to rewrite it faithfully.
public struct MapFile: Sendable {
    /// The map.
    public var map: AddressMap
    /// The original text.
    public var text: String
    /// Source line of each key read, by `owner#key`.
    public var keyLines: [String: Int]
    /// Paths of regions written in flow style (`- {name: uart0, ...}`).
    public var flowRegions: Set<String>

    /// A map that has no source text (imported from a device tree), ready for `MapWriter`.
    public init(map: AddressMap) {
        self.init(map: map, text: "", keyLines: [:], flowRegions: [])
    }

    init(map: AddressMap, text: String, keyLines: [String: Int], flowRegions: Set<String>) {
        self.map = map
        self.text = text
        self.keyLines = keyLines
        self.flowRegions = flowRegions
    }

    /// Reads and validates a map file.
    ///
    /// - Throws: `MapInputError` with one diagnostic per problem, each located
    ///   `file:line:col`.
    /// With `layout`, also remember where each key stood and which regions were written on
    /// one line, so that `MapWriter` can keep comments and style (slower; `fmt` needs it).
    public static func load(path: String, layout: Bool = false) throws(MapInputError) -> MapFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MapInputError([Diagnostic(.error, "file", "cannot read '\(path)': no such file or not readable")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MapInputError([Diagnostic(.error, "file", "'\(path)' is not UTF-8 text")])
        }
        return try parse(text, file: path, layout: layout)
    }

    /// Parses map text; `file` names it in diagnostics.
    public static func parse(_ text: String, file: String, layout: Bool = true) throws(MapInputError) -> MapFile {
        var bytes = text
        let parsed = bytes.withUTF8 { buffer in
            Result { () throws(YAMLDocument.SyntaxError) in try YAMLDocument.parse(UnsafeRawBufferPointer(buffer)) }
        }
        let document: YAMLDocument?
        switch parsed {
        case .success(let d): document = d
        case .failure(let error):
            throw MapInputError([
                Diagnostic(.error, error.id, error.message, at: SourceLocation(file: file, line: error.line, column: error.column))
            ])
        }
        guard let document else {
            throw MapInputError([
                Diagnostic(
                    .error, "missing-key", "the map is empty: expected at least 'name' and 'regions'",
                    at: SourceLocation(file: file, line: 1, column: 1))
            ])
        }
        var reader = MapReader(file: file, recordLayout: layout)
        // Nodes do not retain the document: it must live until reading is done.
        let map = withExtendedLifetime(document) { reader.readMap(document.rootNode) }
        if let map, reader.yaml.diagnostics.isEmpty {
            return MapFile(map: map, text: text, keyLines: reader.yaml.keyLines, flowRegions: reader.yaml.flowRegions)
        }
        throw MapInputError(reader.yaml.diagnostics)
    }
}

/// Turns composed YAML into a `SoCMap`.
struct MapReader {
    var yaml: YAMLReader
    let file: String
    /// Every node reference read, where it was written, and the path of its owner.
    var references: [(reference: NodeReference, node: Node, owner: String)] = []
    /// Every description node path a domain names, and where.
    var domainNodePaths: [(path: String, node: Node)] = []

    init(file: String, recordLayout: Bool) {
        self.file = file
        yaml = YAMLReader(file: file, recordLayout: recordLayout)
    }

    static let topKeys = [
        "socmap", "name", "model", "compatible", "address-bits", "profile", "notes", "overlaps", "initiators", "switches", "regions",
        "domains", "devicetree",
    ]
    static let regionKeys = [
        "name", "kind", "base", "size", "last", "reg", "priority", "when", "seen-by", "status", "overlap", "compatible",
        "properties", "notes", "repeat", "children", "ranges", "target", "offset", "ecam", "bus-range", "windows", "virtualization",
        "clip-children", "label", "memreserve",
    ]

    mutating func readMap(_ root: Node) -> AddressMap? {
        guard let f = yaml.fields(root, allowed: Self.topKeys, owner: "", what: "the map") else { return nil }
        if let v = f["socmap"]?.value, v.scalar?.string != "1" {
            yaml.error("bad-value", "unsupported format version \(yaml.describe(v)); this socmap reads version 1", at: v)
        }
        guard let nameNode = f["name"]?.value else {
            yaml.error("missing-key", "the map needs a 'name'", at: root)
            return nil
        }
        var map = AddressMap(name: yaml.string(nameNode, what: "name", path: nil) ?? "", source: file)
        if let v = f["model"]?.value { map.model = yaml.string(v, what: "model", path: nil) }
        if let v = f["compatible"]?.value { map.compatible = yaml.strings(v, what: "compatible", path: nil) ?? [] }
        if let v = f["profile"]?.value { map.profile = yaml.string(v, what: "profile", path: nil) }
        if let v = f["notes"]?.value { map.notes = yaml.string(v, what: "notes", path: nil) }
        if let v = f["overlaps"]?.value, let text = yaml.string(v, what: "overlaps", path: nil) {
            if let rule = OverlapRule(rawValue: text) {
                map.overlapRule = rule
            } else {
                yaml.error(
                    "bad-value",
                    "overlaps must be one of \(OverlapRule.allCases.map(\.rawValue).joined(separator: ", "))"
                        + didYouMeanSuffix(text, among: OverlapRule.allCases.map(\.rawValue)), at: v)
            }
        }
        if let v = f["address-bits"]?.value {
            if let bits = yaml.signed(v, what: "address-bits", path: nil) {
                if (1...64).contains(bits) {
                    map.addressBits = bits
                } else {
                    yaml.error("bad-value", "address-bits must be between 1 and 64, not \(bits)", at: v)
                }
            }
        }
        if let v = f["initiators"]?.value { map.initiators = readInitiators(v) }
        if let v = f["switches"]?.value { map.switches = readSwitches(v) }
        guard let regions = f["regions"]?.value else {
            yaml.error("missing-key", "the map needs 'regions'", at: root)
            return nil
        }
        map.regions = readRegions(regions, parentPath: "")
        if let v = f["domains"]?.value { map.domains = readDomains(v) }
        if let v = f["devicetree"]?.value { map.deviceTree = readDeviceTree(v) }
        checkNodeNames(map)
        return map
    }

    mutating func list(_ node: Node, what: String, path: String?) -> [Node] {
        if case .scalar(let s) = node.content, s.string.isEmpty || s.string == "~" || s.string == "null" { return [] }
        guard let seq = node.sequence else {
            yaml.error("bad-value", "expected a list of \(what), found \(yaml.describe(node))", at: node, path: path)
            return []
        }
        return Array(seq)
    }

    mutating func word(_ node: Node, what: String, path: String?) -> String? {
        guard let w = yaml.string(node, what: what, path: path) else { return nil }
        guard Names.isValidWord(w) else {
            yaml.error("bad-value", "'\(w)' is not a valid \(what): use letters, digits and _ . + -", at: node, path: path)
            return nil
        }
        return w
    }

    mutating func readInitiators(_ node: Node) -> [Initiator] {
        var result: [Initiator] = []
        for item in list(node, what: "initiators", path: nil) {
            guard let f = yaml.fields(item, allowed: ["name", "doc"], owner: "initiator", what: "an initiator"),
                let nameNode = f["name"]?.value
            else {
                if item.mapping != nil { yaml.error("missing-key", "an initiator needs a 'name'", at: item) }
                continue
            }
            guard let name = word(nameNode, what: "initiator name", path: nil) else { continue }
            if result.contains(where: { $0.name == name }) {
                yaml.error("duplicate-name", "initiator '\(name)' is declared twice", at: nameNode)
            }
            let doc = f["doc"].flatMap { yaml.string($0.value, what: "doc", path: nil) }
            result.append(Initiator(name: name, doc: doc, location: yaml.location(item)))
        }
        return result
    }

    mutating func readSwitches(_ node: Node) -> [Switch] {
        var result: [Switch] = []
        for item in list(node, what: "switches", path: nil) {
            guard let f = yaml.fields(item, allowed: ["name", "values", "default", "doc"], owner: "switch", what: "a switch") else {
                continue
            }
            guard let nameNode = f["name"]?.value, let valuesNode = f["values"]?.value else {
                yaml.error("missing-key", "a switch needs 'name' and 'values'", at: item)
                continue
            }
            guard let name = word(nameNode, what: "switch name", path: nil) else { continue }
            var values: [String] = []
            for v in list(valuesNode, what: "switch values", path: nil) {
                guard let w = word(v, what: "switch value", path: nil) else { continue }
                if values.contains(w) { yaml.error("duplicate-name", "switch '\(name)' lists value '\(w)' twice", at: v) }
                values.append(w)
            }
            guard !values.isEmpty else {
                yaml.error("bad-value", "switch '\(name)' needs at least one value", at: valuesNode)
                continue
            }
            var defaultValue = values[0]
            if let d = f["default"]?.value, let w = word(d, what: "switch default", path: nil) {
                if values.contains(w) {
                    defaultValue = w
                } else {
                    var text = "default '\(w)' of switch '\(name)' is not one of its values (\(values.joined(separator: ", ")))"
                    text += didYouMeanSuffix(w, among: values)
                    yaml.error("bad-value", text, at: d)
                }
            }
            if result.contains(where: { $0.name == name }) {
                yaml.error("duplicate-name", "switch '\(name)' is declared twice", at: nameNode)
            }
            let doc = f["doc"].flatMap { yaml.string($0.value, what: "doc", path: nil) }
            result.append(Switch(name: name, values: values, defaultValue: defaultValue, doc: doc, location: yaml.location(item)))
        }
        return result
    }

    mutating func readRegions(_ node: Node, parentPath: String) -> [Region] {
        var result: [Region] = []
        for item in list(node, what: "regions", path: parentPath.isEmpty ? nil : parentPath) {
            if let region = readRegion(item, parentPath: parentPath) { result.append(region) }
        }
        return result
    }
}
