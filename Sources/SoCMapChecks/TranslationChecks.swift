import SoCMap

/// Checks about how children reach their parent's space (`ranges`, unit addresses, limits).
enum TranslationChecks {
    /// Children whose start address no window of their parent translates.
    static func outsideWindows(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.flatMap { parent -> [Finding] in
            guard case .windows(let ws) = parent.region.translation else { return [] }
            return parent.children.compactMap { child in
                guard let range = c.tree[child].region.range ?? c.resolved.extent(of: child),
                    !ws.contains(where: { $0.childRange.contains(range.base) })
                else { return nil }
                let windows = ws.map { $0.childRange.description }.joined(separator: ", ")
                // A device tree that boots has such nodes only where no driver maps the
                // registers (a firmware-managed controller): a warning there.
                let dt = c.map.overlapRule == .deviceTree
                return Finding(
                    "starts at \(hex(range.base)), outside every ranges window of '\(parent.name)' (\(windows)): unreachable"
                        + (dt ? "; Linux gives the node no memory resource, so a driver that maps it fails" : ""), region: child,
                    severity: dt ? .warning : nil)
            }
        }
    }

    static func windowStraddles(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.flatMap { parent -> [Finding] in
            guard case .windows(let ws) = parent.region.translation else { return [] }
            return parent.children.compactMap { child in
                guard let range = c.tree[child].region.range ?? c.resolved.extent(of: child),
                    let w = ws.first(where: { $0.childRange.contains(range.base) }), range.last > w.childRange.last
                else { return nil }
                return Finding("\(range) runs past the end of ranges window \(w.childRange) of '\(parent.name)'", region: child)
            }
        }
    }

    static func outsideParents(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.flatMap { parent -> [Finding] in
            guard let bounds = parent.region.range, parent.region.clipsChildren else { return [] }
            return parent.children.compactMap { child in
                guard let range = c.resolved.extent(of: child), let placed = c.resolved.translate(range, through: parent.id),
                    !bounds.contains(placed)
                else { return nil }
                let how = placed.overlaps(bounds) ? "partly outside" : "outside"
                return Finding("\(placed) lies \(how) its parent '\(parent.name)' \(bounds); the excess is clipped", region: child)
            }
        }
    }

    static func addressBits(_ c: CheckContext) -> [Finding] {
        let limit = c.map.addressLimit
        guard limit != .max else { return [] }
        return c.tree.nodes.compactMap { node in
            guard let placed = c.placement(of: node.id), placed.last > limit,
                // Report the outermost offender only.
                !c.tree.ancestors(of: node.id).contains(where: { (c.placement(of: $0)?.last ?? 0) > limit })
            else { return nil }
            return Finding("\(placed) reaches above the \(c.map.addressBits)-bit limit \(hex(limit))", region: node.id)
        }
    }

    static func rangesOverlaps(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.flatMap { node -> [Finding] in
            guard case .windows(let ws) = node.region.translation, ws.count > 1 else { return [] }
            var out: [Finding] = []
            for i in ws.indices {
                for j in ws.indices where j > i && ws[i].parentRange.overlaps(ws[j].parentRange) {
                    out.append(
                        Finding(
                            "ranges windows \(i) and \(j) both map onto \(ws[i].parentRange.intersection(ws[j].parentRange)!)",
                            region: node.id, location: ws[j].location))
                }
            }
            return out
        }
    }

    static func unitAddresses(_ c: CheckContext) -> [Finding] {
        c.tree.nodes.compactMap { node in
            // dtc's simple_bus_reg: children of simple buses (an imported tree's MDIO, I2C or SPI
            // bus has its own unit-address rules).
            guard let parent = node.parent, c.tree[parent].kind == .bus,
                c.map.overlapRule == .priority || c.tree[parent].region.compatible.contains("simple-bus"),
                let at = node.name.firstIndex(of: "@")
            else { return nil }
            let unit = String(node.name[node.name.index(after: at)...])
            // Only plain hex units (NAME@UNIT.N companions and multi-cell units are not dtc's case).
            guard unit.allSatisfy(\.isHexDigit) else { return nil }
            let expected: UInt64?
            if let range = node.region.range {
                expected = range.base
            } else if case .windows(let ws) = node.region.translation {
                expected = ws.first?.parentRange.base
            } else {
                expected = nil
            }
            guard let expected, unit != paddedHex(expected, width: 1) else { return nil }
            return Finding(
                "unit address @\(unit) does not match the first reg address \(hex(expected)) (dtc simple_bus_reg expects @\(paddedHex(expected, width: 1)))",
                region: node.id)
        }
    }
}
