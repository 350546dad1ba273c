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

/// Writes `data` to `path` so that readers never see a partial file and an error leaves the old
/// file untouched: through a temporary file in the same folder and a rename, keeping the old
/// file's permissions. A symbolic link is followed (the file it names is replaced, the link
/// stays), and a device or FIFO (`/dev/null`, `/dev/stdout`, a pipe) is written in place, since
/// renaming over it would replace the device with a plain file.
func writeAtomically(_ data: Data, to path: String) throws {
    var target = path
    var info = stat()
    if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
        guard let resolved = realpath(path, nil) else {
            throw ToolError("cannot write '\(path)': it is a symbolic link to nothing (\(String(cString: strerror(errno))))")
        }
        target = String(cString: resolved)
        free(resolved)
    }
    let exists = stat(target, &info) == 0
    let kind = info.st_mode & S_IFMT
    if exists && kind == S_IFDIR { throw ToolError("cannot write '\(path)': it is a folder") }
    if exists && kind != S_IFREG {
        let fd = open(target, O_WRONLY)
        guard fd >= 0 else { throw ToolError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ToolError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        return
    }
    let url = URL(fileURLWithPath: target)
    let temp = url.deletingLastPathComponent().appendingPathComponent(
        ".\(url.lastPathComponent).socmap-\(ProcessInfo.processInfo.processIdentifier).tmp")
    do {
        try data.write(to: temp)
        if exists { chmod(temp.path, info.st_mode & 0o7777) }
        if rename(temp.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temp)
            throw ToolError("cannot write '\(path)': \(String(cString: strerror(code)))")
        }
    } catch let error as ToolError {
        throw error
    } catch {
        try? FileManager.default.removeItem(at: temp)
        throw ToolError("cannot write '\(path)': \(error)")
    }
}

/// Whether `path` names a folder (following symbolic links).
func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
}
