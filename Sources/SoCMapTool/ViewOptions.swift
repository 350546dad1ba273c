import ArgumentParser
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile

/// A bad-usage or bad-input problem the tool reports in one line and exits 2 for.
struct ToolError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { "error: \(message)" }
}

/// Options every command that looks at one view of a map shares: the map, an initiator, a
/// guest domain, switch settings.
struct ViewOptions: ParsableArguments {
    @Argument(help: "The map: a YAML or JSON map file, or a device tree (.dtb, .dts).")
    var map: String

    @Option(name: .long, help: "The initiator whose view to use (default: the map's first).")
    var initiator: String?

    @Option(name: .long, help: "A guest domain: decode and show its view (two-stage).")
    var domain: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a switch, NAME=VALUE; repeatable.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    /// Reads the map and resolves it; the router library refuses it later if its structure
    /// is broken.
    func resolvedMap() throws -> ResolvedMap {
        ResolvedMap(try loadAnyMap(map))
    }

    /// The `--set` pairs, checked for shape (the router checks names and values).
    func switchValues() throws -> [String: String] {
        try parseSwitchSettings(settings)
    }

    /// The map and the requested view: a guest view with `--domain`, else the host router of
    /// the initiator.
    func view() throws -> (ResolvedMap, ViewRouter) {
        let resolved = try resolvedMap()
        let setting = try SwitchSetting(try switchValues(), for: resolved.map)
        if let domain {
            if initiator != nil {
                throw ToolError("--initiator and --domain do not go together: a domain's host view is its own 'initiator' key")
            }
            return (resolved, .guest(try GuestRouter(resolved, domain: domain, setting: setting)))
        }
        return (resolved, .host(try Router(resolved, initiator: initiator, setting: setting)))
    }
}

/// Parses `NAME=VALUE` switch settings.
func parseSwitchSettings(_ items: [String]) throws -> [String: String] {
    var values: [String: String] = [:]
    for item in items {
        let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ToolError("bad --set '\(item)': expected NAME=VALUE")
        }
        values[parts[0]] = parts[1]
    }
    return values
}

/// The router a view request resolves to.
enum ViewRouter {
    case host(Router)
    case guest(GuestRouter)
}

/// Reads a map from a YAML/JSON map file or a device tree; import warnings go to stderr.
func loadAnyMap(_ path: String) throws -> AddressMap {
    let (map, warnings) = try loadAnyMapKeepingWarnings(path)
    for w in warnings { printError(w.description) }
    return map
}

/// Reads a map from a YAML/JSON map file, a device tree, QEMU `info mtree -f` text or
/// `/proc/iomem` text, with the device tree's import warnings.
func loadAnyMapKeepingWarnings(_ path: String) throws(MapInputError) -> (AddressMap, [Diagnostic]) {
    let input = try readInput(path)
    return (input.map, input.warnings)
}

/// Parses an address argument or fails with a one-line usage error.
func parseAddressArgument(_ text: String) throws -> UInt64 {
    guard let value = parseAddress(text) else {
        throw ToolError("bad address '\(text)': expected hex (0x8000_0000), decimal, or a size (64K, 1G) that fits in 64 bits")
    }
    return value
}
