/// Finds a map's structural problems (`MapProblem`): what makes names or references in it
/// ambiguous or broken. One pass per kind, in tree order.
struct StructuralValidation {
    let map: AddressMap
    let tree: RegionTree

    var problems: [MapProblem] {
        duplicateNames() + unknownInitiators() + unknownSwitches() + aliasTargets() + aliasCycles()
    }

    private func problem(_ kind: MapProblem.Kind, _ message: String, _ id: RegionID) -> MapProblem {
        MapProblem(kind, message, region: id, path: tree[id].path, location: tree[id].region.location)
    }

    func duplicateNames() -> [MapProblem] {
        var found: [MapProblem] = []
        for siblings in tree.siblingGroups where siblings.count > 1 {
            var seen: [String: RegionID] = [:]
            for id in siblings {
                let name = tree[id].name
                if let first = seen[name] {
                    found.append(
                        problem(
                            .duplicateName,
                            "a sibling named '\(name)' is already declared at \(tree[first].region.location?.description ?? "an earlier entry")",
                            id))
                } else {
                    seen[name] = id
                }
            }
        }
        return found
    }

    func unknownInitiators() -> [MapProblem] {
        let known = map.initiators.map(\.name)
        return tree.nodes.flatMap { node in
            (node.region.seenBy ?? []).filter { !known.contains($0) }.map { name in
                problem(
                    .unknownInitiator,
                    "seen-by names unknown initiator '\(name)'"
                        + suggestion(for: name, among: known, none: "the map declares no initiators"), node.id)
            }
        }
    }

    func unknownSwitches() -> [MapProblem] {
        tree.nodes.flatMap { node -> [MapProblem] in
            guard let condition = node.region.condition else { return [] }
            return condition.comparisons.compactMap { name, value in
                guard let s = map.switchNamed(name) else {
                    return problem(
                        .unknownSwitch,
                        "condition names unknown switch '\(name)'" + didYouMeanSuffix(name, among: map.switches.map(\.name)), node.id)
                }
                guard s.values.contains(value) else {
                    return problem(
                        .unknownSwitch,
                        "switch '\(name)' cannot be '\(value)' (values: \(s.values.joined(separator: ", ")))"
                            + didYouMeanSuffix(value, among: s.values), node.id)
                }
                return nil
            }
        }
    }

    func aliasTargets() -> [MapProblem] {
        tree.nodes.compactMap { node in
            guard let alias = node.region.alias else { return nil }
            guard let target = tree.resolve(alias.path) else {
                var text = "alias target: " + tree.explainUnresolved(alias.path)
                if !alias.path.hasPrefix("/") { text += didYouMeanSuffix(alias.path, among: tree.allNames) }
                return problem(.aliasTarget, text, node.id)
            }
            let base = tree[target].region.range?.base ?? 0
            guard !base.addingReportingOverflow(alias.offset).overflow else {
                return problem(
                    .aliasTarget, "alias offset \(hex(alias.offset)) into \(tree[target].path) runs past 0xffff_ffff_ffff_ffff", node.id)
            }
            return nil
        }
    }

    /// Aliases whose target subtree holds an alias that leads back to them.
    func aliasCycles() -> [MapProblem] {
        var edges: [RegionID: [RegionID]] = [:]
        for node in tree.nodes {
            guard let alias = node.region.alias, let target = tree.resolve(alias.path) else { continue }
            edges[node.id] = tree.subtree(target).filter { tree[$0].kind == .alias }
        }
        var found: [MapProblem] = []
        for start in edges.keys.sorted() {
            // Depth-first search for a path back to `start`.
            var stack: [(RegionID, [RegionID])] = [(start, [start])]
            var visited: Set<RegionID> = []
            search: while let (node, path) = stack.popLast() {
                for next in edges[node] ?? [] {
                    if next == start {
                        found.append(
                            problem(
                                .aliasCycle, "alias reaches itself: " + (path + [start]).map { tree[$0].path }.joined(separator: " -> "),
                                start))
                        break search
                    }
                    if visited.insert(next).inserted { stack.append((next, path + [next])) }
                }
            }
        }
        return found
    }
}
