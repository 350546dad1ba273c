public import SoCMap

/// The full answer to "who decodes this address, and through which hops?" in one view: the
/// unit and which of its entries, the hops, every other unit that also claims the address, and,
/// where nothing answers, the disabled units that would.
public struct DecodeAnswer: Sendable {
    /// What happened to the address.
    public enum Outcome: Sendable {
        /// A unit decodes it.
        case decoded(Router.Route)
        /// It falls in a `reserved` region: a decode error.
        case reserved(Router.Route)
        /// Nothing decodes it.
        case unassigned(below: Router.Segment?, above: Router.Segment?)
    }

    /// The address asked about.
    public let address: PhysicalAddress
    /// What happened.
    public let outcome: Outcome
    /// The hops, outermost first (empty when unassigned).
    public let hops: [Router.HopStep]
    /// Every other unit that claims the address in this view (for maps with priorities, not
    /// the decoding unit's own ancestors, whose holes it fills).
    public let otherClaims: [Router.Claim]
    /// The disabled units that hold the address (`status = "disabled"`, or inside such a node).
    public let disabledClaims: [Router.Claim]
    let router: Router

    /// Decodes `address` in `router`'s view.
    public init(address: PhysicalAddress, router: Router) {
        self.address = address
        self.router = router
        disabledClaims = router.disabledClaims(at: address)
        if let route = router.route(address) {
            let reserved = router[route.unit].kind == .reserved && route.target == .region
            outcome = reserved ? .reserved(route) : .decoded(route)
            hops = router.hops(for: route)
            let backgrounds = router.map.map.overlapRule == .priority ? Set(router.tree.ancestors(of: route.unit)) : []
            otherClaims = router.claims(at: address).filter { claim in
                !(claim.unit == route.unit && claim.entry == route.entry && claim.target == route.target)
                    && !backgrounds.contains(claim.unit)
            }
        } else {
            let n = router.neighbours(of: address)
            outcome = .unassigned(below: n.below, above: n.above)
            hops = []
            otherClaims = []
        }
    }

    /// Whether a unit decodes the address (the command's exit status is 1 otherwise).
    public var isDecoded: Bool {
        if case .decoded = outcome { return true }
        return false
    }

    private func node(_ id: RegionID) -> RegionTree.Node { router[id] }

    func entryLabel(_ unit: RegionID, _ entry: Int) -> String? { node(unit).region.entryLabel(entry) }

    /// What the route reaches, for people: `/pcie (pcie) I/O space, bus address 0x10`.
    func describeTarget(_ route: Router.Route) -> String {
        let head = Self.targetHead(router, unit: route.unit, entry: route.entry, target: route.target)
        switch route.target {
        case .region:
            return "\(head) offset \(hex(route.offset))"
        case .pcieConfig:
            let bus = UInt64(node(route.unit).region.pcie!.firstBus) + (route.offset >> 20)
            return
                "\(head): bus \(bus), device \((route.offset >> 15) & 0x1f), function \((route.offset >> 12) & 0x7), register \(hex(route.offset & 0xfff))"
        case .pcieWindow:
            return "\(head), bus address \(hex(route.busAddress ?? 0))"
        }
    }

    /// The part of a target's description that every address of a segment shares: the unit,
    /// its kind, the entry's label, and for PCIe the space (`/pcie (pcie) 32-bit memory space`).
    package static func targetHead(_ router: Router, unit: RegionID, entry: Int, target: Router.Target) -> String {
        let n = router[unit]
        var head = "\(n.path) (\(n.region.kind.rawValue))"
        switch target {
        case .region:
            if let label = n.region.entryLabel(entry) { head += " " + label }
        case .pcieConfig:
            if let label = n.region.entryLabel(entry) { head += " " + label }
            head += " configuration space"
        case .pcieWindow(let i):
            let w = n.region.pcie!.windows[i]
            head += " \(w.prefetchable ? "prefetchable " : "")\(w.space.label)"
        }
        return head
    }

    /// One claim for people: `/soc/led@8,1 (mmio) reg 0 [0x1c01_0008, 0x1c01_000b]`.
    func describeClaim(_ claim: Router.Claim) -> String {
        let n = node(claim.unit)
        var text = "\(n.path) (\(n.region.kind.rawValue))"
        switch claim.target {
        case .region: if let label = entryLabel(claim.unit, claim.entry) { text += " " + label }
        case .pcieConfig: text += " configuration space"
        case .pcieWindow(let i): text += " \(n.region.pcie!.windows[i].space.rawValue) window"
        }
        return text + " \(claim.range)"
    }

    func describeHop(_ step: Router.HopStep) -> String {
        let n = node(step.hop.region)
        let how: String
        switch step.hop.kind {
        case .identity: how = "identity"
        case .window(let i): how = "window \(i)"
        case .alias:
            how = "alias of " + (n.region.alias.map { "\($0.path) +\(hex($0.offset))" } ?? "?")
            return "via \(n.path) (\(how)): \(hex(step.before)) -> \(hex(step.after))"
        case .pcie(let space, let prefetchable): how = "\(prefetchable ? "prefetchable " : "")\(space.rawValue) window"
        }
        return "via \(n.path) (\(n.region.kind.rawValue), \(how)): \(hex(step.before)) -> \(hex(step.after))"
    }

    func describeSegment(_ s: Router.Segment) -> String {
        "\(node(s.unit).path) \(s.range)"
    }

    /// Plain text: one line for the answer, then one per hop, per other claimant, per
    /// neighbour and per disabled unit.
    public var text: String {
        var lines: [String] = []
        switch outcome {
        case .decoded(let route):
            lines.append("\(address): \(describeTarget(route))")
            lines.append("  decodes \(router.segment(route.segment).range)")
        case .reserved(let route):
            lines.append("\(address): reserved: \(describeTarget(route)) (nothing may decode here)")
        case .unassigned(let below, let above):
            lines.append("\(address): unassigned")
            lines.append("  below: " + (below.map(describeSegment) ?? "none"))
            lines.append("  above: " + (above.map(describeSegment) ?? "none"))
        }
        lines += hops.map { "  " + describeHop($0) }
        lines += otherClaims.map { "  also claimed by " + describeClaim($0) }
        lines += disabledClaims.map { "  disabled: " + describeClaim($0) }
        return lines.joined(separator: "\n")
    }

    /// The answer as JSON (documented in docs/json.md).
    public var json: JSON {
        var pairs: [(String, JSON)] = [("address", .address(address.rawValue))]
        if let i = router.initiator { pairs.append(("initiator", .string(i))) }
        switch outcome {
        case .decoded(let route):
            pairs.append(("status", .string("decoded")))
            pairs += routeJSON(route)
        case .reserved(let route):
            pairs.append(("status", .string("reserved")))
            pairs += routeJSON(route)
        case .unassigned(let below, let above):
            pairs.append(("status", .string("unassigned")))
            pairs.append(("below", segmentJSON(below)))
            pairs.append(("above", segmentJSON(above)))
        }
        pairs.append(("hops", .array(hops.map(hopJSON))))
        if !otherClaims.isEmpty { pairs.append(("also-claimed-by", .array(otherClaims.map(claimJSON)))) }
        if !disabledClaims.isEmpty { pairs.append(("disabled", .array(disabledClaims.map(claimJSON)))) }
        return .object(pairs)
    }

    private func entryJSON(_ unit: RegionID, _ entry: Int) -> [(String, JSON)] { node(unit).region.entryJSON(entry) }

    private func routeJSON(_ route: Router.Route) -> [(String, JSON)] {
        let n = node(route.unit)
        var out: [(String, JSON)] = [
            ("unit", .string(n.path)), ("name", .string(n.region.name)), ("kind", .string(n.region.kind.rawValue)),
        ]
        switch route.target {
        case .region:
            out += entryJSON(route.unit, route.entry)
            out.append(("offset", .address(route.offset)))
        case .pcieConfig:
            out += entryJSON(route.unit, route.entry)
            out.append(("space", .string("config")))
            out.append(("offset", .address(route.offset)))
        case .pcieWindow(let i):
            let w = n.region.pcie!.windows[i]
            out.append(("space", .string(w.space.rawValue)))
            out.append(("prefetchable", .bool(w.prefetchable)))
            out.append(("bus-address", .address(route.busAddress ?? 0)))
        }
        let s = router.segment(route.segment).range
        out.append(("segment", .object([("base", .address(s.base)), ("last", .address(s.last))])))
        return out
    }

    private func claimJSON(_ claim: Router.Claim) -> JSON {
        let n = node(claim.unit)
        var pairs: [(String, JSON)] = [("unit", .string(n.path)), ("kind", .string(n.region.kind.rawValue))]
        switch claim.target {
        case .region: pairs += entryJSON(claim.unit, claim.entry)
        case .pcieConfig: pairs.append(("space", .string("config")))
        case .pcieWindow(let i): pairs.append(("space", .string(n.region.pcie!.windows[i].space.rawValue)))
        }
        return .object(pairs + [("base", .address(claim.range.base)), ("last", .address(claim.range.last))])
    }

    private func segmentJSON(_ s: Router.Segment?) -> JSON {
        guard let s else { return .null }
        return .object([("unit", .string(node(s.unit).path)), ("base", .address(s.range.base)), ("last", .address(s.range.last))])
    }

    private func hopJSON(_ step: Router.HopStep) -> JSON {
        let n = node(step.hop.region)
        var kind: String
        var extra: [(String, JSON)] = []
        switch step.hop.kind {
        case .identity: kind = "identity"
        case .window(let i):
            kind = "window"
            extra.append(("window", .int(i)))
        case .alias: kind = "alias"
        case .pcie(let space, let prefetchable):
            kind = "pcie-window"
            extra.append(("space", .string(space.rawValue)))
            extra.append(("prefetchable", .bool(prefetchable)))
        }
        return .object(
            [("region", .string(n.path)), ("kind", .string(kind))] + extra + [
                ("before", .address(step.before)), ("after", .address(step.after)),
            ])
    }
}
