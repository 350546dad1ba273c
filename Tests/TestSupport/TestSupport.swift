public import Foundation

/// The package root, found from this file's path.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// SplitMix64: a small deterministic generator, so that a failure reproduces from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that starts from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<n`.
    public mutating func below(_ n: UInt64) -> UInt64 { next() % n }

    /// `true` about `percent` times in a hundred.
    public mutating func chance(_ percent: UInt64) -> Bool { below(100) < percent }
}

/// What a finished program printed.
public struct ProcessResult: Sendable {
    /// The exit status.
    public let status: Int32
    /// Standard output.
    public let out: String
    /// Standard error.
    public let err: String
}

/// Runs programs for tests: external tools by name on `PATH`, or an executable by path.
public enum ProcessRunner {
    /// Runs `program` with `arguments`, feeding `input` on standard input (none when `nil`), in
    /// `directory` when given. Output goes through temporary files, so no pipe can stall.
    @discardableResult
    public static func run(_ program: String, _ arguments: [String], input: [UInt8]? = nil, directory: URL? = nil) throws -> ProcessResult {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inURL = folder.appendingPathComponent("in")
        let outURL = folder.appendingPathComponent("out")
        let errURL = folder.appendingPathComponent("err")
        try Data(input ?? []).write(to: inURL)
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = input == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, out: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            err: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Whether `tool` is on `PATH` (tests that need it skip, saying so, when it is not).
    public static func isInstalled(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains { folder in
            FileManager.default.isExecutableFile(atPath: "\(folder)/\(tool)")
        }
    }
}

/// A fresh temporary folder; the caller removes it.
public func temporaryFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// dtc's sorted source of a blob (`dtc -I dtb -O dts -s`), without the `/socmap` annotation
/// node: what two blobs must both print to say the same tree.
public func sortedSource(ofBlob blob: [UInt8]) throws -> String {
    let run = try ProcessRunner.run("dtc", ["-q", "-I", "dtb", "-O", "dts", "-s", "-"], input: blob)
    guard run.status == 0 else { return "dtc failed: \(run.err)" }
    // The annotation node is a child of the root: from "\tsocmap {" to the "\t};" closing it.
    guard let start = run.out.range(of: "\n\tsocmap {\n"),
        let end = run.out.range(of: "\n\t};\n", range: start.upperBound..<run.out.endIndex)
    else { return run.out }
    var text = run.out
    // From the blank line before it to its closing line.
    text.removeSubrange(start.lowerBound..<end.upperBound)
    return text
}
