import SoCMap

/// The `devicetree:` section: root properties, nodes without addresses, export style; and the
/// checks that tie labels, references and attachments to the map's nodes.
extension MapReader {
    static let deviceTreeKeys = ["verbatim", "symbols", "properties", "nodes"]
    static let attachedKeys = ["at", "after", "first", "name", "label", "properties", "children"]
    static let nodeKeys = ["name", "label", "properties", "children"]

    mutating func readDeviceTree(_ node: Node) -> DeviceTreeContent {
        var content = DeviceTreeContent()
        guard let f = yaml.fields(node, allowed: Self.deviceTreeKeys, owner: "devicetree", what: "devicetree") else { return content }
        if let v = f["verbatim"]?.value { content.verbatim = yaml.boolean(v, what: "verbatim", path: nil) ?? false }
        if let v = f["symbols"]?.value { content.symbols = yaml.boolean(v, what: "symbols", path: nil) ?? false }
        if let v = f["properties"]?.value { content.properties = readProperties(v, path: "/") }
        if let v = f["nodes"]?.value {
            for item in list(v, what: "device-tree nodes", path: nil) {
                if let attached = readAttached(item) { content.nodes.append(attached) }
            }
        }
        return content
    }

    /// One entry of `devicetree.nodes`: where it hangs (`at`, `after` or `first`) and the node.
    mutating func readAttached(_ item: Node) -> AttachedNode? {
        let rawName = item.mapping?["name"]?.scalar?.string ?? "?"
        guard let f = yaml.fields(item, allowed: Self.attachedKeys, owner: "devicetree/\(rawName)", what: "a device-tree node") else {
            return nil
        }
        var parent = "/"
        if let v = f["at"]?.value, let p = yaml.string(v, what: "at", path: nil) {
            guard p.hasPrefix("/") else {
                yaml.error("bad-value", "at takes the map path of a region, or / for the root, not '\(p)'", at: v)
                return nil
            }
            parent = p
        }
        var placement: AttachedNode.Placement?
        if let v = f["after"]?.value, let sibling = yaml.string(v, what: "after", path: nil) { placement = .after(sibling) }
        if let v = f["first"]?.value, yaml.boolean(v, what: "first", path: nil) == true {
            if placement != nil { yaml.error("bad-value", "a node goes either first or after a sibling, not both", at: v) }
            placement = .first
        }
        let path = parent == "/" ? "/" + rawName : parent + "/" + rawName
        guard let node = readDescriptionNode(item, fields: f, path: path) else { return nil }
        return AttachedNode(parent: parent, placement: placement, node: node)
    }

    /// A description node and its children.
    mutating func readDescriptionNode(_ item: Node, fields f: Fields, path: String) -> DescriptionNode? {
        guard let nameNode = f["name"]?.value else {
            yaml.error("missing-key", "a device-tree node needs a 'name'", at: item, path: path)
            return nil
        }
        guard let name = yaml.string(nameNode, what: "name", path: path), Names.isValidNodeName(Array(name.utf8)) else {
            yaml.error(
                "bad-value", "'\(nameNode.scalar?.string ?? "?")' is not a device-tree node name: [0-9a-zA-Z,._+-], then an optional @unit",
                at: nameNode, path: path)
            return nil
        }
        var node = DescriptionNode(name: name, location: yaml.location(item))
        if let v = f["label"]?.value { node.label = readLabel(v, path: path) }
        if let v = f["properties"]?.value { node.properties = readProperties(v, path: path) }
        if let v = f["children"]?.value {
            for child in list(v, what: "device-tree nodes", path: path) {
                let childName = child.mapping?["name"]?.scalar?.string ?? "?"
                guard let cf = yaml.fields(child, allowed: Self.nodeKeys, owner: path + "/" + childName, what: "a device-tree node"),
                    let c = readDescriptionNode(child, fields: cf, path: path + "/" + childName)
                else { continue }
                if node.children.contains(where: { $0.name == c.name }) {
                    yaml.error("duplicate-name", "node '\(c.name)' appears twice below \(path)", at: child, path: path)
                }
                node.children.append(c)
            }
        }
        return node
    }

    mutating func readLabel(_ v: Node, path: String) -> String? {
        guard let label = yaml.string(v, what: "label", path: path) else { return nil }
        guard NodeReference.isLabel(label) else {
            yaml.error("bad-value", "'\(label)' is not a label: a letter or _, then letters, digits and _", at: v, path: path)
            return nil
        }
        return label
    }

    /// Labels are unique; every reference names a label or a path of the map; every attached
    /// node hangs below an existing region, after an existing sibling, under a free name.
    mutating func checkNodeNames(_ map: AddressMap) {
        // Paths only matter to references, attachments and domain nodes; most maps have none.
        let names = MapNodeNames(map, withPaths: !references.isEmpty || !map.deviceTree.nodes.isEmpty || !domainNodePaths.isEmpty)
        for (label, count) in names.labelCounts where count > 1 {
            yaml.appendDiagnostic(
                Diagnostic(.error, "duplicate-label", "label '\(label)' is given to \(count) nodes", at: names.labelLocations[label]))
        }
        for (reference, node, owner) in references where !names.resolves(reference) {
            var text = "\(reference) names no node of the map"
            switch reference {
            case .label(let l): text += didYouMeanSuffix(l, among: Array(names.labelCounts.keys))
            case .path(let p): text += didYouMeanSuffix(p, among: Array(names.paths))
            }
            yaml.error("unresolved-reference", text, at: node, path: owner)
        }
        for (path, node) in domainNodePaths where !names.descriptionPaths.contains(path) {
            yaml.error(
                "unresolved-reference",
                "\(path) names no description node of the map" + didYouMeanSuffix(path, among: Array(names.descriptionPaths)),
                at: node)
        }
        for a in map.deviceTree.nodes {
            let location = a.node.location
            guard a.parent == "/" || names.regionPaths.contains(a.parent) else {
                yaml.appendDiagnostic(
                    Diagnostic(
                        .error, "bad-value",
                        "at names no region: '\(a.parent)'" + didYouMeanSuffix(a.parent, among: Array(names.regionPaths)),
                        at: location))
                continue
            }
            let siblings = names.childNames[a.parent, default: []]
            if case .after(let s)? = a.placement, !siblings.contains(s) {
                yaml.appendDiagnostic(
                    Diagnostic(
                        .error, "bad-value", "after names no node below \(a.parent): '\(s)'" + didYouMeanSuffix(s, among: siblings),
                        at: location))
            }
            if names.duplicateChildren.contains(MapNodeNames.join(a.parent, a.node.name)) {
                yaml.appendDiagnostic(
                    Diagnostic(.error, "duplicate-name", "node '\(a.node.name)' appears twice below \(a.parent)", at: location))
            }
        }
    }
}

/// The names a map's references can use: labels and paths of regions and description nodes.
struct MapNodeNames {
    var labelCounts: [String: Int] = [:]
    var labelLocations: [String: SourceLocation] = [:]
    var paths = Set<String>()
    var regionPaths = Set<String>()
    /// The node names below each path (regions and attached nodes), in order.
    var childNames: [String: [String]] = [:]
    var duplicateChildren = Set<String>()
    var descriptionPaths = Set<String>()

    static func join(_ parent: String, _ name: String) -> String { parent == "/" ? "/" + name : parent + "/" + name }

    init(_ map: AddressMap, withPaths: Bool) {
        func label(_ l: String?, _ location: SourceLocation?) {
            guard let l else { return }
            labelCounts[l, default: 0] += 1
            if labelLocations[l] == nil { labelLocations[l] = location }
        }
        func addChild(_ parent: String, _ name: String) {
            guard withPaths else { return }
            let path = Self.join(parent, name)
            if !paths.insert(path).inserted { duplicateChildren.insert(path) }
            childNames[parent, default: []].append(name)
        }
        func regions(_ list: [Region], parent: String) {
            for r in list {
                for r in r.repetition == nil ? [r] : RegionTree.expand(r) {
                    label(r.label, r.location)
                    guard withPaths || !r.children.isEmpty else { continue }
                    let path = withPaths ? Self.join(parent, r.name) : ""
                    if withPaths {
                        addChild(parent, r.name)
                        regionPaths.insert(path)
                    }
                    regions(r.children, parent: path)
                }
            }
        }
        func nodes(_ n: DescriptionNode, parent: String) {
            addChild(parent, n.name)
            descriptionPaths.insert(Self.join(parent, n.name))
            label(n.label, n.location)
            for c in n.children { nodes(c, parent: Self.join(parent, n.name)) }
        }
        paths.insert("/")
        regions(map.regions, parent: "/")
        for a in map.deviceTree.nodes { nodes(a.node, parent: a.parent) }
    }

    func resolves(_ r: NodeReference) -> Bool {
        switch r {
        case .label(let l): return labelCounts[l] != nil
        case .path(let p): return paths.contains(p)
        }
    }
}
