import ArgumentParser
import SoCMap
import SoCMapChecks
import SoCMapViews

/// `socmap check MAP`
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a map's layout; print located diagnostics.",
        discussion: "Exits 1 when a check reports an error, 2 when the map cannot be read."
    )

    @Argument(help: "The map: a YAML or JSON map file, or a device tree (.dtb, .dts).")
    var map: String?

    @Flag(name: .long, help: "Print findings as a JSON array.")
    var json = false

    @Flag(name: .long, help: "List every check with its id, severity and doc, and exit.")
    var list = false

    @Option(
        name: .long,
        help:
            "Layout profile (zynq-7000, zynqmp, juno, qemu-virt, x86-pc); default: the map's profile, or one chosen from an imported tree's root compatible."
    )
    var profile: String?

    @Flag(name: .customLong("all-switches"), help: "Evaluate every switch combination and name the ones where a rule fails.")
    var allSwitches = false

    @Option(name: .customShort("W"), help: ArgumentHelp("Report check ID as a warning.", valueName: "id"))
    var warn: [String] = []

    @Option(name: .customShort("E"), help: ArgumentHelp("Report check ID as an error.", valueName: "id"))
    var error: [String] = []

    @Option(name: .customLong("no"), help: ArgumentHelp("Do not run check ID.", valueName: "id"))
    var disable: [String] = []

    func validate() throws {
        if !list && map == nil { throw ValidationError("give a MAP to check (or --list)") }
    }

    func run() throws {
        if list {
            printList()
            return
        }
        let loaded = try loadAnyMap(map!)
        var chosen: Profile?
        if let profile {
            guard let p = Profile.named(profile) else {
                throw ToolError(
                    "unknown profile '\(profile)'" + suggestion(for: profile, among: Profile.all.map(\.name), none: "no profiles"))
            }
            chosen = p
        } else if let name = loaded.profile {
            guard let p = Profile.named(name) else {
                throw ToolError(
                    "\(map!): unknown profile '\(name)'" + suggestion(for: name, among: Profile.all.map(\.name), none: "no profiles"))
            }
            chosen = p
        } else {
            chosen = Profile.for(loaded)
        }
        var engine = CheckEngine(profile: chosen)
        engine.allSwitches = allSwitches
        let known = engine.checks.map(\.id)
        for (ids, severity) in [(warn, Severity?.some(.warning)), (error, .some(.error)), (disable, nil)] {
            for id in ids {
                guard known.contains(id) else {
                    throw ToolError(
                        "unknown check '\(id)'" + suggestion(for: id, among: known, none: "no checks") + " (see socmap check --list)")
                }
                engine.overrides[id] = .some(severity)
            }
        }
        let diagnostics = engine.run(on: ResolvedMap(loaded))
        if json {
            print(JSON.array(diagnostics.map(\.json)).pretty)
        } else {
            for d in diagnostics { print(d.description) }
            let errors = diagnostics.filter { $0.severity == .error }.count
            let warnings = diagnostics.filter { $0.severity == .warning }.count
            if !diagnostics.isEmpty { print("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")") }
        }
        if diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }

    func printList() {
        let groups: [(String, [Check])] =
            [("generic", GenericChecks.all), ("domains", DomainChecks.all)]
            + Profile.all.map { ("profile \($0.name): \($0.doc)", $0.checks) }
        let width = groups.flatMap(\.1).map(\.id.count).max() ?? 0
        for (title, checks) in groups {
            print("\(title):")
            for check in checks {
                var line = "  " + check.id.padding(to: width) + "  " + check.severity.rawValue.padding(to: 7) + "  " + check.doc
                if !check.prerequisites.isEmpty { line += " (after \(check.prerequisites.map(\.id).joined(separator: ", ")))" }
                print(line)
            }
        }
    }
}

extension String {
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

extension Diagnostic {
    /// The diagnostic as a JSON object (documented in docs/json.md).
    var json: JSON {
        var pairs: [(String, JSON)] = [
            ("severity", .string(severity.rawValue)), ("check", .string(checkID)), ("message", .string(message)),
        ]
        if let location {
            pairs += [("file", .string(location.file)), ("line", .int(location.line)), ("column", .int(location.column))]
        }
        if let path { pairs.append(("path", .string(path))) }
        if let view { pairs.append(("view", .string(view))) }
        if !group.isEmpty { pairs.append(("group", .array(group.map(JSON.string)))) }
        if let range { pairs.append(("range", .object([("base", .address(range.base)), ("last", .address(range.last))]))) }
        return .object(pairs)
    }
}
