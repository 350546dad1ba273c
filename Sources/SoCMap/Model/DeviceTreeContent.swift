/// A reference to another node of the map, as a device tree writes `&gic` (by label) or
/// `&{/soc/gic}` (by path). Paths are map paths: a region's path, or a description node's.
public enum NodeReference: Hashable, Sendable, CustomStringConvertible {
    /// By label (`gic`).
    case label(String)
    /// By path (`/soc/interrupt-controller@f9010000`).
    case path(String)

    /// `&gic` or `&{/soc/gic}`.
    public var description: String {
        switch self {
        case .label(let l): return "&" + l
        case .path(let p): return "&{" + p + "}"
        }
    }

    /// Parses `&label` or `&{/path}`; `nil` for anything else.
    public init?(parsing text: String) {
        guard text.hasPrefix("&") else { return nil }
        let rest = text.dropFirst()
        if rest.hasPrefix("{") && rest.hasSuffix("}") && rest.count > 2 {
            let path = String(rest.dropFirst().dropLast())
            guard path.hasPrefix("/") else { return nil }
            self = .path(path)
        } else {
            guard Self.isLabel(rest) else { return nil }
            self = .label(String(rest))
        }
    }

    /// Whether `text` is a device-tree label: a letter or `_`, then letters, digits and `_`.
    public static func isLabel(_ text: some StringProtocol) -> Bool {
        guard let first = text.utf8.first, first == 0x5F || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else { return false }
        return text.utf8.allSatisfy { $0 == 0x5F || ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) }
    }
}

/// A device-tree node that describes hardware but holds no address the map decodes: CPUs,
/// PSCI, the architected timer, fixed clocks, `/chosen`, `/aliases`, regulators, thermal
/// zones, an I2C device's sub-nodes. The router never sees these; export writes them where
/// they stand, so that the tree a map becomes is complete (and boots).
public struct DescriptionNode: Hashable, Sendable {
    /// The node name (`cpus`, `cpu@0`, `psci`).
    public var name: String
    /// Its label, if references use one.
    public var label: String?
    /// Its properties, in order.
    public var properties: [Region.Property]
    /// Its child nodes, in order.
    public var children: [DescriptionNode]
    /// Where it was written.
    public var location: SourceLocation?

    /// Creates a node.
    public init(
        name: String, label: String? = nil, properties: [Region.Property] = [], children: [DescriptionNode] = [],
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.label = label
        self.properties = properties
        self.children = children
        self.location = location
    }

    /// The node and its subtree without source locations.
    public func withoutLocations() -> DescriptionNode {
        var copy = self
        copy.location = nil
        copy.children = children.map { $0.withoutLocations() }
        return copy
    }
}

/// A description node hung below a region (or the root), at a place among its siblings.
public struct AttachedNode: Hashable, Sendable {
    /// Where a node goes among its parent's children.
    public enum Placement: Hashable, Sendable {
        /// Before every other child.
        case first
        /// Right after the sibling with this node name (a region's or another node's).
        case after(String)
    }

    /// The map path of the parent: `/` for the root, else a region's path.
    public var parent: String
    /// Its place among the parent's children; `nil`: after every region child, in the order
    /// the attached nodes are listed.
    public var placement: Placement?
    /// The node.
    public var node: DescriptionNode

    /// Creates an attachment.
    public init(parent: String = "/", placement: Placement? = nil, node: DescriptionNode) {
        self.parent = parent
        self.placement = placement
        self.node = node
    }
}

/// What a map carries for its device tree beyond the address map: the root's properties, the
/// nodes without addresses, and how export writes the tree.
public struct DeviceTreeContent: Hashable, Sendable {
    /// Node names, `compatible` and cell counts are written exactly as the map gives them, with
    /// nothing derived (no `@unit` added, no `simple-bus` or `mmio-sram` appended, no
    /// `/reserved-memory` made): what a map imported from a device tree says, so that its export
    /// is the same tree.
    public var verbatim: Bool
    /// Export writes `/__symbols__` with every label (as `dtc -@` does).
    public var symbols: Bool
    /// The root node's properties besides `#address-cells`, `#size-cells`, `model` and
    /// `compatible` when those follow from the map (`interrupt-parent`, `serial-number`, ...).
    public var properties: [Region.Property]
    /// Description nodes, each below a region or the root.
    public var nodes: [AttachedNode]

    /// Creates the content; everything is empty by default.
    public init(verbatim: Bool = false, symbols: Bool = false, properties: [Region.Property] = [], nodes: [AttachedNode] = []) {
        self.verbatim = verbatim
        self.symbols = symbols
        self.properties = properties
        self.nodes = nodes
    }

    /// Whether there is nothing here.
    public var isEmpty: Bool { !verbatim && !symbols && properties.isEmpty && nodes.isEmpty }
}
