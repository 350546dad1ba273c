import SoCMap

/// What the annotations of a verbatim export tell import beyond the tree itself.
struct ImportHints {
    /// Labels by device-tree path (the tree has no `/__symbols__` to say them).
    var labels: [String: String] = [:]
    /// Device-tree paths of the nodes whose `phandle` export assigned (not the map's own).
    var assignedPhandles = Set<String>()
}

/// Phandle references read back as references to labels or paths.
extension Reader {
    /// Properties whose value is phandle + arguments, with the provider property that gives
    /// the argument count (dtc's phandle-argument checks, and a few more bindings use);
    /// `optional`: a provider without it takes none.
    static let phandleArguments: [String: (cells: String, optional: Bool)] = [
        "clocks": ("#clock-cells", false), "assigned-clocks": ("#clock-cells", false),
        "assigned-clock-parents": ("#clock-cells", false), "cooling-device": ("#cooling-cells", false),
        "dmas": ("#dma-cells", false), "hwlocks": ("#hwlock-cells", false), "interrupts-extended": ("#interrupt-cells", false),
        "io-channels": ("#io-channel-cells", false), "iommus": ("#iommu-cells", false), "mboxes": ("#mbox-cells", false),
        "msi-parent": ("#msi-cells", true), "mux-controls": ("#mux-control-cells", false), "phys": ("#phy-cells", false),
        "power-domains": ("#power-domain-cells", false), "pwms": ("#pwm-cells", false), "resets": ("#reset-cells", false),
        "sound-dai": ("#sound-dai-cells", false), "thermal-sensors": ("#thermal-sensor-cells", false),
        "interconnects": ("#interconnect-cells", false), "nvmem-cells": ("#nvmem-cell-cells", true),
    ]
    /// Properties whose value is a list of phandles without arguments.
    static let phandleLists: Set<String> = [
        "interrupt-parent", "memory-region", "next-level-cache", "phy-handle", "operating-points-v2", "cpu-idle-states",
        "remote-endpoint", "cpu", "i2c-bus", "ddc-i2c-bus", "phandle-list",
    ]

    /// Every node's phandle, and labels from `/__symbols__` (or the annotations), found once.
    /// Returns whether `/__symbols__` was read into labels.
    mutating func prepareReferences(_ hints: ImportHints) -> Bool {
        let phandle = tree.name("phandle")
        let linuxPhandle = tree.name("linux,phandle")
        for node in tree.allNodes {
            guard let v = (phandle.flatMap { tree.property($0, of: node) } ?? linuxPhandle.flatMap { tree.property($0, of: node) })?.u32,
                v != 0, v != .max, phandleNodes[v] == nil
            else { continue }
            phandleNodes[v] = node
        }
        var symbolsRead = false
        if let symbols = tree.child(of: tree.root, named: "__symbols__") {
            var found: [Int: String] = [:]
            var clean = true
            for p in tree.properties(of: symbols) {
                guard NodeReference.isLabel(p.name), let path = p.string, let node = tree.node(at: path), found[node.index] == nil else {
                    clean = false
                    break
                }
                found[node.index] = p.name
            }
            if clean {
                labels = found
                symbolsRead = true
            }
        }
        for (path, label) in hints.labels {
            if let node = tree.node(at: path) { labels[node.index] = label }
        }
        for path in hints.assignedPhandles {
            if let node = tree.node(at: path) { assignedPhandleNodes.insert(node.index) }
        }
        return symbolsRead
    }

    /// How a map refers to `node`: by its label, else by its path.
    func reference(to node: NodeID) -> NodeReference { reference(to: node, byLabel: true) }

    /// A property's value in the map: references where the property is one dtc knows as phandle
    /// references and every phandle in it names a node, else the shape dtc would print.
    func value(of p: DeviceTree.Property) -> Region.Property.Value {
        value(role: PropertyRole(p.name), bytes: p.value)
    }

    /// `value(of:)` for a property of the tree, by name index (its role found once).
    func value(nameIndex: Int, bytes: ArraySlice<UInt8>) -> Region.Property.Value {
        value(role: ids.roles[nameIndex], bytes: bytes)
    }

    func value(role: PropertyRole, bytes: ArraySlice<UInt8>) -> Region.Property.Value {
        switch role {
        case .shape: return Self.guessValue(bytes)
        case .cells:
            let p = DeviceTree.Property(name: "", slice: bytes)
            return p.cells.map { .cells($0) } ?? Self.guessValue(bytes)
        case .phandles, .phandleArguments:
            if let cells = references(role: role, in: DeviceTree.Property(name: "", slice: bytes)) { return .references(cells) }
            return Self.guessValue(bytes)
        }
    }

    func references(role: PropertyRole, in p: DeviceTree.Property) -> [Region.Property.Cell]? {
        guard !phandleNodes.isEmpty, let cells = p.cells, !cells.isEmpty else { return nil }
        let provider: (cells: String, optional: Bool)
        switch role {
        case .phandles:
            var result: [Region.Property.Cell] = []
            for c in cells {
                guard let node = phandleNodes[c] else { return nil }
                result.append(.reference(reference(to: node)))
            }
            return result
        case .phandleArguments(let name, let optional): provider = (name, optional)
        case .cells, .shape: return nil
        }
        var result: [Region.Property.Cell] = []
        var i = 0
        var sawReference = false
        while i < cells.count {
            // A phandle of 0 is an empty entry, with no arguments.
            if cells[i] == 0 {
                result.append(.number(0))
                i += 1
                continue
            }
            guard let node = phandleNodes[cells[i]] else { return nil }
            let count: Int
            if let n = tree.property(provider.cells, of: node)?.u32 {
                count = Int(n)
            } else if provider.optional {
                count = 0
            } else {
                return nil
            }
            guard i + 1 + count <= cells.count else { return nil }
            result.append(.reference(reference(to: node)))
            sawReference = true
            result += cells[(i + 1)..<(i + 1 + count)].map { .number($0) }
            i += 1 + count
        }
        return sawReference ? result : nil
    }

    static func isPinctrl(_ name: String) -> Bool {
        name.hasPrefix("pinctrl-") && name.count > 8 && name.dropFirst(8).allSatisfy(\.isASCII) && name.dropFirst(8).allSatisfy(\.isNumber)
    }

    /// `gpios`, `*-gpios` and the deprecated `*-gpio` (not counts such as `ngpios`).
    static func isGPIO(_ name: String) -> Bool {
        name == "gpios" || name == "gpio" || ((name.hasSuffix("-gpios") || name.hasSuffix("-gpio")) && !name.hasPrefix("nr-"))
    }
}
