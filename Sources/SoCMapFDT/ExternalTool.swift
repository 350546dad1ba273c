import Foundation

/// Runs the external programs socmap hands work to (dtc, cpp).
enum ExternalTool {
    /// Runs `tool` (looked up on `PATH`) with `arguments`, feeding it `input` on standard input,
    /// in `directory` when given; exit status 127 when it cannot be started.
    ///
    /// Standard input, output and error go through temporary files, so no pipe can fill up and
    /// stall the child whatever the sizes.
    static func run(_ tool: String, _ arguments: [String], input: Data?, directory: String = "") -> (status: Int32, out: Data, err: Data) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "socmap-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            return (127, Data(), Data("cannot create a temporary folder: \(error.localizedDescription)".utf8))
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let inURL = folder.appendingPathComponent("in")
        let outURL = folder.appendingPathComponent("out")
        let errURL = folder.appendingPathComponent("err")
        do {
            try (input ?? Data()).write(to: inURL)
            try Data().write(to: outURL)
            try Data().write(to: errURL)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [tool] + arguments
            if !directory.isEmpty { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            process.standardInput = input == nil ? FileHandle.nullDevice : try FileHandle(forReadingFrom: inURL)
            process.standardOutput = try FileHandle(forWritingTo: outURL)
            process.standardError = try FileHandle(forWritingTo: errURL)
            try process.run()
            process.waitUntilExit()
            // env exits 127 when the tool is not on PATH.
            return (process.terminationStatus, (try? Data(contentsOf: outURL)) ?? Data(), (try? Data(contentsOf: errURL)) ?? Data())
        } catch {
            return (127, Data(), Data("\(error)".utf8))
        }
    }
}
