/// A two-stage decode: guest address → domain entry → mode → host address → host unit.
public struct GuestDecodeAnswer: Sendable {
    /// The guest address asked about.
    public let address: UInt64
    /// The guest route, `nil` for a stage-2 fault.
    public let route: GuestRouter.Route?
    /// The host decode of the stage-2 result (`nil` when trapped or faulting).
    public let hostAnswer: DecodeAnswer?
    let router: GuestRouter

    /// Decodes `address` in `router`'s guest view.
    public init(address: UInt64, router: GuestRouter) {
        self.address = address
        self.router = router
        route = router.route(address)
        hostAnswer = route?.hostAddress.map { DecodeAnswer(address: $0, router: router.host) }
    }

    /// A guest access that reaches a unit or traps to a device model counts as answered;
    /// a stage-2 fault, or a host address nothing decodes, does not.
    public var isDecoded: Bool {
        guard let route else { return false }
        if router.mappings[route.mapping].entry.mode == .emulated { return true }
        return hostAnswer?.isDecoded ?? false
    }

    func describe(_ m: GuestRouter.Mapping) -> String {
        var text = "entry \(m.entry.name) (\(m.entry.mode.name)"
        if let model = m.entry.deviceModel { text += ", device model \(model)" }
        return text + ") \(m.guest)"
    }

    /// Plain text: the guest entry and mode, stage 2, then the host decode.
    public var text: String {
        let head = "\(hex(address)) (domain \(router.domain.name))"
        guard let route else {
            let n = router.neighbours(of: address)
            return [
                "\(head): stage-2 fault: no guest entry maps this address",
                "  below: " + (n.below.map { describe(router.mappings[router.segment($0).mapping]) } ?? "none"),
                "  above: " + (n.above.map { describe(router.mappings[router.segment($0).mapping]) } ?? "none"),
            ].joined(separator: "\n")
        }
        let m = router.mappings[route.mapping]
        var lines: [String] = []
        if m.entry.mode == .emulated {
            lines.append("\(head): trapped to device model \(m.entry.deviceModel ?? "?"): \(describe(m)) offset \(hex(route.offset))")
            return lines.joined(separator: "\n")
        }
        lines.append("\(head): \(describe(m)) offset \(hex(route.offset))")
        if let hostAddress = route.hostAddress {
            lines.append("  stage 2: guest \(hex(address)) -> host \(hex(hostAddress))")
        }
        if let hostAnswer {
            for (i, line) in hostAnswer.text.split(separator: "\n").enumerated() {
                lines.append(i == 0 ? "  host " + line : "  " + line)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The answer as JSON (documented in docs/json.md).
    public var json: JSON {
        var pairs: [(String, JSON)] = [("address", .address(address)), ("domain", .string(router.domain.name))]
        guard let route else {
            let n = router.neighbours(of: address)
            func entry(_ s: Int?) -> JSON {
                guard let s else { return .null }
                let m = router.mappings[router.segment(s).mapping]
                return .object([("entry", .string(m.entry.name)), ("base", .address(m.guest.base)), ("last", .address(m.guest.last))])
            }
            return .object(pairs + [("status", .string("stage-2-fault")), ("below", entry(n.below)), ("above", entry(n.above))])
        }
        let m = router.mappings[route.mapping]
        pairs += [
            ("status", .string(m.entry.mode == .emulated ? "trapped" : "mapped")), ("entry", .string(m.entry.name)),
            ("mode", .string(m.entry.mode.name)), ("offset", .address(route.offset)),
        ]
        if let model = m.entry.deviceModel { pairs.append(("device-model", .string(model))) }
        if let h = route.hostAddress { pairs.append(("host-address", .address(h))) }
        if let hostAnswer { pairs.append(("host", hostAnswer.json)) }
        return .object(pairs)
    }
}

/// Text and JSON renderings of a guest domain's view, each segment with its mode.
public struct GuestViews: Sendable, ViewRendering {
    /// The guest router.
    public let router: GuestRouter

    /// Creates the renderings.
    public init(router: GuestRouter) { self.router = router }

    func hostText(_ m: GuestRouter.Mapping, at offset: UInt64) -> String {
        guard m.entry.mode != .emulated else { return "-> \(m.entry.deviceModel ?? "device model")" }
        let path = m.hostRegion.map { router.host.tree.nodes[$0].path } ?? "?"
        return "-> \(path) host \(hex((m.host?.base ?? 0) &+ offset))"
    }

    /// One line per guest segment: `%016x-%016x (mode, kind): entry -> host`.
    public var flat: String {
        var lines = ["GuestView: domain \(router.domain.name)"]
        if router.segmentCount == 0 { lines.append("  No rendered GuestView") }
        for i in 0..<router.segmentCount {
            let (range, index) = router.segment(i)
            let m = router.mappings[index]
            let offset = range.base - m.guest.base
            lines.append("  \(paddedHex(range.base, width: 16))-\(paddedHex(range.last, width: 16)) (\(m.entry.mode.name), \(kind(m).rawValue)): \(m.entry.name) \(hostText(m, at: offset))")
        }
        return lines.joined(separator: "\n")
    }

    /// The kind of what the guest sees in an entry.
    func kind(_ m: GuestRouter.Mapping) -> RegionKind {
        m.entry.kind ?? m.hostRegion.map { router.host.tree.nodes[$0].region.kind } ?? .mmio
    }

    /// The entries in declaration order, each with its host region and the host hops.
    public var treeText: String {
        var lines = ["address-space: domain \(router.domain.name)"]
        for m in router.mappings.sorted(by: { $0.guest.base < $1.guest.base }) {
            lines.append("  \(paddedHex(m.guest.base, width: 16))-\(paddedHex(m.guest.last, width: 16)) (\(m.entry.mode.name), \(kind(m).rawValue)): \(m.entry.name)")
            if let host = m.host {
                let path = m.hostRegion.map { router.host.tree.nodes[$0].path } ?? "?"
                lines.append("    \(paddedHex(host.base, width: 16))-\(paddedHex(host.last, width: 16)) (host): \(path)")
            } else if let model = m.entry.deviceModel {
                lines.append("    (trapped): \(model)")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `/proc/iomem` style for the guest: `%08x-%08x : entry (mode)`.
    public var iomem: String {
        router.mappings.sorted { $0.guest.base < $1.guest.base }.map {
            "\(paddedHex($0.guest.base, width: 8))-\(paddedHex($0.guest.last, width: 8)) : \($0.entry.name) (\($0.entry.mode.name))"
        }.joined(separator: "\n")
    }

    /// The guest view as JSON.
    public var json: JSON {
        .object([
            ("domain", .string(router.domain.name)),
            ("segments", .array((0..<router.segmentCount).map { i in
                let (range, index) = router.segment(i)
                let m = router.mappings[index]
                var pairs: [(String, JSON)] = [
                    ("base", .address(range.base)), ("last", .address(range.last)), ("entry", .string(m.entry.name)),
                    ("mode", .string(m.entry.mode.name)), ("kind", .string(kind(m).rawValue)),
                ]
                if let host = m.host { pairs.append(("host-base", .address(host.base &+ (range.base - m.guest.base)))) }
                if let id = m.hostRegion { pairs.append(("host-region", .string(router.host.tree.nodes[id].path))) }
                if let model = m.entry.deviceModel { pairs.append(("device-model", .string(model))) }
                return .object(pairs)
            })),
        ])
    }
}
