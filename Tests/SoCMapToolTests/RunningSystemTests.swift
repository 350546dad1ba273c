import Foundation
import TestSupport
import Testing

/// QEMU's monitor, asked for `info mtree -f` on a machine that never runs (`-S`).
enum QEMUMonitor {
    /// The monitor's `info mtree -f` answer for `qemu` `-M machine`.
    static func flatView(qemu: String, machine: String) throws -> String {
        let run = try ProcessRunner.run(
            "timeout", ["60", qemu, "-M", machine, "-S", "-nographic", "-monitor", "stdio", "-serial", "none"],
            input: Array("info mtree -f\nquit\n".utf8))
        #expect(run.status == 0, "\(qemu) -M \(machine) failed: \(run.err)")
        return run.out
    }

    /// The ranges (`start-last`) of the flat view that `space` is in, read independently of
    /// socmap's reader: section by section, the way the text is laid out.
    static func ranges(of space: String, in text: String) -> [String] {
        var sections: [(spaces: [String], ranges: [String])] = []
        for raw in text.replacingOccurrences(of: "\r", with: "").split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if raw.hasPrefix("FlatView #") {
                sections.append(([], []))
            } else if !sections.isEmpty, line.hasPrefix("AS \""), let end = line.dropFirst(4).firstIndex(of: "\"") {
                sections[sections.count - 1].spaces.append(String(line.dropFirst(4)[..<end]))
            } else if !sections.isEmpty, line.contains(" (prio "), let first = line.first, first.isHexDigit {
                sections[sections.count - 1].ranges.append(String(line.split(separator: " ")[0]))
            }
        }
        return sections.first { $0.spaces.contains(space) }?.ranges ?? []
    }

    /// The monitor's answer for `-M virt -cpu cortex-a57 -m memory`, the line-editing echo and
    /// all, as a user would save it.
    static func flatView(memory: String) throws -> String {
        let run = try ProcessRunner.run(
            "timeout",
            [
                "60", "qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", memory, "-S", "-nographic", "-monitor", "stdio",
                "-serial", "none",
            ], input: Array("info mtree -f\nquit\n".utf8))
        #expect(run.status == 0, "qemu-system-aarch64 failed: \(run.err)")
        return run.out
    }
}

@Suite("Maps checked against what running systems decode", .serialized)
struct RunningSystemTests {
    /// The acceptance of issue 16: a real QEMU's `info mtree -f` and maps/qemu-virt.yaml agree,
    /// range for range and class for class; with 2 GiB the RAM line is the one difference.
    @Test(.requires("qemu-system-aarch64", package: "qemu-system-arm"))
    func qemuVirtMatchesTheMap() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let answer = try QEMUMonitor.flatView(memory: "1G")
        let mtree = folder.appendingPathComponent("mtree.txt").path
        try answer.write(toFile: mtree, atomically: true, encoding: .utf8)

        let same = try Tool.run(["diff", "maps/qemu-virt.yaml", mtree])
        #expect(same.status == 0 && same.out.isEmpty, "maps/qemu-virt.yaml differs from QEMU:\n\(same.out)\(same.err)")
        #expect(try Tool.run(["diff", mtree, "maps/qemu-virt.yaml", "--json"]).out == "[]\n")

        // The import is the flat view, one region per line.
        let imported = try Tool.run(["import", mtree])
        #expect(imported.status == 0, "\(imported.err)")
        let lines = answer.split(whereSeparator: \.isNewline).filter { $0.contains(" (prio ") }
        let cpuLines = lines.count - 1  // the I/O view's one line
        #expect(imported.out.components(separatedBy: "\n  - name: ").count - 1 == cpuLines)
        #expect(try Tool.run(["decode", mtree, "0x9000000"]).out.hasPrefix("0x900_0000: /pl011 (mmio)"))
        let io = try Tool.run(["show", mtree, "--flat", "--initiator", "cpu"])
        #expect(io.status == 2, "a flat view has no initiators")

        let bigger = folder.appendingPathComponent("mtree-2g.txt").path
        try QEMUMonitor.flatView(memory: "2G").write(toFile: bigger, atomically: true, encoding: .utf8)
        let differs = try Tool.run(["diff", "maps/qemu-virt.yaml", bigger])
        #expect(differs.status == 1)
        #expect(
            differs.out.split(separator: "\n").dropFirst(2) == [
                "~ /mach-virt.ram resized: [0x4000_0000, 0x7fff_ffff] -> [0x4000_0000, 0xbfff_ffff]"
            ])
        let version = answer.split(separator: "\n").first.map { $0.split(separator: " ").prefix(2).joined(separator: " ") } ?? "QEMU"
        print("mtree: maps/qemu-virt.yaml decodes as \(version)'s cpu-memory-0 flat view does (\(cpuLines) ranges, no difference)")
    }

    /// Real flat views of other machines read back exactly: the map `import` makes of each
    /// decodes, range for range, what QEMU printed for the chosen address space (the secure
    /// world's too, where the machine has one).
    @Test(
        .requires("qemu-system-aarch64", package: "qemu-system-arm"),
        arguments: [
            ("qemu-system-aarch64", "raspi3b", "cpu-memory-0"), ("qemu-system-aarch64", "xlnx-zcu102", "cpu-memory-0"),
            ("qemu-system-aarch64", "virt,secure=on,virtualization=on", "cpu-memory-0"),
            ("qemu-system-aarch64", "virt,secure=on,virtualization=on", "cpu-secure-memory-0"),
            ("qemu-system-arm", "xilinx-zynq-a9", "cpu-memory-0"), ("qemu-system-arm", "vexpress-a9", "cpu-memory-0"),
        ])
    func otherMachinesReadBackExactly(qemu: String, machine: String, space: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let answer = try QEMUMonitor.flatView(qemu: qemu, machine: machine)
        let expected = QEMUMonitor.ranges(of: space, in: answer)
        #expect(expected.count > 10, "\(answer.prefix(400))")
        let text = folder.appendingPathComponent("mtree.txt").path
        let yaml = folder.appendingPathComponent("machine.yaml").path
        try answer.write(toFile: text, atomically: true, encoding: .utf8)
        let imported = try Tool.run(["import", text, "--address-space", space, "-o", yaml])
        #expect(imported.status == 0 && imported.err.isEmpty, "\(imported.err)")
        let shown = try Tool.run(["show", yaml, "--flat"])
        #expect(shown.out.split(separator: "\n").dropFirst().map { String($0.split(separator: " ")[0]) } == expected)
        #expect(try Tool.run(["diff", text, yaml, "--address-space", space]).status == 0)
    }

    /// Input errors name the file, line and column.
    @Test func badRunningSystemTextIsOneLine() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("iomem").path
        try "00000000-00000fff : a\n    00000000-000000ff : b\n".write(toFile: path, atomically: true, encoding: .utf8)
        let run = try Tool.run(["diff", "maps/qemu-virt.yaml", path])
        #expect(run.status == 2)
        #expect(run.err.hasPrefix("\(path):2:1: error: indent of 4 spaces"), "\(run.err)")
        #expect(run.err.split(separator: "\n").count == 1)

        let text = folder.appendingPathComponent("notes.txt").path
        try "hello\n".write(toFile: text, atomically: true, encoding: .utf8)
        let other = try Tool.run(["import", text])
        #expect(other.status == 2)
        #expect(
            other.err
                == "\(text): error: neither a device tree (no DTB magic, not .dts) nor QEMU `info mtree -f` or /proc/iomem text [input]\n")
    }
}
