/// A device tree held flat, the way a blob holds it: nodes in pre-order, each knowing where
/// its properties and its subtree end, every name and value in one byte array, and property
/// names interned. Building or reading one costs a few array appends per node instead of the
/// arrays per node and per property of `DeviceTree`; import reads it, export writes it, and
/// the libfdt bridge moves it to and from blobs. `DeviceTree` converts both ways.
public final class FlatDeviceTree {
    /// One node: its name in `bytes`, its properties, and the index just past its subtree.
    public struct NodeRecord: Sendable {
        public var nameStart: Int
        public var nameCount: Int
        public var firstProperty: Int
        public var propertyCount: Int
        /// The index of the first node after this node's subtree.
        public var end: Int
    }

    /// One property: its interned name and its value in `bytes`.
    public struct PropertyRecord: Sendable {
        public var name: Int
        public var valueStart: Int
        public var valueCount: Int
    }

    /// The memory reservation block.
    public let reservations: [DeviceTree.Reservation]
    /// Nodes in pre-order; the root is node 0.
    public let nodes: [NodeRecord]
    public let properties: [PropertyRecord]
    /// Distinct property names, by id.
    public let names: [String]
    /// Node names and property values.
    public let bytes: [UInt8]
    private let nameIDs: [String: Int]

    /// The tree `builder` holds.
    public init(_ builder: Builder) {
        reservations = builder.reservations
        nodes = builder.nodes
        properties = builder.properties
        names = builder.names
        bytes = builder.bytes
        nameIDs = builder.nameIDs
    }

    /// The id of a property name, or `nil` when no property has it.
    public func id(of name: String) -> Int? { nameIDs[name] }

    // MARK: Reading

    /// The root node.
    public var root: Node { Node(tree: self, index: 0) }

    /// The absolute path of node `index`.
    public func path(of index: Int) -> String {
        guard index > 0 && index < nodes.count else { return "/" }
        var path = "", current = 0
        while current != index {
            var child = current + 1
            while nodes[child].end <= index { child = nodes[child].end }
            path += "/" + Node(tree: self, index: child).name
            current = child
        }
        return path
    }

    /// A node of the tree.
    public struct Node {
        // Nodes live while their tree does (readers hold the tree); unowned(unsafe) keeps
        // reference counting off the walk.
        public unowned(unsafe) let tree: FlatDeviceTree
        public let index: Int

        /// A node of `tree`.
        public init(tree: FlatDeviceTree, index: Int) {
            self.tree = tree
            self.index = index
        }

        var record: NodeRecord { tree.nodes[index] }

        /// The property with name id `id`, if present.
        @inline(__always)
        public func property(_ id: Int) -> Property? {
            let r = record
            for i in r.firstProperty..<(r.firstProperty + r.propertyCount) where tree.properties[i].name == id {
                return Property(tree: tree, index: i)
            }
            return nil
        }

        /// The absolute path (`/amba/serial@e0000000`), found by descending from the root.
        public var path: String { tree.path(of: index) }

        /// `name@unit`, empty for the root.
        public var name: String {
            let r = record
            return tree.bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[r.nameStart..<(r.nameStart + r.nameCount)]), as: UTF8.self) }
        }

        /// Whether the name is `name`.
        public func hasName<S: StringProtocol>(_ name: S) -> Bool {
            let r = record
            let stored = tree.bytes[r.nameStart..<(r.nameStart + r.nameCount)]
            return name.utf8.elementsEqual(stored)
        }

        /// The part of the name before `@`.
        public var baseName: String { String(name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }

        /// The children, in blob order.
        public var children: Children { Children(tree: tree, first: index + 1, end: record.end) }

        /// The indices of the properties in `tree.properties`.
        public var propertyIndices: Range<Int> {
            let r = record
            return r.firstProperty..<(r.firstProperty + r.propertyCount)
        }

        /// The properties, in blob order.
        public var properties: [Property] {
            let r = record
            return (r.firstProperty..<(r.firstProperty + r.propertyCount)).map { Property(tree: tree, index: $0) }
        }

        /// The property named `name`, if present.
        public subscript(name: String) -> Property? {
            guard let id = tree.id(of: name) else { return nil }
            return property(id)
        }

    }

    /// The children of a node.
    public struct Children: Sequence {
        let tree: FlatDeviceTree
        let first: Int
        let end: Int

        public struct Iterator: IteratorProtocol {
            let tree: FlatDeviceTree
            var position: Int
            let end: Int
            public mutating func next() -> Node? {
                guard position < end else { return nil }
                let node = Node(tree: tree, index: position)
                position = tree.nodes[position].end
                return node
            }
        }

        public func makeIterator() -> Iterator { Iterator(tree: tree, position: first, end: end) }

        /// Whether there are none.
        public var isEmpty: Bool { first >= end }
    }

    /// A property of the tree.
    public struct Property {
        public unowned(unsafe) let tree: FlatDeviceTree
        public let index: Int

        /// Property `index` of `tree`.
        public init(tree: FlatDeviceTree, index: Int) {
            self.tree = tree
            self.index = index
        }

        var record: PropertyRecord { tree.properties[index] }

        /// Calls `body` with the raw value.
        @inline(__always)
        public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            let r = record
            return tree.bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[r.valueStart..<(r.valueStart + r.valueCount)])) }
        }

        /// The name.
        public var name: String { tree.names[record.name] }

        /// The raw value.
        public var bytes: ArraySlice<UInt8> {
            let r = record
            return tree.bytes[r.valueStart..<(r.valueStart + r.valueCount)]
        }

        /// The value's length in bytes.
        public var count: Int { record.valueCount }

        /// Cell `i` (big-endian); the caller checks `count`.
        public func cell(_ i: Int) -> UInt32 {
            let at = record.valueStart + 4 * i
            return tree.bytes.withUnsafeBufferPointer { b in
                UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
            }
        }

        /// A number of `count` cells starting at cell `i`, keeping the low 64 bits as Linux does.
        public func number(at i: Int, count: Int) -> UInt64 {
            var value: UInt64 = 0
            for c in max(i, i + count - 2)..<(i + count) { value = value << 32 | UInt64(cell(c)) }
            return value
        }

        /// The value as 32-bit cells, or `nil` when the length is not a multiple of 4.
        public var cells: [UInt32]? {
            guard count % 4 == 0 else { return nil }
            return (0..<(count / 4)).map(cell)
        }

        /// The value as a list of strings, or `nil` when it is not NUL-terminated UTF-8 text.
        public var strings: [String]? { withBytes { DTProperty.strings(in: $0) } }

        /// The first string, if the value is text.
        public var string: String? { strings?.first }

        /// A single cell value, if the property is exactly one cell.
        public var u32: UInt32? { count == 4 ? cell(0) : nil }

        /// A single string holding space-separated words (how annotations store lists).
        public var words: [String]? { string.map { $0.split(separator: " ").map(String.init) } }
    }
}

extension FlatDeviceTree {
    /// The flat form of `tree`.
    public convenience init(_ tree: DeviceTree) {
        var builder = Builder()
        builder.reservations = tree.reservations
        func add(_ node: DTNode) {
            builder.beginNode(node.name)
            for p in node.properties { builder.addProperty(id: builder.nameID(p.name)) { $0.append(contentsOf: p.bytes) } }
            for c in node.children { add(c) }
            builder.endNode()
        }
        add(tree.root)
        self.init(builder)
    }
}

extension DeviceTree {
    /// The value form of a flat tree.
    public init(_ flat: FlatDeviceTree) {
        func node(_ n: FlatDeviceTree.Node) -> DTNode {
            DTNode(name: n.name, properties: n.properties.map { DTProperty(name: $0.name, bytes: Array($0.bytes)) }, children: n.children.map(node))
        }
        self.init(reservations: flat.reservations, root: flat.nodes.isEmpty ? DTNode(name: "") : node(flat.root))
    }
}

extension [UInt8] {
    /// Appends a big-endian 32-bit cell.
    @inline(__always)
    public mutating func appendCell(_ c: UInt32) {
        append(UInt8(truncatingIfNeeded: c >> 24))
        append(UInt8(truncatingIfNeeded: c >> 16))
        append(UInt8(truncatingIfNeeded: c >> 8))
        append(UInt8(truncatingIfNeeded: c))
    }

    /// Appends a number as `count` big-endian cells (the high ones zero beyond 64 bits).
    @inline(__always)
    public mutating func appendNumber(_ value: UInt64, cells count: Int) {
        for i in stride(from: count - 1, through: 0, by: -1) {
            appendCell(i >= 2 ? 0 : UInt32(truncatingIfNeeded: value >> (32 * UInt64(i))))
        }
    }
}
