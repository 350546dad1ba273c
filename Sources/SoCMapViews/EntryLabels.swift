import SoCMap

/// How decode answers and views name one `reg` entry of a unit.
extension Region {
    /// Whether the unit's entries are worth naming: it has several, or a named one.
    var namesItsEntries: Bool { entries.count > 1 || entries.contains { $0.name != nil } }

    /// `reg 2 "cfg"` for an entry of a unit with several or named entries; nothing for a
    /// one-range unit.
    func entryLabel(_ entry: Int) -> String? {
        guard entries.indices.contains(entry), namesItsEntries else { return nil }
        return "reg \(entry)" + (entries[entry].name.map { " \"\($0)\"" } ?? "")
    }

    /// `entry` and `entry-name` JSON members for the same entries.
    func entryJSON(_ entry: Int) -> [(String, JSON)] {
        guard entries.indices.contains(entry), namesItsEntries else { return [] }
        return [("entry", .int(entry))] + (entries[entry].name.map { [("entry-name", JSON.string($0))] } ?? [])
    }
}
