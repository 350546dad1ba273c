#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs the external programs socmap hands work to (dtc, cpp), through `posix_spawnp`.
enum ExternalTool {
    /// Why a tool did not run at all.
    enum Problem: Equatable {
        /// Not on `PATH`.
        case notInstalled
        /// Something else stopped it (no temporary folder, an unwritable input, a failed
        /// spawn); the reason in one line, also in the run's standard error.
        case cannotRun(String)
    }

    /// What one run gave: the exit status (127 when it did not run, and `problem` says why),
    /// its standard output and error.
    struct Outcome {
        var status: Int32
        var out: Data
        var err: Data
        var problem: Problem?

        static func failed(_ problem: Problem, _ message: String) -> Outcome {
            Outcome(status: 127, out: Data(), err: Data(message.utf8), problem: problem)
        }
    }

    /// Runs `tool` (looked up on `PATH`) with `arguments`, feeding it `input` on standard input.
    ///
    /// Standard input, output and error go through temporary files, so no pipe can fill up and
    /// stall the child whatever the sizes.
    static func run(_ tool: String, _ arguments: [String], input: Data?) -> Outcome {
        // mkdtemp and write(2), so a failure is the system's one-line reason.
        let tmp = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((tmp + "/socmap-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            let why = "cannot create a temporary folder in \(tmp): \(String(cString: strerror(errno)))"
            return .failed(.cannotRun(why), why)
        }
        let folder = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let inPath = folder + "/in"
        let outPath = folder + "/out"
        let errPath = folder + "/err"
        if let input, let failure = writeFile(inPath, input) {
            let why = "cannot write the input of \(tool): \(failure)"
            return .failed(.cannotRun(why), why)
        }
        let status = spawnAndWait(
            tool, arguments, stdin: input == nil ? "/dev/null" : inPath, stdout: outPath, stderr: errPath)
        if status.notFound { return .failed(.notInstalled, "cannot run \(tool): not found on PATH") }
        if let failure = status.failure {
            let why = "cannot run \(tool): \(failure)"
            return .failed(.cannotRun(why), why)
        }
        let out = FileManager.default.contents(atPath: outPath) ?? Data()
        let err = FileManager.default.contents(atPath: errPath) ?? Data()
        return Outcome(status: status.code, out: out, err: err)
    }

    /// Writes `data` to a new file at `path`; the system's reason when it cannot.
    private static func writeFile(_ path: String, _ data: Data) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        let failure = writeAll(data, to: fd)
        close(fd)
        return failure.map { String(cString: strerror($0)) }
    }

    /// Spawns `tool` with its standard streams opened on the given files and waits for it.
    private static func spawnAndWait(
        _ tool: String, _ arguments: [String], stdin: String, stdout: String, stderr: String
    ) -> (code: Int32, notFound: Bool, failure: String?) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // argv as C strings that live for the call; the child copies them.
        let argv = ([tool] + arguments).map { strdup($0) }
        defer { for arg in argv { free(arg) } }
        var pid = pid_t()
        let spawned = (argv + [nil]).withUnsafeBufferPointer { args in
            posix_spawnp(&pid, tool, &actions, nil, args.baseAddress!, environ)
        }
        guard spawned == 0 else { return (127, spawned == ENOENT, String(cString: strerror(spawned))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { return (127, false, "waiting for it failed: \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED / WEXITSTATUS, WTERMSIG as 128 + signal like a shell.
        let signal = status & 0x7F
        return (signal == 0 ? (status >> 8) & 0xFF : 128 + signal, false, nil)
    }
}

/// Writes all of `data` to `fd`, retrying after signals; the errno of a failure, else `nil`.
/// (Shared with the tool's atomic output files.)
package func writeAll(_ data: some Collection<UInt8>, to fd: Int32) -> Int32? {
    func writeBuffer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? EIO : errno }
            done += n
        }
        return nil
    }
    return data.withContiguousStorageIfAvailable(writeBuffer) ?? Array(data).withUnsafeBufferPointer(writeBuffer)
}
