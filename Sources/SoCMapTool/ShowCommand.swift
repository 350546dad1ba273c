import ArgumentParser
import SoCMap
import SoCMapViews

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `socmap show MAP`
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a map's views: a tree like QEMU's info mtree, a flat list, /proc/iomem style, JSON, or an SVG picture.",
        discussion:
            "--format svg draws every initiator's view side by side (one with --initiator; a guest beside its host with --domain), under the --set switches."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tree, flat, iomem, json, svg, html
    }

    @OptionGroup var view: ViewOptions

    @Flag(name: .long, help: "Same as --format flat.")
    var flat = false

    @Option(name: .long, help: "tree, flat, iomem, json, svg, or html (a self-contained page with the picture, search and an address box).")
    var format: Format?

    @Option(name: .shortAndLong, help: "Write to FILE instead of standard output.")
    var output: String?

    @Flag(name: .long, help: "Also show the units switched off by status = \"disabled\", marked, where they would decode.")
    var disabled = false

    func validate() throws {
        if flat, let format, format != .flat { throw ValidationError("--flat contradicts --format \(format.rawValue)") }
    }

    func run() throws {
        let chosen = format ?? (flat ? .flat : .tree)
        let text: String
        if chosen == .svg {
            text = try diagram().svg
        } else if chosen == .html {
            guard view.domain == nil else { throw ToolError("--format html shows the host views; give it without --domain") }
            text = try MapExplorer.html(try view.resolvedMap())
        } else {
            let views: any ViewRendering
            switch try view.view() {
            case (let map, .host(let router)): views = MapViews(router: router, mapName: map.map.name, includingDisabled: disabled)
            case (_, .guest(let guest)): views = GuestViews(router: guest)
            }
            switch chosen {
            case .tree: text = views.treeText + "\n"
            case .flat: text = views.flat + "\n"
            case .iomem: text = views.iomem + "\n"
            case .json, .svg, .html: text = views.json.pretty + "\n"
            }
        }
        if let output, output != "-" {
            try writeAtomically(Data(text.utf8), to: output)
        } else {
            print(text, terminator: "")
        }
    }

    /// Every initiator's view (or the one asked for), or a guest beside its host.
    func diagram() throws -> MapDiagram {
        let (resolved, asked) = try view.view()
        let title = resolved.map.model ?? resolved.map.name
        if case .guest(let guest) = asked { return MapDiagram.guest(guest, title: title) }
        guard view.initiator == nil, resolved.map.initiators.count > 1, case .host(let first) = asked else {
            guard case .host(let router) = asked else { throw ToolError("no view") }
            return MapDiagram.host([router], title: title)
        }
        let others = try resolved.map.initiators.dropFirst().map { try Router(resolved, initiator: $0.name, setting: first.setting) }
        return MapDiagram.host([first] + others, title: title)
    }
}
