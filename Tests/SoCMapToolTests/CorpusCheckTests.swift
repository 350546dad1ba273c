import Foundation
import TestSupport
import Testing

/// `socmap check` on whole kernel trees, the way a user checks them: one command for every DTB.
@Suite("socmap check on the kernel's own device trees", .serialized)
struct CorpusCheckTests {
    /// Every arm64 DTB under its `vendor/board.dtb` name, sorted.
    static var arm64: [String] {
        let folder = KernelDTBs.folder
        let names = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".dtb") }
        return names.sorted()
    }

    /// Runs `socmap check` on many files from `folder`, as JSON: each file's ids and severities.
    static func checkAll(_ names: [String], in folder: URL, extra: [String] = []) throws -> (
        status: Int32, files: [(file: String, findings: [(id: String, severity: String, group: [String])])]
    ) {
        let r = try ProcessRunner.run(Tool.executable.path, ["check", "--json"] + extra + names, directory: folder)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [[String: Any]], "\(r.err)")
        let files = objects.map { o in
            let findings = (o["diagnostics"] as? [[String: Any]] ?? []).map {
                (id: $0["check"] as? String ?? "", severity: $0["severity"] as? String ?? "", group: $0["group"] as? [String] ?? [])
            }
            return (file: o["file"] as? String ?? "", findings: findings)
        }
        return (r.status, files)
    }

    /// The arm64 corpus in one command: at most 2 % of DTBs with an error, a median of at most
    /// three lines per DTB, files reported in input order, and per check id how many DTBs it
    /// fires on (printed for the record).
    @Test(.requiresKernelDTBs) func wholeArm64CorpusInOneCommand() throws {
        let names = Self.arm64
        #expect(names.count > 500)
        let (status, files) = try Self.checkAll(names, in: KernelDTBs.folder)
        #expect(files.map(\.file) == names, "per-file results in input order")
        var firesOn: [String: Int] = [:]
        for f in files { for id in Set(f.findings.map(\.id)) { firesOn[id, default: 0] += 1 } }
        let withError = files.filter { $0.findings.contains { $0.severity == "error" } }
        #expect(status == (withError.isEmpty ? 0 : 1))
        // Text: lines per DTB on both streams, summary aside.
        let text = try ProcessRunner.run(Tool.executable.path, ["check"] + names, directory: KernelDTBs.folder)
        var lines: [String: Int] = [:]
        for line in (text.out + text.err).split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            lines[String(line[..<colon]), default: 0] += 1
        }
        let perFile = names.map { lines[$0] ?? 0 }.sorted()
        let median = perFile[perFile.count / 2]
        #expect(text.out.hasSuffix("\n") && text.out.split(separator: "\n").last?.hasPrefix("checked \(names.count) files: ") == true)
        print(
            "check: \(names.count) DTBs in one command, \(withError.count) with an error, median \(median) lines per DTB (max \(perFile.last ?? 0)); DTBs per check id: "
                + firesOn.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        #expect(withError.count * 50 <= names.count, "\(withError.map(\.file))")
        #expect(median <= 3)
        // Juno r2's eight LEDs on one register: one note naming all of them.
        let juno = try #require(files.first { $0.file == "arm/juno-r2.dtb" })
        let shared = juno.findings.filter { $0.group.contains { $0.contains("/led@8,") } }
        #expect(shared.count == 1 && shared.first?.id == "shared-registers" && shared.first?.group.count == 8, "\(juno.findings)")
        // Every ZynqMP board: the zynqmp profile (picked by itself) and no error.
        let zynqmp = files.filter { $0.file.hasPrefix("xilinx/") }
        #expect(zynqmp.count >= 20)
        for f in zynqmp { #expect(!f.findings.contains { $0.severity == "error" }, "\(f.file): \(f.findings)") }
        #expect(text.out.contains("profiles picked by root compatible: ") && text.out.contains("zynqmp (\(zynqmp.count))"))
    }

    /// Every upstream Zynq-7000 board compiled from linux-source: exit 0, and the SLCR's
    /// offset `reg`s are one warning (offset-reg), nothing else, under the zynq-7000 profile.
    @Test(.requiresZynq7000DTBs) func upstreamZynq7000Boards() throws {
        let paths = Zynq7000DTBs.paths
        #expect(paths.count >= 10)
        let (status, files) = try Self.checkAll(paths, in: Zynq7000DTBs.folder)
        #expect(status == 0)
        for f in files {
            #expect(f.findings.map(\.id) == ["offset-reg"] && f.findings.first?.severity == "warning", "\(f.file): \(f.findings)")
        }
        let one = try Tool.run(["check", paths[0]])
        #expect(one.status == 0)
        #expect(one.err.contains("note: checking with profile zynq-7000, picked by the root compatible \"xlnx,zynq-7000\""), "\(one.err)")
        #expect(one.out.split(separator: "\n").count == 2 && one.out.hasSuffix("0 errors, 1 warning\n"), "\(one.out)")
        let none = try Tool.run(["check", "--profile", "none", "--json", paths[0]])
        #expect(none.status == 0 && !none.err.contains("picked"))
    }
}
