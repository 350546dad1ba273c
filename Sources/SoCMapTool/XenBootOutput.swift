import ArgumentParser
import SoCMap
import SoCMapChecks
import SoCMapDeviceTree
import SoCMapFDT

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension GuestCommand {
    /// `--xen-boot DIR`: the domain checks, then the plan, then every file at once.
    func writeXenBoot(_ resolved: ResolvedMap, into folder: String) throws {
        let findings = CheckEngine(checks: DomainChecks.all).run(on: resolved)
        for d in findings { printError(d.description) }
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
        // Absolute paths, so qemu.args works from any folder.
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        let folder = absolute(folder)
        func image(_ path: String) throws -> XenBoot.Image {
            guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read '\(path)'") }
            return XenBoot.Image(file: absolute(path), size: UInt64(data.count))
        }
        let request = XenBoot.Request(
            kernel: try image(kernel!), ramdisk: try ramdisk.map(image), bootargs: bootargs, xenBootargs: xenBootargs,
            loadAddress: try loadAddress.map(parseAddressArgument),
            passthroughFile: { folder + "/" + $0 + "-passthrough.dtb" },
            blobSize: { UInt64((try? FDTWriter.write($0).count) ?? 0) })
        let boot: XenBoot
        switch XenBoot.plan(resolved, request) {
        case .success(let b): boot = b
        case .failure(let problems):
            printError(problems.description)
            throw ExitCode(1)
        }
        var writes: [(String, Data)] = []
        do {
            writes.append((folder + "/host.dtb", Data(try FDTWriter.write(boot.hostTree))))
            for p in boot.passthroughTrees { writes.append((p.file, Data(try FDTWriter.write(p.tree)))) }
        } catch {
            throw ToolError("guest: \(error)")
        }
        writes.append((folder + "/qemu.args", Data(qemuArguments(boot, folder: folder).utf8)))
        writes.append((folder + "/boot.cmd", Data(ubootScript(boot).utf8)))
        if !isDirectory(folder) {
            try makeFolders(folder)
        }
        for (path, data) in writes { try writeAtomically(data, to: path) }
        for m in boot.modules {
            print("\(m.domain) \(m.kind) \(hex(m.range.base))-\(hex(m.range.last)) \(m.file)")
        }
    }

    /// QEMU's arguments, one per line: the host tree, Xen when given, and one loader per module.
    func qemuArguments(_ boot: XenBoot, folder: String) -> String {
        var lines = ["-dtb", folder + "/host.dtb"]
        if let hypervisor {
            lines += ["-kernel", hypervisor.hasPrefix("/") ? hypervisor : FileManager.default.currentDirectoryPath + "/" + hypervisor]
        }
        for m in boot.modules { lines += ["-device", "loader,file=\(m.file),addr=0x\(String(m.range.base, radix: 16)),force-raw=on"] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A U-Boot script loading every module where the plan puts it (from `${loadcmd}`, which
    /// the board sets: `load mmc 0:1`, `tftpb`), then Xen and the host tree at the addresses
    /// in `${xen_addr}`/`${fdt_addr}`, and `booti`.
    func ubootScript(_ boot: XenBoot) -> String {
        var lines = [
            "# socmap guest --xen-boot: Xen dom0less boot modules; set loadcmd, xen_addr and fdt_addr for the board",
            "test -n \"${loadcmd}\" || setenv loadcmd 'load mmc 0:1'",
        ]
        for m in boot.modules {
            lines.append("${loadcmd} 0x\(String(m.range.base, radix: 16)) \(m.file.split(separator: "/").last.map(String.init) ?? m.file)")
        }
        lines.append("${loadcmd} ${fdt_addr} host.dtb")
        lines.append("${loadcmd} ${xen_addr} \(hypervisor.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "xen")")
        lines.append("booti ${xen_addr} - ${fdt_addr}")
        return lines.joined(separator: "\n") + "\n"
    }
}
