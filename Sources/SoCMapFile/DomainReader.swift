import SoCMap

extension MapReader {
    static let domainKeys = [
        "name", "trusted", "iommu", "static-memory", "direct-map", "address-bits", "cpus", "initiator", "layout", "notes", "entries",
        "nodes",
    ]
    static let entryKeys = ["name", "host", "offset", "size", "mode", "guest-base", "device-model", "shared", "dma", "kind", "e820-type"]

    mutating func readDomains(_ node: Node) -> [Domain] {
        var result: [Domain] = []
        for item in list(node, what: "domains", path: nil) {
            let rawName = item.mapping?["name"]?.scalar?.string ?? "?"
            let owner = "domain:" + rawName
            guard let f = yaml.fields(item, allowed: Self.domainKeys, owner: owner, what: "domain '\(rawName)'") else { continue }
            guard let nameNode = f["name"]?.value, let name = word(nameNode, what: "domain name", path: nil) else {
                if f["name"] == nil { yaml.error("missing-key", "a domain needs a 'name'", at: item) }
                continue
            }
            if result.contains(where: { $0.name == name }) {
                yaml.error("duplicate-name", "domain '\(name)' is declared twice", at: nameNode)
            }
            var d = Domain(name: name, location: yaml.location(item))
            if let v = f["trusted"]?.value { d.trusted = yaml.boolean(v, what: "trusted", path: nil) ?? false }
            if let v = f["iommu"]?.value { d.iommu = yaml.boolean(v, what: "iommu", path: nil) ?? false }
            if let v = f["static-memory"]?.value { d.staticMemory = yaml.boolean(v, what: "static-memory", path: nil) ?? false }
            if let v = f["direct-map"]?.value { d.directMap = yaml.boolean(v, what: "direct-map", path: nil) ?? false }
            if let v = f["address-bits"]?.value, let bits = yaml.signed(v, what: "address-bits", path: nil) {
                if (1...64).contains(bits) {
                    d.addressBits = bits
                } else {
                    yaml.error("bad-value", "address-bits must be between 1 and 64, not \(bits)", at: v)
                }
            }
            if let v = f["cpus"]?.value, let cpus = yaml.signed(v, what: "cpus", path: nil) {
                if (1...1024).contains(cpus) {
                    d.cpus = cpus
                } else {
                    yaml.error("bad-value", "cpus must be between 1 and 1024, not \(cpus)", at: v)
                }
            }
            if let v = f["initiator"]?.value { d.initiator = word(v, what: "initiator", path: nil) }
            if let v = f["layout"]?.value, let name = yaml.string(v, what: "layout", path: nil) {
                if GuestLayout.named(name) != nil {
                    d.layout = name
                } else {
                    yaml.error(
                        "bad-value",
                        "layout must be one of \(GuestLayout.all.map(\.name).joined(separator: ", "))"
                            + didYouMeanSuffix(name, among: GuestLayout.all.map(\.name)), at: v)
                }
            }
            if let v = f["notes"]?.value { d.notes = yaml.string(v, what: "notes", path: nil) }
            if let v = f["nodes"]?.value {
                for item in list(v, what: "device-tree node paths", path: nil) {
                    guard let path = yaml.string(item, what: "node path", path: nil) else { continue }
                    guard path.hasPrefix("/") else {
                        yaml.error("bad-value", "nodes takes map paths of description nodes (/cpus), not '\(path)'", at: item)
                        continue
                    }
                    d.nodes.append(path)
                    domainNodePaths.append((path, item))
                }
            }
            if let v = f["entries"]?.value {
                for (i, e) in list(v, what: "domain entries", path: nil).enumerated() {
                    if let entry = readEntry(e, index: i, domain: name, layout: d.layout) { d.entries.append(entry) }
                }
            }
            result.append(d)
        }
        return result
    }

    /// With a `layout`, translated RAM may leave `guest-base` to it.
    mutating func readEntry(_ item: Node, index: Int, domain: String, layout: String?) -> DomainEntry? {
        let owner = "domain:\(domain)#entries[\(index)]"
        guard let f = yaml.fields(item, allowed: Self.entryKeys, owner: owner, what: "an entry of domain '\(domain)'") else { return nil }
        guard let modeNode = f["mode"]?.value else {
            yaml.error("missing-key", "a domain entry needs a 'mode' (direct, translated, emulated, passthrough)", at: item)
            return nil
        }
        let modes = ["direct", "translated", "emulated", "passthrough"]
        guard let modeText = yaml.string(modeNode, what: "mode", path: nil), let mode = GuestMode(name: modeText) else {
            var text = "mode must be one of \(modes.joined(separator: ", "))"
            if let s = modeNode.scalar?.string { text += didYouMeanSuffix(s, among: modes) }
            yaml.error("bad-value", text, at: modeNode)
            return nil
        }
        let host = f["host"].flatMap { yaml.string($0.value, what: "host", path: nil) }
        let name =
            f["name"].flatMap { yaml.string($0.value, what: "name", path: nil) } ?? host.map { String($0.split(separator: "/").last ?? "") }
            ?? "entry-\(index)"
        var entry = DomainEntry(name: name, mode: mode, host: host, location: yaml.location(item))
        let offset = f["offset"].flatMap { yaml.number($0.value, what: "offset", path: nil) }
        let size = f["size"].flatMap { yaml.number($0.value, what: "size", path: nil) }
        if let sizeNode = f["size"]?.value, size == 0 {
            yaml.error("range-empty", "a domain entry has size 0", at: sizeNode)
            return nil
        }
        if host != nil {
            if offset != nil || size != nil {
                guard let size else {
                    yaml.error("missing-key", "a slice of a host region needs 'size' beside 'offset'", at: item)
                    return nil
                }
                entry.slice = (offset ?? 0, size)
            }
        } else {
            guard mode == .emulated else {
                yaml.error(
                    "missing-key", "a \(mode.name) entry needs a 'host' region; only emulated devices exist in the guest alone", at: item)
                return nil
            }
            guard let size, f["guest-base"] != nil else {
                yaml.error("missing-key", "a guest-only emulated device needs 'guest-base' and 'size'", at: item)
                return nil
            }
            entry.size = size
        }
        if let g = f["guest-base"]?.value { entry.guestBase = yaml.number(g, what: "guest-base", path: nil) }
        if mode == .translated && entry.guestBase == nil && layout == nil {
            yaml.error(
                "missing-key",
                "a translated entry needs 'guest-base' (where stage 2 puts it in the guest), or its domain a 'layout' that places RAM",
                at: item)
            return nil
        }
        if let base = entry.guestBase, let span = entry.slice?.size ?? entry.size, AddressRange(base: base, size: span) == nil {
            yaml.error("range-overflow", "the entry at guest \(hex(base)) with size \(hex(span)) runs past 0xffff_ffff_ffff_ffff", at: item)
            return nil
        }
        entry.deviceModel = f["device-model"].flatMap { yaml.string($0.value, what: "device-model", path: nil) }
        if mode == .emulated && entry.deviceModel == nil {
            yaml.error("missing-key", "an emulated entry needs the 'device-model' its accesses trap to", at: item)
            return nil
        }
        entry.shared = f["shared"].flatMap { yaml.boolean($0.value, what: "shared", path: nil) } ?? false
        entry.dma = f["dma"].flatMap { yaml.boolean($0.value, what: "dma", path: nil) } ?? false
        if let k = f["kind"]?.value {
            if let text = yaml.string(k, what: "kind", path: nil), let kind = RegionKind(rawValue: text) {
                entry.kind = kind
            } else {
                yaml.error(
                    "bad-value", "kind must be a region kind (\(RegionKind.allCases.map(\.rawValue).joined(separator: ", ")))", at: k)
            }
        }
        if let t = f["e820-type"]?.value, let n = yaml.number(t, what: "e820-type", path: nil) {
            if [1, 2, 3, 4, 5, 7, 12].contains(n) {
                entry.e820Type = UInt32(n)
            } else {
                yaml.error("bad-value", "e820-type must be 1, 2, 3, 4, 5, 7 or 12", at: t)
            }
        }
        return entry
    }
}
