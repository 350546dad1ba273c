public import SoCMap

/// A region with a range, for maps built in test code.
public func r(
    _ name: String, _ kind: RegionKind, _ base: UInt64, _ size: UInt64, priority: Int = 0, children: [Region] = [],
    translation: Translation = .identity, when: String? = nil, seenBy: [String]? = nil, disabled: Bool = false
) -> Region {
    Region(
        name: name, kind: kind, range: AddressRange(base: base, size: size)!, priority: priority,
        condition: when.map { try! Condition(parsing: $0) }, seenBy: seenBy, disabled: disabled,
        translation: translation, children: children)
}

/// A `ranges` window: `size` bytes at `child` appear at `parent`.
public func window(_ child: UInt64, _ parent: UInt64, _ size: UInt64) -> TranslationWindow {
    TranslationWindow(childBase: child, parentBase: parent, size: size)!
}

/// The checks that look only at maps read from device trees (`overlaps: device-tree`).
public let deviceTreeCheckIDs: Set<String> = [
    "shared-registers", "reg-overlap", "offset-reg", "memory-over-device", "reserved-outside-memory",
]
