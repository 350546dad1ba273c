import Foundation
import Testing
@testable import SoCMapFile

/// The fast YAML reader must give exactly libyaml's arena (same nodes, text, lines, columns
/// and styles) whenever it accepts a text, and must accept the maps socmap writes.
@Suite("YAML: the fast reader agrees with libyaml")
struct FastYAMLTests {
    enum Outcome: Equatable {
        case declined
        case same
        case different(String)
    }

    /// Runs both readers on `text`.
    static func compare(_ text: String) -> Outcome {
        var copy = text
        return copy.withUTF8 { bytes -> Outcome in
            guard let fast = FastYAML.read(bytes) else { return .declined }
            let slow: YAMLDocument?
            do {
                slow = try YAMLDocument.parseWithLibYAML(UnsafeRawBufferPointer(bytes))
            } catch {
                return .different("libyaml refuses it (\(error)) but the fast reader accepted it")
            }
            guard let slow else { return fast.root < 0 ? .same : .different("libyaml sees no document") }
            if fast.root != slow.root { return .different("roots \(fast.root) vs \(slow.root)") }
            if fast.text != slow.text {
                return .different("text \(String(decoding: fast.text, as: UTF8.self).debugDescription) vs \(String(decoding: slow.text, as: UTF8.self).debugDescription)")
            }
            if fast.children != slow.children { return .different("children differ") }
            if fast.records != slow.records {
                let i = (0..<min(fast.records.count, slow.records.count)).first { fast.records[$0] != slow.records[$0] } ?? min(fast.records.count, slow.records.count)
                return .different("record \(i): \(i < fast.records.count ? "\(fast.records[i])" : "-") vs \(i < slow.records.count ? "\(slow.records[i])" : "-")")
            }
            return .same
        }
    }

    static var corpus: [(String, String)] {
        var texts: [(String, String)] = []
        let folders = ["maps", "Tests/SoCMapFileTests/Fixtures", "Tests/SoCMapFileTests/Fixtures/profiles"]
        for folder in folders {
            let url = packageRoot.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] where name.hasSuffix(".yaml") {
                if let text = try? String(contentsOf: url.appendingPathComponent(name), encoding: .utf8) { texts.append(("\(folder)/\(name)", text)) }
            }
        }
        return texts
    }

    @Test func bundledMapsAndFixturesTakeTheFastPathAndAgree() throws {
        let corpus = Self.corpus
        #expect(corpus.count >= 10)
        for (name, text) in corpus {
            let outcome = Self.compare(text)
            if name.hasPrefix("maps/") { #expect(outcome == .same, "\(name): \(outcome)") } else { #expect(outcome != .different(""), "\(name)") }
            if case .different(let why) = outcome { Issue.record("\(name): \(why)") }
        }
    }

    @Test(arguments: [
        "a: 1\nb: [x, 'y z', \"q\\\"r\\n\", {k: v, l: [1, 2]}]\n",
        "list:\n- one\n- two  # c\n-   three\nnext: {}\nempty: []\n",
        "top:\n  - name: a # c\n    kind: mmio\n  -\n    name: b\n# comment\n\n  - {name: ü, kind: x}\n",
        "notes: |\n  line one\n    indented\n\n  after blank\n\nnext: 1\n",
        "notes: |-\n  kept\n  lines\nfolded: >-\n  one\n  two\n\n  three\nclip: >\n  x\n\n\n",
        "k: a:b\nm: -1\nn: x#y\no: 'it''s'\np: [a:b, c]\nq: ~\nr: \"\"\n",
        "k: v",
        "# only a comment\n",
        "",
        "key with spaces  : value with  spaces   \n",
        "- a\n- - b\n",
        "a: &x 1\nb: *x\n",
        "a: !tag 1\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
        "a: [1, 2,]\n",
        "a: [1, 2\n  , 3]\n",
        "a: 'open\n  quote'\n",
        "a: plain\n  continued\n",
        "---\na: 1\n",
        "a: 1\na: 2\n",
        "a:\tb\n",
        "a: |+\n  x\n\n",
        "a: |2\n   x\n",
        "a: \"\\x41\"\n",
        "{a: 1}\n",
        "a:\n- b\n- c\nd: e\n",
        "a:\n  - b: 1\n    c: [2]\n  - d\n",
        "a: [\"q\", 'r', {s: t}]\n",
        "a: {b: [c, d], e: f}   # trailing\n",
        "a: x # c\n  # indented comment\nb: y\n",
        "é: 1\nb: {c: ü, d: e}\n",
    ])
    func handWrittenCasesAgreeOrAreDeclined(text: String) {
        let outcome = Self.compare(text)
        if case .different(let why) = outcome { Issue.record("\(text.debugDescription): \(why)") }
    }

    /// Small random edits of real maps: whatever the fast reader accepts, libyaml must read the
    /// same way.
    @Test func mutatedMapsAgreeOrAreDeclined() throws {
        // FASTYAML_SEED and FASTYAML_ROUNDS widen the search when working on the reader.
        let environment = ProcessInfo.processInfo.environment
        var rng = SplitMix(seed: environment["FASTYAML_SEED"].flatMap { UInt64($0) } ?? 0x50C_4A9)
        let rounds = environment["FASTYAML_ROUNDS"].flatMap { Int($0) } ?? 150
        let pieces = [":", " ", "#", "-", "'", "\"", "[", "]", "{", "}", ",", "\n", "  ", "|", ">", "&", "*", "a", "\\", "- ", ": "]
        var accepted = 0, total = 0
        for (_, text) in Self.corpus {
            var bytes = Array(text.utf8)
            guard bytes.count > 10 else { continue }
            for _ in 0..<rounds {
                var mutated = bytes
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    let at = Int.random(in: 0..<mutated.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: mutated.remove(at: at)
                    case 1: mutated.insert(contentsOf: pieces.randomElement(using: &rng)!.utf8, at: at)
                    default: mutated.replaceSubrange(at..<(at + 1), with: pieces.randomElement(using: &rng)!.utf8)
                    }
                }
                guard let candidate = String(validating: mutated, as: UTF8.self) else { continue }
                total += 1
                switch Self.compare(candidate) {
                case .same: accepted += 1
                case .declined: break
                case .different(let why):
                    Issue.record("\(why)\n--- text:\n\(candidate)")
                    try? candidate.write(toFile: NSTemporaryDirectory() + "/fastyaml-mismatch.yaml", atomically: true, encoding: .utf8)
                    return
                }
            }
            bytes = []
        }
        #expect(total > 1000 && accepted > total / 10, "accepted \(accepted) of \(total)")
    }
}

/// A seeded generator, so that a failing mutation can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
