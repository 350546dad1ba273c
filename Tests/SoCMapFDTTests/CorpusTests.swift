import Foundation
import SoCMap
import SoCMapDeviceTree
import SoCMapFDT
import TestSupport
import Testing

/// Debian's arm64 kernel device trees (`scripts/fetch-artefacts` puts them in `.cache/corpus/arm64`,
/// or `$SOCMAP_CACHE/corpus/arm64`), checked against `Corpus/oracle.py`, which follows Linux's
/// `of_translate_address` with pylibfdt and shares no code with socmap.
enum Corpus {
    static var folder: URL { KernelDTBs.folder }

    /// The oracle needs Debian's python3 with python3-libfdt.
    static var oracleRuns: Bool {
        (try? ProcessRunner.run("/usr/bin/python3", ["-c", "import libfdt"]).status) == 0
    }

    static let oracle = packageRoot.appendingPathComponent("Tests/SoCMapFDTTests/Corpus/oracle.py")

    /// One `reg` entry as the oracle translates it.
    struct Entry {
        let index: Int
        let range: AddressRange?
        /// Linux inherited a missing `#address-cells`/`#size-cells` from an ancestor where
        /// socmap, like the specification, takes the defaults 2/1 (and warns): not compared.
        let cellsDefaulted: Bool
    }

    /// The oracle's answer for one DTB: every node with `reg`, by path.
    struct Answer {
        let dtb: String
        let nodes: [(path: String, entries: [Entry])]
    }

    static func answers() throws -> [Answer] {
        let run = try ProcessRunner.run("/usr/bin/python3", [oracle.path, folder.path])
        guard run.status == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "oracle failed: \(run.err)"])
        }
        return try run.out.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            let nodes = (object["nodes"] as? [[String: Any]] ?? []).map { node in
                let entries = (node["entries"] as? [[String: Any]] ?? []).map { e -> Entry in
                    let defaulted = e["cellsDefaulted"] as? Bool == true
                    let usable = e["translated"] as? Bool == true && !defaulted
                    let base = (e["base"] as? String).flatMap(parseAddress)
                    let last = (e["last"] as? String).flatMap(parseAddress)
                    return Entry(
                        index: e["index"] as? Int ?? -1,
                        range: usable ? base.flatMap { b in last.flatMap { AddressRange(base: b, last: $0) } } : nil,
                        cellsDefaulted: defaulted)
                }
                return (path: node["path"] as? String ?? "", entries: entries)
            }
            return Answer(dtb: object["dtb"] as? String ?? "", nodes: nodes)
        }
    }
}

/// What checking one DTB found.
struct CorpusResult: Sendable {
    var refused = 0
    var warnings = 0
    var entries = 0
    var probes = 0
    var defaulted = 0
    var identical = 0
    var problems: [String] = []

    static func + (a: CorpusResult, b: CorpusResult) -> CorpusResult {
        CorpusResult(
            refused: a.refused + b.refused, warnings: a.warnings + b.warnings, entries: a.entries + b.entries, probes: a.probes + b.probes,
            defaulted: a.defaulted + b.defaulted, identical: a.identical + b.identical, problems: a.problems + b.problems)
    }
}

@Suite("Debian's arm64 kernel device trees, read as Linux reads them")
struct CorpusTests {
    /// Every DTB imports; import → export → import is a fixed point; the first, middle and last
    /// address of every `reg` entry Linux translates decodes to that node and entry (as the
    /// unit, as another claimant, or as a disabled unit); and socmap places no entry that Linux
    /// cannot translate.
    @Test(
        .requiresKernelDTBs, .requiresDtc,
        .enabled(if: Corpus.oracleRuns, "the oracle needs /usr/bin/python3 with python3-libfdt (Debian: python3-libfdt)"))
    func everyDTBAgreesWithLinux() async throws {
        let started = Date()
        let answers = try Corpus.answers()
        #expect(answers.count > 500)
        let total = await withTaskGroup(of: CorpusResult.self) { group in
            for chunk in 0..<4 {
                group.addTask {
                    stride(from: chunk, to: answers.count, by: 4).map { Self.check(answers[$0]) }.reduce(CorpusResult(), +)
                }
            }
            return await group.reduce(CorpusResult(), +)
        }
        let seconds = Date().timeIntervalSince(started)
        print(
            "corpus: \(answers.count) DTBs, \(total.refused) refused, \(total.identical) exported identical (dtc -s), \(total.warnings) warnings, \(total.entries) translated reg entries, "
                + "\(total.probes) probes, \(total.defaulted) entries under defaulted cells not compared, \(total.problems.count) disagreements, \(String(format: "%.1f", seconds)) s"
        )
        if let dump = ProcessInfo.processInfo.environment["SOCMAP_CORPUS_REPORT"] {
            try? total.problems.joined(separator: "\n").write(toFile: dump, atomically: true, encoding: .utf8)
        }
        #expect(total.refused == 0)
        #expect(total.problems.isEmpty, "\(total.problems.prefix(30).joined(separator: "\n"))")
    }

    static func check(_ answer: Corpus.Answer) -> CorpusResult {
        var result = CorpusResult()
        let name = String(answer.dtb.dropFirst(Corpus.folder.path.count + 1))
        let first: DeviceTreeImport
        do {
            first = try DeviceTreeFiles.importMap(path: answer.dtb)
        } catch {
            result.refused += 1
            result.problems.append("\(name): refused: \(error)")
            return result
        }
        result.warnings = first.warnings.count
        do {
            let blob = try FDTWriter.write(DeviceTreeExport.tree(of: first.map))
            let second = DeviceTreeImport(tree: try FDTReader.read(blob), source: name).map
            if second.withoutLocations() != first.map.withoutLocations() {
                result.problems.append("\(name): import → export → import changes the map")
            }
            // The exported tree is the input tree: dtc prints the same sorted source.
            let input = try sortedSource(ofBlob: Array(try Data(contentsOf: URL(fileURLWithPath: answer.dtb))))
            if try sortedSource(ofBlob: blob) != input {
                result.problems.append("\(name): dtc -I dtb -O dts -s differs between the input and import → export")
            } else {
                result.identical += 1
            }
        } catch {
            result.problems.append("\(name): export failed: \(error)")
        }
        let router: Router
        do { router = try Router(map: first.map) } catch {
            result.problems.append("\(name): no router: \(error)")
            return result
        }
        var linux: [String: [Int: AddressRange?]] = [:]
        for node in answer.nodes {
            for e in node.entries where !e.cellsDefaulted { linux[node.path, default: [:]][e.index] = e.range }
            for e in node.entries {
                if e.cellsDefaulted { result.defaulted += 1 }
                guard let range = e.range else { continue }
                result.entries += 1
                for address in [range.base, range.base + (range.last - range.base) / 2, range.last] {
                    result.probes += 1
                    let a = PhysicalAddress(address)
                    let claims = router.claims(at: a) + router.disabledClaims(at: a)
                    let named = claims.contains { router[$0.unit].path == node.path && $0.entry == e.index }
                    if !named {
                        let got = claims.map { "\(router[$0.unit].path)#\($0.entry)" }.joined(separator: ", ")
                        result.problems.append(
                            "\(name): \(hex(address)) should name \(node.path) reg \(e.index) \(range); socmap names [\(got)]")
                    }
                }
            }
        }
        // The other way round: what socmap places, Linux translates to the same range.
        for node in router.tree.nodes where node.kind != .pcie && node.kind != .bus {
            let placed = router.entryPlacements(of: node.id)
            let disabledPlace = router.disabledPlacement(of: node.id)
            for (k, p) in placed.enumerated() {
                guard let p = p ?? (k == 0 ? disabledPlace : nil), let known = linux[node.path], let expected = known[k] else { continue }
                if expected == nil || p.base != expected!.base {
                    result.problems.append(
                        "\(name): socmap places \(node.path) reg \(k) at \(p), Linux at \(expected.map { "\($0)" } ?? "no address")")
                }
            }
        }
        return result
    }
}
