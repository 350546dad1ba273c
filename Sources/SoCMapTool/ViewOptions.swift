import ArgumentParser
import SoCMap
import SoCMapFDT
import SoCMapFile

/// A bad-usage or bad-input problem the tool reports in one line and exits 2 for.
struct ToolError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { "error: \(message)" }
}

/// Options every command that looks at one view of a map shares.
struct ViewOptions: ParsableArguments, ViewRequest {
    @Argument(help: "The map: a YAML or JSON map file, or a device tree (.dtb, .dts).")
    var map: String

    @Option(name: .long, help: "The initiator whose view to use (default: the map's first).")
    var initiator: String?

    @Option(name: .long, help: "A guest domain: decode and show its view (two-stage).")
    var domain: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a switch, NAME=VALUE; repeatable.", valueName: "NAME=VALUE"))
    var settings: [String] = []
}

/// What picks one view of a map: the map, an initiator, a guest domain, switch settings.
/// `ViewOptions` is the parsed form; the start-up fast path in `SocMapCommand` builds a
/// `PlainViewRequest` without the argument parser.
protocol ViewRequest {
    var map: String { get }
    var initiator: String? { get }
    var domain: String? { get }
    var settings: [String] { get }
}

/// A view request built without the parser (the decode fast path, `socmap guest`).
struct PlainViewRequest: ViewRequest {
    let map: String
    var initiator: String?
    var domain: String?
    var settings: [String] = []
}

extension ViewRequest {
    /// Reads the map file.
    func loadMap() throws -> SoCMap {
        try loadAnyMap(map)
    }

    /// Reads the map file and refuses it when references or names are broken, since no
    /// view of such a map can be trusted (`socmap check` reports the same problems).
    func loadUsableMap() throws -> SoCMap {
        try loadUsableContext().map
    }

    /// The map with its expanded tree, after the structural checks (built once, shared by the
    /// router that follows).
    func loadUsableContext() throws -> CheckContext {
        let context = CheckContext(map: try loadMap())
        let broken = CheckEngine(checks: GenericChecks.structural).run(in: context).filter { $0.severity == .error }
        if !broken.isEmpty { throw MapInputError(broken) }
        return context
    }

    /// The initiator asked for, checked against the map.
    func resolvedInitiator(in map: SoCMap) throws -> String? {
        guard let initiator else { return map.defaultInitiator }
        let known = map.initiators.map(\.name)
        guard known.contains(initiator) else {
            throw ToolError("unknown initiator '\(initiator)'" + suggestion(for: initiator, among: known, none: "\(map.name) declares no initiators"))
        }
        return initiator
    }

    /// The switch setting asked for, checked against the map.
    func resolvedSetting(in map: SoCMap) throws -> SwitchSetting {
        var setting = SwitchSetting(map: map)
        for item in settings {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ToolError("bad --set '\(item)': expected NAME=VALUE")
            }
            guard let s = map.switchNamed(parts[0]) else {
                var text = "unknown switch '\(parts[0])' in --set"
                if let guess = didYouMean(parts[0], among: map.switches.map(\.name)) { text += "; did you mean '\(guess)'?" }
                text += map.switches.isEmpty ? " (\(map.name) declares no switches)" : " (known: \(map.switches.map(\.name).joined(separator: ", ")))"
                throw ToolError(text)
            }
            guard s.values.contains(parts[1]) else {
                var text = "switch '\(s.name)' cannot be '\(parts[1])'"
                if let guess = didYouMean(parts[1], among: s.values) { text += "; did you mean '\(guess)'?" }
                throw ToolError(text + " (values: \(s.values.joined(separator: ", ")))")
            }
            setting.set(s.name, to: parts[1])
        }
        return setting
    }

    /// The guest router of `--domain`, or `nil` when no domain was asked for.
    func guestRouter(in context: CheckContext) throws -> GuestRouter? {
        let map = context.map
        guard let name = domain else { return nil }
        guard let d = map.domainNamed(name) else {
            throw ToolError("unknown domain '\(name)'" + suggestion(for: name, among: map.domains.map(\.name), none: "\(map.name) declares no domains"))
        }
        if initiator != nil { throw ToolError("--initiator and --domain do not go together: a domain's host view is its own 'initiator' key") }
        return GuestRouter(context: context, domain: d, setting: try resolvedSetting(in: map))
    }

    /// Loads the map and builds the requested view: a guest view with `--domain`, else the
    /// host router of the initiator.
    func view() throws -> (SoCMap, ViewRouter) {
        let context = try loadUsableContext()
        if let guest = try guestRouter(in: context) { return (context.map, .guest(guest)) }
        let map = context.map
        return (map, .host(Router(tree: context.tree, initiator: try resolvedInitiator(in: map), setting: try resolvedSetting(in: map))))
    }
}

/// The router a view request resolves to.
enum ViewRouter {
    case host(Router)
    case guest(GuestRouter)
}

/// Reads a map from a YAML/JSON map file or a device tree; import warnings go to stderr.
func loadAnyMap(_ path: String) throws -> SoCMap {
    guard DeviceTreeFiles.isDeviceTree(path) else { return try MapFile.load(path: path).map }
    let imported = try DeviceTreeFiles.importMap(path: path)
    for w in imported.warnings { printError(w.description) }
    return imported.map
}

/// Parses an address argument or fails with a one-line usage error.
func parseAddressArgument(_ text: String) throws -> UInt64 {
    guard let value = parseAddress(text) else {
        throw ToolError("bad address '\(text)': expected hex (0x8000_0000), decimal, or a size (64K, 1G) that fits in 64 bits")
    }
    return value
}
