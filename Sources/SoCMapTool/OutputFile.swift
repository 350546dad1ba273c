import SoCMapFDT

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
    func failure(_ code: Int32) -> ToolError { ToolError("cannot write '\(path)': \(String(cString: strerror(code)))") }
    if exists && kind != S_IFREG {
        let fd = open(target, O_WRONLY)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        if let code = writeAll(data, to: fd) { throw failure(code) }
        return
    }
    // A temporary file beside the target, then a rename: POSIX calls throughout, so an error
    // is one line with the system's reason.
    let slash = target.lastIndex(of: "/")
    let folder = slash.map { String(target[...$0]) } ?? ""
    let name = slash.map { String(target[target.index(after: $0)...]) } ?? target
    let temp = "\(folder).\(name).socmap-\(getpid()).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, exists ? info.st_mode & 0o7777 : 0o644)
    guard fd >= 0 else { throw failure(errno) }
    let written = writeAll(data, to: fd)
    if exists { fchmod(fd, info.st_mode & 0o7777) }
    if close(fd) != 0 || written != nil {
        let code = written ?? errno
        unlink(temp)
        throw failure(code)
    }
    if rename(temp, target) != 0 {
        let code = errno
        unlink(temp)
        throw failure(code)
    }
}

/// Creates `path` and the folders above it that are missing (`mkdir -p`); an error is one line
/// with the system's reason.
func makeFolders(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
        prefix += part
        if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
            throw ToolError("cannot create '\(prefix)': \(String(cString: strerror(errno)))")
        }
        guard isDirectory(prefix) else { throw ToolError("cannot create '\(path)': '\(prefix)' is not a folder") }
        prefix += "/"
    }
}

/// Whether `path` names a folder (following symbolic links).
func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
}
