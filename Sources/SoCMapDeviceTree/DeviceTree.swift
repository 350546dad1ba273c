/// A flattened device tree as one value: nodes in pre-order, each with its properties (a
/// name and raw big-endian bytes, in blob order) and its children, plus the `/memreserve/`
/// block. The libfdt bridge reads and writes it, `DTSWriter` prints it, export builds it and
/// import reads it.
///
/// Inside, the tree is one arena (node and property records, interned property names, one
/// byte array for names and values), so reading a 100 000-node DTB costs a few array appends
/// per node. Outside, it is a plain `Sendable` value addressed through typed handles
/// (`NodeID`); nothing unsafe escapes it. Build one with `DeviceTree.Builder`.
public struct DeviceTree: Sendable {
    /// One `/memreserve/` entry.
    public struct Reservation: Hashable, Sendable {
        /// Start address.
        public var address: UInt64
        /// Length in bytes.
        public var size: UInt64

        /// Creates an entry.
        public init(address: UInt64, size: UInt64) {
            self.address = address
            self.size = size
        }
    }

    /// A typed handle on one node of a tree: its position in pre-order (the root is 0).
    public struct NodeID: Hashable, Comparable, Sendable {
        /// Position in pre-order.
        public let index: Int

        package init(_ index: Int) { self.index = index }

        public static func < (a: NodeID, b: NodeID) -> Bool { a.index < b.index }
    }

    /// An interned property name: looking properties up by it compares integers, not strings.
    public struct Name: Hashable, Sendable {
        let index: Int
    }

    /// One node in the arena: its name in `bytes`, its properties, where its subtree ends.
    package struct NodeRecord: Sendable {
        package var nameStart: Int
        package var nameCount: Int
        package var firstProperty: Int
        package var propertyCount: Int
        /// The index of the first node after this node's subtree.
        package var end: Int
        /// The parent's index, -1 for the root.
        package var parent: Int
    }

    /// One property in the arena: its interned name and its value in `bytes`.
    package struct PropertyRecord: Sendable {
        package var name: Int
        package var valueStart: Int
        package var valueCount: Int
    }

    /// The memory reservation block.
    public var reservations: [Reservation]
    package private(set) var nodes: [NodeRecord]
    package private(set) var properties: [PropertyRecord]
    package private(set) var names: [String]
    private var nameIDs: [String: Int]
    package private(set) var bytes: [UInt8]

    /// A tree holding only an empty root node.
    public init() {
        var builder = Builder()
        builder.beginNode("")
        builder.endNode()
        self = builder.tree()
    }

    init(
        reservations: [Reservation], nodes: [NodeRecord], properties: [PropertyRecord], names: [String], nameIDs: [String: Int],
        bytes: [UInt8]
    ) {
        self.reservations = reservations
        self.nodes = nodes
        self.properties = properties
        self.names = names
        self.nameIDs = nameIDs
        self.bytes = bytes
    }

    // MARK: Nodes

    /// The root node.
    public var root: NodeID { NodeID(0) }

    /// The number of nodes.
    public var nodeCount: Int { nodes.count }

    /// Every node, in pre-order (parents before children, siblings in blob order).
    public var allNodes: [NodeID] { nodes.indices.map(NodeID.init) }

    /// `name@unit`, empty for the root.
    public func name(of node: NodeID) -> String {
        let r = nodes[node.index]
        return String(decoding: bytes[r.nameStart..<(r.nameStart + r.nameCount)], as: UTF8.self)
    }

    /// Whether the node's name is `name`.
    public func node(_ node: NodeID, isNamed name: some StringProtocol) -> Bool {
        let r = nodes[node.index]
        return name.utf8.elementsEqual(bytes[r.nameStart..<(r.nameStart + r.nameCount)])
    }

    /// The part of the name before `@`.
    public func baseName(of node: NodeID) -> String {
        let r = nodes[node.index]
        let name = bytes[r.nameStart..<(r.nameStart + r.nameCount)]
        return String(decoding: name.prefix { $0 != 0x40 }, as: UTF8.self)
    }

    /// The children, in blob order.
    public func children(of node: NodeID) -> Children { Children(nodes: nodes, first: node.index + 1, end: nodes[node.index].end) }

    /// The child named `name`, if any.
    public func child(of node: NodeID, named name: String) -> NodeID? {
        children(of: node).first { self.node($0, isNamed: name) }
    }

    /// The parent, `nil` for the root.
    public func parent(of node: NodeID) -> NodeID? {
        let p = nodes[node.index].parent
        return p >= 0 ? NodeID(p) : nil
    }

    /// The absolute path, `/amba/serial@e0000000` (`/` for the root).
    public func path(of node: NodeID) -> String {
        guard node.index > 0 else { return "/" }
        var parts: [String] = []
        var current = node
        while let parent = parent(of: current) {
            parts.append(name(of: current))
            current = parent
        }
        return "/" + parts.reversed().joined(separator: "/")
    }

    /// The node at an absolute path, walking down from the root.
    public func node(at path: String) -> NodeID? {
        var current = root
        for component in path.split(separator: "/") {
            guard let next = child(of: current, named: String(component)) else { return nil }
            current = next
        }
        return current
    }

    /// The children of a node, as a sequence of handles.
    public struct Children: Sequence, Sendable {
        let nodes: [NodeRecord]
        let first: Int
        let end: Int

        /// Walks the children in blob order.
        public struct Iterator: IteratorProtocol {
            let nodes: [NodeRecord]
            var position: Int
            let end: Int

            public mutating func next() -> NodeID? {
                guard position < end else { return nil }
                defer { position = nodes[position].end }
                return NodeID(position)
            }
        }

        public func makeIterator() -> Iterator { Iterator(nodes: nodes, position: first, end: end) }

        /// Whether there are none.
        public var isEmpty: Bool { first >= end }
    }

    // MARK: Properties

    /// The interned handle of a property name, or `nil` when no property in the tree has it.
    public func name(_ name: String) -> Name? { nameIDs[name].map(Name.init) }

    /// The property named `name` of `node`.
    public func property(_ name: Name, of node: NodeID) -> Property? {
        let r = nodes[node.index]
        for i in r.firstProperty..<(r.firstProperty + r.propertyCount) where properties[i].name == name.index {
            return property(at: i)
        }
        return nil
    }

    /// The property named `name` of `node`.
    public func property(_ name: String, of node: NodeID) -> Property? {
        self.name(name).flatMap { property($0, of: node) }
    }

    /// The properties of `node`, in blob order.
    public func properties(of node: NodeID) -> [Property] {
        let r = nodes[node.index]
        return (r.firstProperty..<(r.firstProperty + r.propertyCount)).map(property(at:))
    }

    /// The number of children of `node`.
    public func childCount(of node: NodeID) -> Int {
        var count = 0
        var child = node.index + 1
        while child < nodes[node.index].end {
            count += 1
            child = nodes[child].end
        }
        return count
    }

    /// The number of properties of `node`.
    public func propertyCount(of node: NodeID) -> Int { nodes[node.index].propertyCount }

    func property(at index: Int) -> Property {
        let p = properties[index]
        return Property(name: names[p.name], slice: bytes[p.valueStart..<(p.valueStart + p.valueCount)])
    }

    /// The interned names of `node`'s properties, in blob order (for callers that classify
    /// properties by name without building strings).
    public func propertyNames(of node: NodeID) -> [Name] {
        let r = nodes[node.index]
        return properties[r.firstProperty..<(r.firstProperty + r.propertyCount)].map { Name(index: $0.name) }
    }

    /// Every distinct property name, by interned handle.
    public var propertyNameTable: [(name: Name, text: String)] { names.enumerated().map { (Name(index: $0.offset), $0.element) } }
}

extension DeviceTree: Hashable {
    /// Two trees are equal when they hold the same reservations and the same nodes with the
    /// same properties in the same order, however they were built.
    public static func == (a: DeviceTree, b: DeviceTree) -> Bool {
        guard a.reservations == b.reservations, a.nodes.count == b.nodes.count else { return false }
        for i in a.nodes.indices {
            let x = a.nodes[i]
            let y = b.nodes[i]
            guard x.end == y.end, x.propertyCount == y.propertyCount,
                a.bytes[x.nameStart..<(x.nameStart + x.nameCount)] == b.bytes[y.nameStart..<(y.nameStart + y.nameCount)]
            else { return false }
            for k in 0..<x.propertyCount where a.property(at: x.firstProperty + k) != b.property(at: y.firstProperty + k) { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(reservations)
        for node in allNodes {
            hasher.combine(name(of: node))
            for p in properties(of: node) { hasher.combine(p) }
        }
    }
}
