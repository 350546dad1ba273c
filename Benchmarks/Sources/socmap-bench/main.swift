import Floor
import Foundation
import SoCMap
import SoCMapFDT

// socmap-bench: measures the router, DTB import and export beside a C floor and dtc in one
// run, and prints one table of ratios. Run it through Benchmarks/run.
//
//   socmap-bench --socmap PATH [--quick]

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.isEmpty ? 0 : s[s.count / 2]
}

func measure(_ repeats: Int, _ body: () -> Void) -> Double {
    median(
        (0..<repeats).map { _ in
            let t = now()
            body()
            return now() - t
        })
}

@discardableResult
func run(_ program: String, _ arguments: [String], stdin: URL? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
    p.arguments = program.hasPrefix("/") ? arguments : [program] + arguments
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    if let stdin { p.standardInput = try FileHandle(forReadingFrom: stdin) }
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Median wall time of a whole process (posix_spawn + waitpid; Foundation's Process polls and
/// blurs short runs), output discarded.
func measureProcess(_ repeats: Int, _ program: String, _ arguments: [String], stdin: URL? = nil) throws -> Double {
    let path = program.hasPrefix("/") ? program : "/usr/bin/" + program
    var times: [Double] = []
    for _ in 0..<repeats {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        if let stdin { posix_spawn_file_actions_addopen(&actions, 0, stdin.path, O_RDONLY, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let t = now()
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { throw CocoaError(.fileNoSuchFile) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        times.append(now() - t)
    }
    return median(times)
}

func format(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
func rate(_ x: Double) -> String {
    x >= 1e9 ? format(x / 1e9) + " G" : x >= 1e6 ? format(x / 1e6) + " M" : x >= 1e3 ? format(x / 1e3) + " k" : format(x) + " "
}

let arguments = CommandLine.arguments
guard let socmapIndex = arguments.firstIndex(of: "--socmap"), socmapIndex + 1 < arguments.count else {
    FileHandle.standardError.write(Data("usage: socmap-bench --socmap PATH [--quick] [--only route|trees|batch|kernel]\n".utf8))
    exit(2)
}
let socmap = URL(fileURLWithPath: arguments[socmapIndex + 1]).standardizedFileURL.path
let quick = arguments.contains("--quick")
// --only route|trees|batch|kernel runs one part (for working on it); the default runs all.
let only = arguments.firstIndex(of: "--only").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
func runs(_ part: String) -> Bool { only == nil || only == part }
let repeats = quick ? 1 : 3
let probeCount = quick ? 1_000_000 : 10_000_000
let root = URL(fileURLWithPath: socmap).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let folder = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-bench-\(getpid())")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

func say(_ line: String) {
    print(line)
    fflush(nil)
}

say("socmap benchmarks (\(quick ? "quick" : "full") run, \(ProcessInfo.processInfo.activeProcessorCount) cores)")
if runs("route") {
    say("")
    say(
        "## route: \(rate(Double(probeCount)))probes, about half in gaps; throughput in lookups/s, latency in ns (each probe waits for the previous answer)"
    )
    say(
        "| N | socmap tput | C branch-free | C Eytzinger | ratio (socmap / best C) | socmap lat | C bf lat | C eyt lat | allocs/lookup | build |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|")
    for n in [16, 256, 4096, 65536, 1 << 20] {
        let r = benchmarkRoute(n: n, probes: probeCount, repeats: quick ? 1 : 5)
        let best = max(r.branchFreeThroughput, r.eytzingerThroughput)
        say(
            "| \(n) | \(rate(r.swiftThroughput))/s | \(rate(r.branchFreeThroughput))/s | \(rate(r.eytzingerThroughput))/s | \(format(r.swiftThroughput / best)) | \(format(r.swiftLatency, 1)) | \(format(r.branchFreeLatency, 1)) | \(format(r.eytzingerLatency, 1)) | \(format(r.allocationsPerLookup, 3)) | \(format(r.buildSeconds, 3)) s |"
        )
    }

}
if runs("trees") {
    say("")
    say("## DTB import and export (generated trees: buses of 64 devices, `ranges` on every bus, `reg` on every device)")
    say(
        "| nodes | DTB | import socmap | C libfdt walk | ratio (C / socmap time) | socmap import (process) | dtc -I dtb -O dts | ×dtc | export socmap | C seq. writer | ratio | socmap export (process) | dtc -I dts -O dtb | ×dtc |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    var peaks: [(Int, Int, Int, Int)] = []
    for nodes in quick ? [1000, 10000] : [1000, 10000, 100000] {
        let r = try benchmarkTree(nodes: nodes, socmap: socmap, folder: folder, repeats: repeats)
        let n = Double(nodes)
        let mb = Double(r.dtbBytes) / 1e6
        say(
            "| \(nodes) | \(format(mb, 2)) MB | \(rate(n / r.importSeconds))nodes/s, \(format(mb / r.importSeconds, 1)) MB/s | \(rate(n / r.walkSeconds))nodes/s | \(format(r.walkSeconds / r.importSeconds)) | \(format(r.importProcessSeconds * 1000, 1)) ms | \(format(r.dtcDecompileSeconds * 1000, 1)) ms | \(format(r.dtcDecompileSeconds / r.importProcessSeconds)) | \(rate(n / r.exportSeconds))nodes/s | \(rate(n / r.writerSeconds))nodes/s | \(format(r.writerSeconds / r.exportSeconds)) | \(format(r.exportProcessSeconds * 1000, 1)) ms | \(format(r.dtcCompileSeconds * 1000, 1)) ms | \(format(r.dtcCompileSeconds / r.exportProcessSeconds)) |"
        )
        peaks.append((nodes, r.dtbBytes, r.importPeakKiB, r.exportPeakKiB))
    }
    say("")
    say("## peak memory (RSS)")
    say("| nodes | DTB | socmap import | socmap export | budget (4 × DTB + 100 MB) |")
    say("|---|---|---|---|---|")
    for (nodes, bytes, imp, exp) in peaks {
        say(
            "| \(nodes) | \(format(Double(bytes) / 1e6)) MB | \(format(Double(imp) / 1024, 1)) MB | \(format(Double(exp) / 1024, 1)) MB | \(format(Double(bytes) * 4 / 1e6 + 100, 1)) MB |"
        )
    }

}
// Batch decode and start-up, on the bundled Zynq-7000 map.
if runs("batch") {
    let zynq = root.appendingPathComponent("maps/zynq-7000.yaml").path
    let addresses = folder.appendingPathComponent("addresses.txt")
    var rng = Rng(seed: 7)
    let batchCount = quick ? 1_000_000 : 5_000_000
    var text = ""
    text.reserveCapacity(batchCount * 12)
    for _ in 0..<batchCount { text += "0x" + String(rng.next() & 0xFFFF_FFFF, radix: 16) + "\n" }
    try text.write(to: addresses, atomically: false, encoding: .utf8)
    let batch = try measureProcess(repeats, socmap, ["decode", zynq, "-"], stdin: addresses)
    let batchJSON = try measureProcess(repeats, socmap, ["decode", zynq, "-", "--json"], stdin: addresses)
    let zdtb = folder.appendingPathComponent("zynq.dtb").path
    try run(socmap, ["export", zynq, "-o", zdtb])
    let startup = try measureProcess(quick ? 10 : 30, socmap, ["decode", zynq, "0x4120_0000"])
    let startupDTB = try measureProcess(quick ? 10 : 30, socmap, ["decode", zdtb, "0x4120_0000"])
    let fdtget = try measureProcess(
        quick ? 10 : 30, "fdtget", ["-t", "x", zdtb, "/m-axi-gp0-bus@40000000/axi-interconnect-bus@40000000/axi_gpio_0@41200000", "reg"])
    say("")
    say("## batch decode and start-up (maps/zynq-7000.yaml)")
    say("| measure | value | target |")
    say("|---|---|---|")
    say("| `socmap decode MAP -`, \(rate(Double(batchCount)))addresses | \(rate(Double(batchCount) / batch))addresses/s | ≥ 5 M/s |")
    say("| `socmap decode MAP - --json` | \(rate(Double(batchCount) / batchJSON))addresses/s | |")
    say("| `socmap decode maps/zynq-7000.yaml 0x4120_0000` (median) | \(format(startup * 1000, 1)) ms | < 10 ms |")
    say("| `socmap decode zynq.dtb 0x4120_0000` (median) | \(format(startupDTB * 1000, 1)) ms | |")
    say("| `fdtget -t x zynq.dtb …/axi_gpio_0@41200000 reg` (median) | \(format(fdtget * 1000, 1)) ms | |")
}
// Whole kernel trees of real DTBs, and one real tree alone.
if runs("kernel") {
    say("")
    if let corpus = kernelCorpus(root: root) {
        let k = try benchmarkKernelTrees(socmap: socmap, corpus: corpus, folder: folder, quick: quick)
        say("## kernel trees: Debian's arm64 DTBs (\(k.files) files), one command for all against dtc once per file")
        say("| measure | socmap | dtc | ratio (dtc / socmap time) | target |")
        say("|---|---|---|---|---|")
        say(
            "| `socmap check` all DTBs in one command vs `dtc -I dtb -O dts` per file | \(format(k.checkAll, 2)) s | \(format(k.dtcLoop, 2)) s | \(format(k.dtcLoop / k.checkAll)) | ≥ 2 |"
        )
        say(
            "| `socmap import DTBs -o DIR` in one command vs dtc per file | \(format(k.importAll, 2)) s | \(format(k.dtcLoop, 2)) s | \(format(k.dtcLoop / k.importAll)) | |"
        )
        say(
            "| `socmap import` per file vs dtc per file | \(format(k.importLoop, 2)) s | \(format(k.dtcLoop, 2)) s | \(format(k.dtcLoop / k.importLoop)) | |"
        )
        say(
            "| `socmap import \(k.single.name)` alone (median) vs dtc | \(format(k.single.socmap * 1000, 1)) ms | \(format(k.single.dtc * 1000, 1)) ms | \(format(k.single.dtc / k.single.socmap)) (socmap at \(format(k.single.socmap / k.single.dtc))× dtc) | socmap ≤ 1.5× dtc |"
        )
        say("| `socmap --help` (start-up and argument parsing, median) | \(format(k.help * 1000, 1)) ms | | | |")
        if let floor = k.parserFloor {
            say(
                "| floor: static swift-argument-parser program parsing `import FILE -o /dev/null`, doing nothing (median) | \(format(floor * 1000, 1)) ms | \(format(k.single.dtc * 1000, 1)) ms | \(format(k.single.dtc / floor)) (floor at \(format(floor / k.single.dtc))× dtc) | |"
            )
        }
    } else {
        say("## kernel trees: skipped (no corpus; run scripts/fetch-artefacts)")
    }
}
