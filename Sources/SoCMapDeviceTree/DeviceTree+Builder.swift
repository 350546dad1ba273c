extension DeviceTree {
    /// Builds a tree in pre-order: `beginNode`, the node's properties, its children,
    /// `endNode`. The first node begun is the root.
    ///
    /// Misuse (a property outside any node or after the node's first child, an `endNode`
    /// without its `beginNode`, a second root, nodes left open) never corrupts the tree:
    /// the builder ignores the offending call and `finish()` throws the first such mistake.
    public struct Builder: Sendable {
        /// The memory reservation block.
        public var reservations: [Reservation] = []
        private var nodes: [NodeRecord] = []
        private var properties: [PropertyRecord] = []
        private var names: [String] = []
        private var nameIDs: [String: Int] = [:]
        private var bytes: [UInt8] = []
        /// Nodes begun and not yet ended.
        private var open: [Int] = []
        /// Whether the innermost open node has begun a child (its properties are then closed).
        private var childBegun = false
        private var misuse: BuildError?

        /// An empty builder; `capacity` is a hint in nodes.
        public init(capacity: Int = 0) {
            nodes.reserveCapacity(capacity)
            properties.reserveCapacity(capacity * 2)
            bytes.reserveCapacity(capacity * 24)
        }

        /// A mistake in the order of builder calls.
        public struct BuildError: Error, Hashable, Sendable, CustomStringConvertible {
            /// What went wrong.
            public let message: String
            /// One line.
            public var description: String { "device tree built out of order: \(message)" }
        }

        private mutating func fail(_ message: @autoclosure () -> String) {
            if misuse == nil { misuse = BuildError(message: message()) }
        }

        private mutating func misplaced(_ name: Name) {
            let text = names[name.index]
            let message = open.isEmpty ? "property '\(text)' outside any node" : "property '\(text)' after the node's first child"
            fail(message)
        }

        // MARK: Nodes

        /// Starts a node below the innermost open one (the first node is the root, named "").
        public mutating func beginNode(_ name: String) {
            var name = name
            name.withUTF8 { beginNode(bytes: UnsafeRawBufferPointer($0)) }
        }

        /// `beginNode` with the name as raw bytes (the libfdt reader's path).
        package mutating func beginNode(bytes name: UnsafeRawBufferPointer) {
            guard !open.isEmpty || nodes.isEmpty else { return fail("a second root node") }
            let index = nodes.count
            let start = bytes.count
            bytes.append(contentsOf: name)
            nodes.append(
                NodeRecord(
                    nameStart: start, nameCount: name.count, firstProperty: properties.count, propertyCount: 0, end: index + 1,
                    parent: open.last ?? -1))
            open.append(index)
            childBegun = false
        }

        /// Ends the innermost open node.
        public mutating func endNode() {
            guard let index = open.popLast() else { return fail("endNode without an open node") }
            nodes[index].end = nodes.count
            childBegun = true
        }

        /// Begins a node, lets `body` add its properties and children, and ends it.
        public mutating func node(_ name: String, _ body: (inout Builder) -> Void) {
            beginNode(name)
            body(&self)
            endNode()
        }

        /// Copies node `node` of `tree` and its subtree below the innermost open node.
        public mutating func append(_ node: NodeID, of tree: DeviceTree) {
            beginNode(tree.name(of: node))
            for p in tree.properties(of: node) { setProperty(name(p.name)) { $0.append(contentsOf: p.value) } }
            for child in tree.children(of: node) { append(child, of: tree) }
            endNode()
        }

        // MARK: Properties

        /// The interned handle of a property name.
        public mutating func name(_ name: String) -> Name {
            if let id = nameIDs[name] { return Name(index: id) }
            names.append(name)
            nameIDs[name] = names.count - 1
            return Name(index: names.count - 1)
        }

        /// Sets a property of the innermost open node; one of the same name is replaced (the
        /// new one goes last).
        public mutating func setProperty(_ name: String, _ value: Value) {
            setProperty(self.name(name), value)
        }

        /// Sets a property of the innermost open node from a typed value.
        public mutating func setProperty(_ name: Name, _ value: Value) {
            setProperty(name) { value.append(to: &$0) }
        }

        /// Sets a property of the innermost open node from raw bytes.
        public mutating func setProperty(_ name: String, bytes value: some Sequence<UInt8>) {
            setProperty(self.name(name)) { $0.append(contentsOf: value) }
        }

        /// Sets a property whose value `write` appends to the given bytes.
        public mutating func setProperty(_ name: Name, _ write: (inout [UInt8]) -> Void) {
            guard let node = open.last, !childBegun else { return misplaced(name) }
            let start = bytes.count
            write(&bytes)
            // The open node's properties are the last ones: its children have not begun.
            if let i = properties[nodes[node].firstProperty...].firstIndex(where: { $0.name == name.index }) {
                properties.remove(at: i)
            } else {
                nodes[node].propertyCount += 1
            }
            properties.append(PropertyRecord(name: name.index, valueStart: start, valueCount: bytes.count - start))
        }

        /// Adds a property read from a blob to the innermost open node without looking for
        /// one of the same name (the libfdt reader's path; blobs cannot repeat a name).
        package mutating func appendProperty(_ name: Name, bytes value: UnsafeRawBufferPointer) {
            guard let node = open.last, !childBegun else { return fail("a property outside its node's property list") }
            let start = bytes.count
            bytes.append(contentsOf: value)
            properties.append(PropertyRecord(name: name.index, valueStart: start, valueCount: value.count))
            nodes[node].propertyCount += 1
        }

        /// The value of the innermost open node's property `name`, if set.
        public func currentValue(_ name: Name) -> ArraySlice<UInt8>? {
            guard let node = open.last, !childBegun,
                let p = properties[nodes[node].firstProperty...].last(where: { $0.name == name.index })
            else { return nil }
            return bytes[p.valueStart..<(p.valueStart + p.valueCount)]
        }

        /// Whether nodes are still open.
        public var isOpen: Bool { !open.isEmpty }

        /// The tree built.
        ///
        /// - Throws: `BuildError` for the first call made out of order, or when no root was
        ///   built or nodes are still open.
        public func finish() throws(BuildError) -> DeviceTree {
            if let misuse { throw misuse }
            guard !nodes.isEmpty else { throw BuildError(message: "no root node") }
            guard open.isEmpty else { throw BuildError(message: "\(open.count) node(s) left open") }
            return tree()
        }

        /// The tree, for builders whose calls are balanced by construction.
        func tree() -> DeviceTree {
            // The exporters balance their calls by construction; a misplaced property is a bug.
            assert(misuse == nil, "\(misuse!)")
            return DeviceTree(
                reservations: reservations, nodes: nodes, properties: properties, names: names, nameIDs: nameIDs, bytes: bytes)
        }
    }
}

extension DeviceTree.Builder {
    // Shorthands for the value shapes the exporters write, without building a `Value` array.

    mutating func cells(_ name: DeviceTree.Name, _ values: [UInt32]) {
        setProperty(name) { bytes in for c in values { BigEndian.appendCell(c, to: &bytes) } }
    }

    mutating func strings(_ name: DeviceTree.Name, _ list: [String]) { setProperty(name, .strings(list)) }

    mutating func empty(_ name: DeviceTree.Name) { setProperty(name) { _ in } }

    mutating func setProperty(_ name: DeviceTree.Name, bytes value: some Sequence<UInt8>) {
        setProperty(name) { bytes in bytes.append(contentsOf: value) }
    }

    /// A `reg`-style pair: `address` and `size` with their cell counts.
    mutating func pair(_ name: DeviceTree.Name, _ address: UInt64, _ addressCells: Int, _ size: UInt64, _ sizeCells: Int) {
        setProperty(name) { bytes in
            BigEndian.appendNumber(address, cells: addressCells, to: &bytes)
            BigEndian.appendNumber(size, cells: sizeCells, to: &bytes)
        }
    }

    mutating func numbers(_ name: DeviceTree.Name, _ values: [(UInt64, Int)]) {
        setProperty(name) { bytes in for (value, count) in values { BigEndian.appendNumber(value, cells: count, to: &bytes) } }
    }
}
