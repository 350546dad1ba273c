import ArgumentParser
import SoCMap
import SoCMapViews

/// `socmap show MAP`
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print one view of a map: a tree like QEMU's info mtree, a flat list, /proc/iomem style, or JSON."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tree, flat, iomem, json
    }

    @OptionGroup var view: ViewOptions

    @Flag(name: .long, help: "Same as --format flat.")
    var flat = false

    @Option(name: .long, help: "tree, flat, iomem or json.")
    var format: Format?

    @Flag(name: .long, help: "Also show the units switched off by status = \"disabled\", marked, where they would decode.")
    var disabled = false

    func validate() throws {
        if flat, let format, format != .flat { throw ValidationError("--flat contradicts --format \(format.rawValue)") }
    }

    func run() throws {
        let views: any ViewRendering
        switch try view.view() {
        case (let map, .host(let router)): views = MapViews(router: router, mapName: map.map.name, includingDisabled: disabled)
        case (_, .guest(let guest)): views = GuestViews(router: guest)
        }
        switch format ?? (flat ? .flat : .tree) {
        case .tree: print(views.treeText)
        case .flat: print(views.flat)
        case .iomem: print(views.iomem)
        case .json: print(views.json.pretty)
        }
    }
}
