import Foundation

/// Whole kernel trees of real DTBs (Debian's arm64 corpus from scripts/fetch-artefacts): one
/// `socmap check` / `socmap import -o DIR` for all of them against dtc run once per file, and
/// one small real tree imported alone against dtc.
struct KernelTreeResult {
    let files: Int
    /// `socmap check` on every DTB in one process.
    let checkAll: Double
    /// `socmap import` of every DTB into a folder in one process.
    let importAll: Double
    /// `dtc -I dtb -O dts` once per DTB, one after another (what a script does today).
    let dtcLoop: Double
    /// `socmap import` once per DTB, one after another.
    let importLoop: Double
    /// One tree imported alone, and dtc on it, medians.
    let single: (name: String, socmap: Double, dtc: Double)
    /// `socmap --help`: the start-up and argument parsing every command pays.
    let help: Double
    /// A static swift-argument-parser program parsing the same `import` command line, doing
    /// nothing: the floor under any Swift CLI built on it (`nil` when not built).
    let parserFloor: Double?
}

/// The corpus folder: `$SOCMAP_CACHE/corpus/arm64`, else the package's `.cache/corpus/arm64`.
func kernelCorpus(root: URL) -> URL? {
    let cache =
        ProcessInfo.processInfo.environment["SOCMAP_CACHE"].map { URL(fileURLWithPath: $0) } ?? root.appendingPathComponent(".cache")
    let corpus = cache.appendingPathComponent("corpus/arm64")
    return FileManager.default.fileExists(atPath: corpus.appendingPathComponent("SOURCE").path) ? corpus : nil
}

func benchmarkKernelTrees(socmap: String, corpus: URL, folder: URL, quick: Bool) throws -> KernelTreeResult {
    let names = (FileManager.default.enumerator(atPath: corpus.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".dtb") }
        .sorted()
    let paths = names.map { corpus.appendingPathComponent($0).path }
    let repeats = quick ? 1 : 3
    let checkAll = try measureProcess(repeats, socmap, ["check"] + paths)
    let out = folder.appendingPathComponent("imported")
    let importAll = try measureProcess(repeats, socmap, ["import"] + paths + ["-o", out.path])
    try? FileManager.default.removeItem(at: out)
    func loop(_ program: String, _ arguments: (String) -> [String]) throws -> Double {
        median(try (0..<repeats).map { _ in try paths.reduce(0) { $0 + (try measureProcess(1, program, arguments($1))) } })
    }
    let dtcLoop = try loop("dtc") { ["-I", "dtb", "-O", "dts", "-o", "/dev/null", $0] }
    let importLoop = try loop(socmap) { ["import", $0, "-o", "/dev/null"] }
    let name = "freescale/imx8mm-evk.dtb"
    let one = corpus.appendingPathComponent(name).path
    let single = (
        name, try measureProcess(quick ? 10 : 40, socmap, ["import", one, "-o", "/dev/null"]),
        try measureProcess(quick ? 10 : 40, "dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", one])
    )
    let help = try measureProcess(quick ? 10 : 40, socmap, ["--help"])
    let floorPath = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "argument-parser-floor"
    )
    .path
    let parserFloor =
        FileManager.default.isExecutableFile(atPath: floorPath)
        ? try measureProcess(quick ? 10 : 40, floorPath, ["import", one, "-o", "/dev/null"]) : nil
    return KernelTreeResult(
        files: paths.count, checkAll: checkAll, importAll: importAll, dtcLoop: dtcLoop, importLoop: importLoop, single: single, help: help,
        parserFloor: parserFloor)
}
