extension FlatDeviceTree {
    /// Builds a tree in pre-order: `beginNode`, its properties, its children, `endNode`.
    public struct Builder: Sendable {
        public var reservations: [DeviceTree.Reservation] = []
        public private(set) var nodes: [NodeRecord] = []
        public private(set) var properties: [PropertyRecord] = []
        public private(set) var names: [String] = []
        public private(set) var bytes: [UInt8] = []
        var nameIDs: [String: Int] = [:]
        /// Nodes begun and not yet ended.
        private var open: [Int] = []

        /// An empty builder; `capacity` is a hint in nodes.
        public init(capacity: Int = 0) {
            nodes.reserveCapacity(capacity)
            properties.reserveCapacity(capacity * 2)
            bytes.reserveCapacity(capacity * 24)
        }

        // MARK: Building (pre-order)

        /// Starts a node below the innermost open one (the first node is the root). Properties
        /// must all be added before the node's first child begins.
        @discardableResult
        public mutating func beginNode(_ name: String) -> Int {
            let index = nodes.count
            let start = bytes.count
            bytes.append(contentsOf: name.utf8)
            nodes.append(NodeRecord(nameStart: start, nameCount: bytes.count - start, firstProperty: properties.count, propertyCount: 0, end: index + 1))
            open.append(index)
            return index
        }

        /// Ends the innermost open node.
        public mutating func endNode() {
            let index = open.removeLast()
            nodes[index].end = nodes.count
        }

        /// The id of a property name, interning it.
        public mutating func nameID(_ name: String) -> Int {
            if let id = nameIDs[name] { return id }
            names.append(name)
            nameIDs[name] = names.count - 1
            return names.count - 1
        }

        /// Adds a property to the innermost open node; one of the same name is removed first
        /// (the new one goes last, as `DTNode.set` does).
        public mutating func addProperty(_ name: String, _ value: DTProperty.Value) {
            addProperty(id: nameID(name)) { bytes in
                switch value {
                case .empty: break
                case .strings(let list):
                    for s in list {
                        bytes.append(contentsOf: s.utf8)
                        bytes.append(0)
                    }
                case .cells(let cells): for c in cells { bytes.appendCell(c) }
                case .bytes(let b): bytes.append(contentsOf: b)
                }
            }
        }

        /// Adds a property whose value `write` appends to the byte array; one of the same name
        /// in the innermost open node is removed first.
        public mutating func addProperty(id: Int, _ write: (inout [UInt8]) -> Void) {
            let node = open.last!
            let start = bytes.count
            write(&bytes)
            // The open node's properties are the last ones: its children have not begun.
            if let i = properties[nodes[node].firstProperty...].firstIndex(where: { $0.name == id }) {
                properties.remove(at: i)
            } else {
                nodes[node].propertyCount += 1
            }
            properties.append(PropertyRecord(name: id, valueStart: start, valueCount: bytes.count - start))
        }

        /// The value of the innermost open node's property with name id `id`, if any.
        public func currentNodeValue(_ id: Int) -> ArraySlice<UInt8>? {
            guard let p = properties[nodes[open.last!].firstProperty...].last(where: { $0.name == id }) else { return nil }
            return bytes[p.valueStart..<(p.valueStart + p.valueCount)]
        }

        /// Whether the innermost open node has a property with name id `id`.
        public func currentNodeHas(_ id: Int) -> Bool { currentNodeValue(id) != nil }

        /// Adds NUL-terminated strings.
        public mutating func strings(_ id: Int, _ list: [String]) {
            addProperty(id: id) { bytes in
                for s in list {
                    bytes.append(contentsOf: s.utf8)
                    bytes.append(0)
                }
            }
        }

        /// Adds 32-bit cells.
        public mutating func cells(_ id: Int, _ values: [UInt32]) {
            addProperty(id: id) { bytes in for c in values { bytes.appendCell(c) } }
        }

        /// Adds `address` and `size` with their cell counts (a `reg` entry), without building a
        /// list first.
        public mutating func pair(_ id: Int, _ address: UInt64, _ addressCells: Int, _ size: UInt64, _ sizeCells: Int) {
            addProperty(id: id) { bytes in
                bytes.appendNumber(address, cells: addressCells)
                bytes.appendNumber(size, cells: sizeCells)
            }
        }

        /// Adds numbers, each as the given count of cells.
        public mutating func numbers(_ id: Int, _ values: [(UInt64, Int)]) {
            addProperty(id: id) { bytes in for (value, count) in values { bytes.appendNumber(value, cells: count) } }
        }

        /// Adds an empty property.
        public mutating func empty(_ id: Int) { addProperty(id: id) { _ in } }

        /// Adds a whole `DTNode` subtree below the innermost open node.
        public mutating func add(_ node: DTNode) {
            beginNode(node.name)
            for p in node.properties { addProperty(id: nameID(p.name)) { $0.append(contentsOf: p.bytes) } }
            for c in node.children { add(c) }
            endNode()
        }

        /// Appends the nodes another builder holds (all ended) below the innermost open node.
        public mutating func append(_ other: Builder) {
            guard !other.nodes.isEmpty else { return }
            let nodeShift = nodes.count, propertyShift = properties.count, byteShift = bytes.count
            var ids: [Int] = []
            for name in other.names { ids.append(nameID(name)) }
            bytes.append(contentsOf: other.bytes)
            for p in other.properties {
                properties.append(PropertyRecord(name: ids[p.name], valueStart: p.valueStart + byteShift, valueCount: p.valueCount))
            }
            for n in other.nodes {
                nodes.append(NodeRecord(nameStart: n.nameStart + byteShift, nameCount: n.nameCount, firstProperty: n.firstProperty + propertyShift,
                                        propertyCount: n.propertyCount, end: n.end + nodeShift))
            }
        }

        /// Appends raw node and property records (the libfdt reader's path); `nameStart` and
        /// `valueStart` are filled in here.
        public mutating func appendNode(name: UnsafeRawBufferPointer) -> Int {
            let index = nodes.count, start = bytes.count
            bytes.append(contentsOf: name)
            nodes.append(NodeRecord(nameStart: start, nameCount: name.count, firstProperty: properties.count, propertyCount: 0, end: index + 1))
            return index
        }

        /// Adds a raw property to node `node` (the last node appended).
        public mutating func appendProperty(to node: Int, name id: Int, value: UnsafeRawBufferPointer) {
            let start = bytes.count
            bytes.append(contentsOf: value)
            properties.append(PropertyRecord(name: id, valueStart: start, valueCount: value.count))
            nodes[node].propertyCount += 1
        }

        /// Sets where node `node`'s subtree ends (the libfdt reader's path).
        public mutating func closeNode(_ node: Int) { nodes[node].end = nodes.count }
    }
}
