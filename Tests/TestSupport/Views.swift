public import SoCMap

/// What a router decodes, in comparable form: one line per segment.
public func decodeTable(_ router: Router) -> [String] {
    router.segments.map { s in
        "\(s.range) \(router[s.unit].path) \(s.target) \(hex(s.offsetAtBase)) \(s.busAddressAtBase.map(hex) ?? "-")"
    }
}

/// Routers for every initiator and (up to 64) switch settings.
public func views(_ map: AddressMap) throws -> [Router] {
    let resolved = ResolvedMap(map)
    let settings = Array(SwitchSetting.all(for: map).prefix(64))
    return try resolved.initiators.flatMap { i in try settings.map { try Router(resolved, initiator: i, setting: $0) } }
}
