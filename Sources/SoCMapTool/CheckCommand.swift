import ArgumentParser
import SoCMap
import SoCMapChecks
import SoCMapViews
import Synchronization

/// `socmap check MAP...`
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check maps' layouts; print located diagnostics.",
        discussion: """
            Several files are checked at once on every core; their results print in the order given, \
            then a summary line. Exits 1 when a check reports an error, 2 when a map cannot be read.
            """
    )

    @Argument(help: "Maps: YAML or JSON map files, or device trees (.dtb, .dts); several at once.")
    var maps: [String] = []

    @Flag(name: .long, help: "Print findings as JSON (one file: an array of findings; several: one object per file).")
    var json = false

    @Flag(name: .long, help: "List every check with its id, severity, what it finds and why, and exit.")
    var list = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Layout profile: auto (the map's `profile:`, else one picked by the root compatible, and said so), none, or one of zynq-7000, zynqmp, juno, qemu-virt, x86-pc.",
            valueName: "name"))
    var profile = "auto"

    @Flag(name: .customLong("all-switches"), help: "Evaluate every switch combination and name the ones where a rule fails.")
    var allSwitches = false

    @Option(name: .customShort("W"), help: ArgumentHelp("Report check ID as a warning.", valueName: "id"))
    var warn: [String] = []

    @Option(name: .customShort("E"), help: ArgumentHelp("Report check ID as an error.", valueName: "id"))
    var error: [String] = []

    @Option(name: .customLong("no"), help: ArgumentHelp("Do not run check ID.", valueName: "id"))
    var disable: [String] = []

    func validate() throws {
        if !list && maps.isEmpty { throw ValidationError("give a MAP to check (or --list)") }
        let names = ["auto", "none"] + Profile.all.map(\.name)
        if !names.contains(profile) {
            throw ValidationError("unknown profile '\(profile)'" + suggestion(for: profile, among: names, none: "no profiles"))
        }
    }

    func run() throws {
        if list {
            printList()
            return
        }
        let overrides = try severityOverrides()
        if maps.count == 1 {
            let result = checkFile(maps[0], overrides: overrides)
            if let failure = result.failure { throw failure }
            for line in result.warnings { printError(line) }
            if let p = result.pickedProfile, let c = result.pickedBy {
                printError(
                    "\(maps[0]): note: checking with profile \(p), picked by the root compatible \"\(c)\" (--profile none turns it off)")
            }
            if json {
                print(JSON.array(result.diagnostics.map(\.json)).pretty)
            } else {
                for d in result.diagnostics { print(d.description) }
                let errors = result.diagnostics.filter { $0.severity == .error }.count
                let warnings = result.diagnostics.filter { $0.severity == .warning }.count
                if !result.diagnostics.isEmpty {
                    print("\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")")
                }
            }
            if result.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
            return
        }
        let tally = checkMany(overrides: overrides)
        if tally.failed > 0 { throw ExitCode(2) }
        if tally.withErrors > 0 { throw ExitCode(1) }
    }

    /// Checks every file on every core; prints each file's results in input order, then the
    /// summary (JSON: an array with one object per file).
    func checkMany(overrides: [String: Severity?]) -> FileTally {
        let paths = maps
        let command = self
        let tally = Mutex(FileTally())
        if json { print("[") }
        inInputOrder(
            paths.count, work: { command.checkFile(paths[$0], overrides: overrides) },
            report: { index, result in
                for line in result.warnings { printError(line) }
                if json {
                    var pairs: [(String, JSON)] = [("file", .string(paths[index]))]
                    if let p = result.profile { pairs.append(("profile", .string(p))) }
                    if let failure = result.failure {
                        pairs.append(("error", .string(failure.description)))
                    } else {
                        pairs.append(("diagnostics", .array(result.diagnostics.map(\.json))))
                    }
                    print(JSON.object(pairs).pretty + (index == paths.count - 1 ? "" : ","))
                } else if let failure = result.failure {
                    printError(failure.description)
                } else {
                    for d in result.diagnostics { print(d.description) }
                }
                flushStandardOutput()
                tally.withLock { t in
                    t.files += 1
                    if let p = result.pickedProfile { t.picked[p, default: 0] += 1 }
                    guard result.failure == nil else {
                        t.failed += 1
                        return
                    }
                    let counts = Dictionary(grouping: result.diagnostics, by: \.severity).mapValues(\.count)
                    t.errors += counts[.error] ?? 0
                    t.warnings += counts[.warning] ?? 0
                    t.notes += counts[.note] ?? 0
                    if counts[.error] != nil { t.withErrors += 1 } else if counts[.warning] != nil { t.withWarnings += 1 }
                }
            })
        let total = tally.withLock { $0 }
        if json { print("]") } else { print(total.summary) }
        return total
    }

    /// What checking one file gave.
    struct FileResult: Sendable {
        /// Import warnings, for standard error before the findings.
        var warnings: [String] = []
        var profile: String?
        /// The profile `auto` picked by a root compatible, and that compatible.
        var pickedProfile: String?
        var pickedBy: String?
        var diagnostics: [Diagnostic] = []
        /// Why the file could not be checked.
        var failure: MapInputError?
    }

    func checkFile(_ path: String, overrides: [String: Severity?]) -> FileResult {
        var result = FileResult()
        let map: AddressMap
        do {
            let (loaded, warnings) = try loadAnyMapKeepingWarnings(path)
            map = loaded
            result.warnings = warnings.map(\.description)
        } catch {
            result.failure = error
            return result
        }
        let chosen: Profile?
        switch profile {
        case "none": chosen = nil
        case "auto":
            if let name = map.profile {
                guard let p = Profile.named(name) else {
                    result.failure = MapInputError([
                        Diagnostic(
                            .error, "profile",
                            "unknown profile '\(name)'" + suggestion(for: name, among: Profile.all.map(\.name), none: "no profiles"),
                            at: SourceLocation(file: path, line: 0, column: 0))
                    ])
                    return result
                }
                chosen = p
            } else if let (p, compatible) = Profile.matching(map) {
                chosen = p
                result.pickedProfile = p.name
                result.pickedBy = compatible
            } else {
                chosen = nil
            }
        default: chosen = Profile.named(profile)
        }
        result.profile = chosen?.name
        var engine = CheckEngine(profile: chosen)
        engine.allSwitches = allSwitches
        engine.overrides = overrides.filter { id, _ in engine.checks.contains { $0.id == id } }
        result.diagnostics = engine.run(on: ResolvedMap(map))
        return result
    }

    /// The `-W`/`-E`/`--no` overrides, each id known to some check.
    func severityOverrides() throws -> [String: Severity?] {
        let known = (GenericChecks.all + DomainChecks.all + Profile.all.flatMap(\.checks)).map(\.id)
        var overrides: [String: Severity?] = [:]
        for (ids, severity) in [(warn, Severity?.some(.warning)), (error, .some(.error)), (disable, nil)] {
            for id in ids {
                guard known.contains(id) else {
                    throw ToolError(
                        "unknown check '\(id)'" + suggestion(for: id, among: known, none: "no checks") + " (see socmap check --list)")
                }
                overrides[id] = .some(severity)
            }
        }
        return overrides
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
                print("  " + "".padding(to: width) + "           why: " + check.rationale)
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
