public import SoCMap

/// Linux's `/proc/iomem`: the physical ranges the kernel has claimed, two spaces of indent
/// per level of nesting (`start-last : name`, inclusive, in hex).
///
/// The top level is what firmware and drivers requested from the device tree or E820 (System
/// RAM, device registers, PCI host windows); deeper levels are the kernel's own sub-claims
/// inside them (Kernel code, PCI BARs).
public struct ProcIOMem: Sendable, Equatable {
    /// One resource and the resources claimed inside it.
    public struct Resource: Sendable, Equatable {
        /// The claimed range, inclusive.
        public var range: AddressRange
        /// The name Linux gives it (`System RAM`, `9000000.pl011`, `pcie@10000000`).
        public var name: String
        /// The line it was read from.
        public var line: Int
        /// Resources nested inside it.
        public var children: [Resource] = []
    }

    /// The top-level resources, in file order.
    public let resources: [Resource]

    /// Reads `/proc/iomem` text.
    ///
    /// - Throws: `MapInputError` at `file:line:col` for a line that is not `start-last : name`,
    ///   an indent that skips a level or is odd, a range ending before it starts or outside its
    ///   parent, and for a file whose every address is zero (read without `CAP_SYS_ADMIN`).
    public init(parsing text: String, file: String) throws(MapInputError) {
        var roots: [Resource] = []
        // The open resources, outermost first, with their depth.
        var stack: [Resource] = []
        func close(to depth: Int) {
            while stack.count > depth {
                let done = stack.removeLast()
                if stack.isEmpty { roots.append(done) } else { stack[stack.count - 1].children.append(done) }
            }
        }
        var allZero = true
        var count = 0
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = index + 1
            let body = line.drop { $0 == " " }
            if body.isEmpty { continue }
            let indent = line.count - body.count
            guard indent % 2 == 0, indent / 2 <= stack.count else {
                throw Self.error(
                    "indent of \(indent) spaces: expected two per level, at most one level deeper than the line above", file, number, 1)
            }
            guard let (base, last, rest) = TextLine.hexRange(body), rest.hasPrefix(" : ") else {
                throw Self.error("expected `start-last : name` with hex addresses", file, number, indent + 1)
            }
            guard let range = AddressRange(base: base, last: last) else {
                throw Self.error("range ends (\(hex(last))) before it starts (\(hex(base)))", file, number, indent + 1)
            }
            close(to: indent / 2)
            if let parent = stack.last, !parent.range.contains(range) {
                throw Self.error(
                    "\(range) lies outside the resource it is nested in, \(parent.range) (line \(parent.line))", file, number, indent + 1)
            }
            if base != 0 || last != 0 { allZero = false }
            count += 1
            stack.append(Resource(range: range, name: String(rest.dropFirst(3)), line: number))
        }
        close(to: 0)
        guard count > 0 else { throw Self.error("no `start-last : name` line: expected the text of /proc/iomem", file, 1, 1) }
        if allZero && count > 1 {
            throw Self.error("every address is zero: /proc/iomem was read without CAP_SYS_ADMIN; read it as root", file, 1, 1)
        }
        resources = roots
    }

    static func error(_ message: String, _ file: String, _ line: Int, _ column: Int) -> MapInputError {
        TextLine.error("proc-iomem", message, file, line, column)
    }

    /// The region kind of a resource: `System RAM` (and what Linux claims inside it) is
    /// `dram`, a top-level `Reserved`/`reserved` range `reserved`, anything else `mmio`.
    static func kind(of resource: Resource, inside parent: RegionKind?) -> RegionKind {
        if parent == .dram || resource.name == "System RAM" { return .dram }
        if parent == nil && resource.name.lowercased() == "reserved" { return .reserved }
        return .mmio
    }

    /// The resources as a map named after the file: one region per resource, nested as in the
    /// file, named after the resource (characters outside the node-name alphabet become `-`,
    /// repeated names get `@base`), Linux's own name in its notes.
    public func map(source: String) -> AddressMap {
        let name = TextLine.mapName(for: source)
        func regions(_ list: [Resource], parent: RegionKind?) -> [Region] {
            var result = list.map { r in
                let kind = Self.kind(of: r, inside: parent)
                var region = Region(name: TextLine.regionName(r.name), kind: kind, range: r.range)
                region.notes = "/proc/iomem: \(r.name)"
                region.children = regions(r.children, parent: kind)
                return region
            }
            TextLine.uniqueNames(&result)
            return result
        }
        return AddressMap(
            name: name, notes: "The physical ranges Linux claimed (/proc/iomem), read from \(source)",
            regions: regions(resources, parent: nil), source: source)
    }
}
