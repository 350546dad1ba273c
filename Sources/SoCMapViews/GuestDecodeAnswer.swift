public import SoCMap

/// A two-stage decode: guest address → domain entry → mode → host address → host unit.
public struct GuestDecodeAnswer: Sendable {
    /// The guest address asked about.
    public let address: GuestPhysicalAddress
    /// The guest route, `nil` for a stage-2 fault.
    public let route: GuestRouter.Route?
    /// The host decode of the stage-2 result (`nil` when trapped or faulting).
    public let hostAnswer: DecodeAnswer?
    let router: GuestRouter

    /// Decodes `address` in `router`'s guest view.
    public init(address: GuestPhysicalAddress, router: GuestRouter) {
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

    func describe(_ m: Stage2Mapping) -> String {
        var text = "entry \(m.entry.name) (\(m.entry.mode.name)"
        if let model = m.entry.deviceModel { text += ", device model \(model)" }
        return text + ") \(m.guest)"
    }

    /// Plain text: the guest entry and mode, stage 2, then the host decode.
    public var text: String {
        let head = "\(address) (domain \(router.domain.name))"
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
            lines.append("  stage 2: guest \(address) -> host \(hostAddress)")
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
        var pairs: [(String, JSON)] = [("address", .address(address.rawValue)), ("domain", .string(router.domain.name))]
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
        if let h = route.hostAddress { pairs.append(("host-address", .address(h.rawValue))) }
        if let hostAnswer { pairs.append(("host", hostAnswer.json)) }
        return .object(pairs)
    }
}
