import Foundation
import TestSupport
import Testing

/// Runs the built `socmap` and captures its output. Golden files live in `Golden/`; set
/// SOCMAP_UPDATE_GOLDEN=1 to rewrite them after a deliberate change (then review the diff).
struct Tool {
    static let root = packageRoot

    static var executable: URL {
        // Next to the test bundle (swift test builds every product), else the default debug path.
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("socmap")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return root.appendingPathComponent(".build/debug/socmap")
    }

    static func run(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(executable.path, arguments, input: input.map { Array($0.utf8) }, directory: root)
    }

    static func golden(_ name: String, _ actual: String) throws {
        let url = root.appendingPathComponent("Tests/SoCMapToolTests/Golden/\(name)")
        if ProcessInfo.processInfo.environment["SOCMAP_UPDATE_GOLDEN"] != nil {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs from its golden file")
    }
}

@Suite("socmap command line", .serialized)
struct CLITests {
    static let maps = ["zynq-7000", "zynqmp", "juno", "qemu-virt", "x86-pc", "x86-nvram-domains", "zynq-7000-xen", "qemu-virt-xen"]

    @Test(arguments: maps)
    func showGolden(map: String) throws {
        for format in ["tree", "flat", "iomem", "json"] {
            let r = try Tool.run(["show", "maps/\(map).yaml", "--format", format])
            #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
            try Tool.golden("\(map).\(format).txt", r.out)
        }
    }

    static let decodes: [(String, [String])] = [
        (
            "zynq-7000",
            ["0x4120_0000", "0x0", "0x8_0000", "0xe000_1004", "0xe200_0010", "0xf8f0_1000", "0xfffc_0000", "0xc000_0000", "0x1_0000_0000"]
        ),
        ("qemu-virt", ["0x0902_0008", "0x0902_000c", "0x3eff_0010", "0x1000_1000", "0x40_1010_8000", "0x80_0000_1000", "0x4000_0000"]),
        ("zynqmp", ["0xff00_0000", "0x8_0000_0000", "0xe000_0000", "0xfffc_0000"]),
        ("juno", ["0x1c09_0004", "0x2c01_0000", "0x5f80_0010", "0x8_8000_0000"]),
        ("x86-pc", ["0x9_fc00", "0xa_0000", "0x1_8000_0000", "0xfee0_0000"]),
    ]

    static let guestDecodes: [(String, String, [String])] = [
        ("x86-nvram-domains", "domU1", ["0x1000", "0xf_0010", "0x20_0000", "0x1_8000_1000", "0xfebc_0010", "0xfed0_1000", "0x5000_0000"]),
        ("x86-nvram-domains", "domU2", ["0x10", "0x1_0000_0010", "0x1_8000_0000"]),
        ("zynq-7000-xen", "dom0", ["0x10", "0xe000_1000", "0xf8f0_1000", "0x3800_0000"]),
        ("zynq-7000-xen", "domU1", ["0x10", "0x4120_0004", "0xf8f0_1000", "0xe000_0000", "0x1000_0000"]),
    ]

    @Test func decodeGolden() throws {
        var text = ""
        var json = ""
        for (map, addresses) in Self.decodes {
            let r = try Tool.run(["decode", "maps/\(map).yaml"] + addresses)
            text += "$ socmap decode maps/\(map).yaml \(addresses.joined(separator: " "))  (exit \(r.status))\n" + r.out
            json += try Tool.run(["decode", "maps/\(map).yaml", "--json"] + addresses).out
        }
        for (map, domain, addresses) in Self.guestDecodes {
            let r = try Tool.run(["decode", "maps/\(map).yaml", "--domain", domain] + addresses)
            text += "$ socmap decode maps/\(map).yaml --domain \(domain) \(addresses.joined(separator: " "))  (exit \(r.status))\n" + r.out
            json += try Tool.run(["decode", "maps/\(map).yaml", "--domain", domain, "--json"] + addresses).out
            for format in ["tree", "flat", "iomem", "json"] {
                try Tool.golden(
                    "\(map).\(domain).\(format).txt",
                    try Tool.run(["show", "maps/\(map).yaml", "--domain", domain, "--format", format]).out)
            }
        }
        try Tool.golden("decode.txt", text)
        try Tool.golden("decode.jsonl", json)
    }

    /// Every `--json` golden is JSON that Foundation's parser reads: whole documents for
    /// `show --format json`, one object per line for `decode --json`, and `check --json`.
    @Test func everyJSONGoldenParses() throws {
        let folder = Tool.root.appendingPathComponent("Tests/SoCMapToolTests/Golden")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".json") }.sorted()
        #expect(names.count >= 10)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let documents = name.hasSuffix(".jsonl") ? text.split(separator: "\n").map(String.init) : [text]
            for document in documents {
                #expect((try? JSONSerialization.jsonObject(with: Data(document.utf8))) is [String: Any], "\(name): \(document.prefix(80))")
            }
        }
        let check = try Tool.run(["check", "Tests/SoCMapFileTests/Fixtures/broken.yaml", "--json"])
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(check.out.utf8)) as? [[String: Any]])
        #expect(findings.contains { $0["check"] as? String == "alias-cycle" && $0["line"] as? Int == 39 })
    }

    @Test func zynqAcceptance() throws {
        let cpu = try Tool.run(["decode", "maps/zynq-7000.yaml", "0x4120_0000"])
        #expect(cpu.status == 0)
        #expect(cpu.out.contains("/m-axi-gp0/axi-interconnect/axi_gpio_0 (mmio) offset 0x0"))
        #expect(cpu.out.contains("via /m-axi-gp0 (pl-window, identity): 0x4120_0000 -> 0x4120_0000"))
        let hp = try Tool.run(["decode", "maps/zynq-7000.yaml", "0x4120_0000", "--initiator", "hp"])
        #expect(hp.status == 1)
        #expect(hp.out.hasPrefix("0x4120_0000: unassigned"))
        let reset = try Tool.run(["decode", "maps/zynq-7000.yaml", "0x0", "--set", "ocm0=low", "--set", "scu-filter-start=1M"])
        #expect(reset.status == 0 && reset.out.hasPrefix("0x0: /ocm/block0 (sram) offset 0x0"))
        let uboot = try Tool.run(["decode", "maps/zynq-7000.yaml", "0x0"])
        #expect(uboot.out.hasPrefix("0x0: /ddr (dram) offset 0x0"))
    }

    @Test(arguments: [
        (["decode", "maps/zynq-7000.yaml", "0xZZ"], "error: bad address '0xZZ'"),
        (["decode", "maps/zynq-7000.yaml", "0x0", "--set", "ocm0=middle"], "error: switch 'ocm0' cannot be 'middle'"),
        (["decode", "maps/zynq-7000.yaml", "0x0", "--set", "ocm9=low"], "error: unknown switch 'ocm9'"),
        (["decode", "maps/zynq-7000.yaml", "0x0", "--set", "ocm0"], "error: bad --set 'ocm0'"),
        (["decode", "maps/zynq-7000.yaml", "0x0", "--initiator", "gpu"], "error: unknown initiator 'gpu'"),
        (["decode", "maps/missing.yaml", "0x0"], "cannot read 'maps/missing.yaml'"),
        (["decode", "maps/zynq-7000.yaml"], "give at least one ADDRESS"),
        (["show", "maps/zynq-7000.yaml", "--format", "svgg"], "svgg"),
        (["frobnicate"], "frobnicate"),
        (
            ["decode", "Tests/SoCMapFileTests/Fixtures/broken.yaml", "0x0"],
            "broken.yaml:39:5: error: /loop-a: alias reaches itself: /loop-a -> /loop-b -> /loop-a [alias-cycle]"
        ),
        (["show", "Tests/SoCMapFileTests/Fixtures/broken.yaml"], "[alias-target]"),
        (["check", "Tests/SoCMapFileTests/Fixtures/broken.yaml", "--json", "--nope"], "--nope"),
    ])
    func badUsageExitsTwoWithOneLine(arguments: [String], message: String) throws {
        let r = try Tool.run(arguments)
        #expect(r.status == 2, "\(arguments): \(r.status) \(r.err)")
        #expect(r.err.contains(message), "\(r.err)")
        #expect(r.out.isEmpty)
    }

    @Test func checkExitsOneOnErrorsAndZeroWhenClean() throws {
        let broken = try Tool.run(["check", "Tests/SoCMapFileTests/Fixtures/broken.yaml"])
        #expect(broken.status == 1)
        #expect(broken.out.contains("broken.yaml:16:5: error: /uart1:"))
        let json = try Tool.run(["check", "Tests/SoCMapFileTests/Fixtures/broken.yaml", "--json"])
        #expect(json.status == 1 && json.out.hasPrefix("[") && json.out.contains("\"check\": \"alias-cycle\""))
        for map in Self.maps {
            let r = try Tool.run(["check", "maps/\(map).yaml"])
            #expect(r.status == 0 && r.out.isEmpty, "\(map): \(r.out)")
        }
        let list = try Tool.run(["check", "--list"])
        #expect(list.status == 0 && list.out.contains("sibling-overlap") && list.out.split(separator: "\n").count >= 10)
    }

    @Test func fmtRewritesAtomicallyAndIdempotently() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-fmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("m.yaml")
        try "name: m  # a map\nregions:\n  - {name: r, kind: dram, base: 0X8000_0000, last: 0x8FFF_FFFF}\n".write(
            to: file, atomically: true, encoding: .utf8)
        #expect(try Tool.run(["fmt", "--check", file.path]).status == 1)
        #expect(try Tool.run(["fmt", file.path]).status == 0)
        let once = try String(contentsOf: file, encoding: .utf8)
        #expect(once == "socmap: 1\nname: m  # a map\nregions:\n  - {name: r, kind: dram, base: 0x8000_0000, size: 256M}\n")
        #expect(try Tool.run(["fmt", "--check", file.path]).status == 0)
        // A broken map is reported and left untouched, with no stray temporary file.
        try "name: m\nregions:\n  - {name: r, kind: dram, base: 0x8000_0000, size: 0}\n".write(to: file, atomically: true, encoding: .utf8)
        let bad = try Tool.run(["fmt", file.path])
        #expect(bad.status == 2 && bad.err.contains("[range-empty]"))
        #expect(try String(contentsOf: file, encoding: .utf8).contains("size: 0"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m.yaml"])
    }

    @Test func deviceTreesWorkWhereverMapsDo() throws {
        let dtb = "Tests/SoCMapFDTTests/Fixtures/qemu-virt-aarch64-1g.dtb"
        let r = try Tool.run(["decode", dtb, "0x3eff_0010"])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("0x3eff_0010: /pcie@10000000 (pcie) I/O space, bus address 0x10"))
        #expect(
            try Tool.run(["show", dtb, "--flat"]).out.contains(
                "0000000010000000-000000003efeffff (prio 0, pcie-mem32): pcie@10000000 @0000000010000000"))
        let dts = try Tool.run(["export", "maps/zynq-7000.yaml", "-o", "-"])
        let committed = try String(contentsOf: Tool.root.appendingPathComponent("dts/zynq-7000.dts"), encoding: .utf8)
        #expect(dts.status == 0 && dts.out == committed)
    }

    @Test func outputsAreAtomic() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let existing = dir.appendingPathComponent("map.yaml")
        try "keep me\n".write(to: existing, atomically: true, encoding: .utf8)
        let bad = try Tool.run(["import", "Tests/SoCMapFDTTests/Fixtures/bad/truncated.dtb", "-o", existing.path])
        #expect(bad.status == 2 && bad.err.contains("FDT_ERR_TRUNCATED") && bad.err.split(separator: "\n").count == 1)
        #expect(try String(contentsOf: existing, encoding: .utf8) == "keep me\n")
        let noFile = dir.appendingPathComponent("out.dtb")
        let broken = try Tool.run(["export", "Tests/SoCMapFDTTests/Fixtures/../../SoCMapFileTests/Fixtures/broken.yaml", "-o", noFile.path])
        #expect(broken.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["map.yaml"])
        let good = try Tool.run(["import", "Tests/SoCMapFDTTests/Fixtures/qemu-virt-aarch64-1g.dtb", "-o", existing.path])
        let imported = try String(contentsOf: existing, encoding: .utf8)
        #expect(good.status == 0 && imported.contains("kind: pcie"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["map.yaml"])
        let round = dir.appendingPathComponent("z.dtb")
        #expect(try Tool.run(["export", "maps/zynq-7000.yaml", "-o", round.path]).status == 0)
        #expect(
            try Tool.run(["decode", round.path, "0x4120_0000"]).out.hasPrefix(
                "0x4120_0000: /m-axi-gp0/axi-interconnect/axi_gpio_0 (mmio) offset 0x0"))
    }

    /// Outputs replace regular files atomically (keeping their permissions), follow symbolic
    /// links, and write devices such as /dev/null in place instead of replacing them.
    @Test func outputsRespectWhatIsThere() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try Tool.run(["guest", "maps/x86-nvram-domains.yaml", "--domain", "domU1", "--e820", "/dev/null"]).status == 0)
        #expect(try Tool.run(["import", "Tests/SoCMapFDTTests/Fixtures/qemu-virt-arm.dtb", "-o", "/dev/null"]).status == 0)
        let null = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(null[.type] as? FileAttributeType == .typeCharacterSpecial)
        let real = dir.appendingPathComponent("real.yaml")
        let link = dir.appendingPathComponent("link.yaml")
        try "old\n".write(to: real, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: real.path)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: real)
        #expect(try Tool.run(["import", "Tests/SoCMapFDTTests/Fixtures/qemu-virt-arm.dtb", "-o", link.path]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == real.path)
        #expect(try String(contentsOf: real, encoding: .utf8).contains("kind: pcie"))
        #expect(try FileManager.default.attributesOfItem(atPath: real.path)[.posixPermissions] as? Int == 0o600)
        // A folder is never replaced by a file; import writes into it instead.
        let named = dir.appendingPathComponent("out.dts")
        try FileManager.default.createDirectory(at: named, withIntermediateDirectories: false)
        let folder = try Tool.run(["export", "maps/qemu-virt.yaml", "-o", named.path])
        #expect(folder.status == 2 && folder.err.contains("it is a folder"))
        let into = try Tool.run(["import", "Tests/SoCMapFDTTests/Fixtures/qemu-virt-arm.dtb", "-o", dir.path])
        #expect(into.status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/Tests/SoCMapFDTTests/Fixtures/qemu-virt-arm.yaml"))
    }

    @Test func guestOutputs() throws {
        let e820 = try Tool.run(["guest", "maps/x86-nvram-domains.yaml", "--domain", "domU1", "--e820", "-"])
        #expect(e820.status == 0 && e820.err.isEmpty)
        #expect(
            e820.out == """
                BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable
                BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
                BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable
                BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
                BIOS-e820: [mem 0x00000000fed01000-0x00000000fed01fff] reserved
                BIOS-e820: [mem 0x00000000fee00000-0x00000000feefffff] reserved
                BIOS-e820: [mem 0x0000000180000000-0x00000001ffffffff] persistent (type 7)

                """)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-guest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (map, domain) in [
            ("x86-nvram-domains", "domU1"), ("x86-nvram-domains", "domU2"), ("zynq-7000-xen", "dom0"), ("zynq-7000-xen", "domU1"),
        ] {
            let dtb = dir.appendingPathComponent("\(domain).dtb").path
            let xen = dir.appendingPathComponent("\(domain)-xen.dtb").path
            let bin = dir.appendingPathComponent("\(domain).e820").path
            let r = try Tool.run(["guest", "maps/\(map).yaml", "--domain", domain, "-o", dtb, "--xen", xen, "--e820-binary", bin])
            #expect(r.status == 0, "\(r.err)")
            for file in [dtb, xen] where ProcessRunner.isInstalled("dtc") {
                let dtc = try ProcessRunner.run("dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", file])
                #expect(dtc.status == 0 && dtc.err.isEmpty, "\(file): \(dtc.err)")
            }
            let binary = try Data(contentsOf: URL(fileURLWithPath: bin))
            #expect(binary.count % 20 == 0 && !binary.isEmpty)
        }
        let dts = try Tool.run(["guest", "maps/zynq-7000-xen.yaml", "--domain", "dom0", "--xen", "-"])
        #expect(
            dts.out.contains("compatible = \"xen,domain\";") && dts.out.contains("direct-map;")
                && dts.out.contains("xen,static-mem = <0x00 0x00 0x00 0x20000000>;"))
        let passthrough = try Tool.run(["guest", "maps/zynq-7000-xen.yaml", "--domain", "dom0", "-o", "-"])
        #expect(
            passthrough.out.contains("xen,reg = <0x00 0xe0000000 0x00 0x300000 0x00 0xe0000000>;")
                && passthrough.out.contains("xen,path = \"/iop-bus@e0000000\";"))
        let domu = try Tool.run(["guest", "maps/zynq-7000-xen.yaml", "--domain", "domU1", "--xen", "-"])
        #expect(domu.out.contains("vpl011;") && !domu.out.contains("direct-map"))
    }

    @Test func checkOptions() throws {
        let three = "Tests/SoCMapFileTests/Fixtures/profiles/zynq-7000-three.yaml"
        let r = try Tool.run(["check", three])
        #expect(
            r.status == 1
                && r.out.contains(
                    "zynq-7000-three.yaml:9:5: error: /axi_gpio_0: PL slave [0x7fff_0000, 0x8000_ffff] straddles M_AXI_GP0 and M_AXI_GP1 [zynq-pl-window]"
                ))
        let demoted = try Tool.run(["check", three, "-W", "zynq-pl-window", "-W", "zynq-hp-reach", "--no", "zynq-ddr-window"])
        #expect(demoted.status == 0 && demoted.out.hasSuffix("0 errors, 2 warnings\n"))
        let promoted = try Tool.run(["check", "maps/zynq-7000.yaml", "-E", "unused-switch"])
        #expect(promoted.status == 0 && promoted.out.isEmpty)
        let unknown = try Tool.run(["check", three, "--no", "zynq-pl-windw"])
        #expect(unknown.status == 2 && unknown.err.contains("did you mean 'zynq-pl-window'"))
        let badProfile = try Tool.run(["check", three, "--profile", "zynq7000"])
        #expect(badProfile.status == 2 && badProfile.err.contains("did you mean 'zynq-7000'"))
        let sweep = try Tool.run(["check", "maps/zynq-7000.yaml", "--all-switches"])
        #expect(sweep.status == 0 && sweep.out.isEmpty)
        let list = try Tool.run(["check", "--list"])
        for id in [
            "zynq-pl-window", "zynqmp-rpu-reach", "juno-dram-window", "virt-ram", "x86-mmconfig", "domain-dma-iommu", "decode-conflict",
        ] {
            #expect(list.out.contains(id))
        }
    }

    /// Several files at once: results in the order given, a summary, the worst exit status;
    /// `import -o FOLDER` writes one map per tree under its relative path.
    @Test func manyFilesAtOnce() throws {
        let fixtures = "Tests/SoCMapFDTTests/Fixtures/"
        let files = [
            "maps/zynq-7000.yaml", fixtures + "qemu-virt-arm.dtb", "Tests/SoCMapFileTests/Fixtures/profiles/zynq-7000-three.yaml",
            fixtures + "qemu-virt-aarch64-1g.dtb",
        ]
        let text = try Tool.run(["check"] + files)
        #expect(text.status == 1)
        let errorLines = text.out.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(
            errorLines.count == 3 && errorLines.allSatisfy { $0.hasPrefix("Tests/SoCMapFileTests/Fixtures/profiles/zynq-7000-three.yaml:") }
        )
        #expect(
            text.out.hasSuffix(
                "checked 4 files: 1 with errors, 0 with warnings only, 3 clean, 0 unreadable (3 errors, 0 warnings, 0 notes); profiles picked by root compatible: qemu-virt (2)\n"
            ), "\(text.out)")
        let json = try Tool.run(["check", "--json", "--profile", "none"] + files + ["missing.dtb"])
        #expect(json.status == 2)
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]])
        #expect(objects.map { $0["file"] as? String } == files + ["missing.dtb"])
        #expect(objects.allSatisfy { $0["profile"] == nil })
        #expect((objects[4]["error"] as? String)?.contains("cannot read 'missing.dtb'") == true)
        #expect((objects[2]["diagnostics"] as? [Any])?.isEmpty == true, "--profile none: no zynq rules")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("socmap-import-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trees = [fixtures + "qemu-virt-arm.dtb", fixtures + "qemu-virt-aarch64-1g.dtb"]
        let many = try Tool.run(["import"] + trees + ["-o", folder.path])
        #expect(many.status == 0 && many.out == "imported 2 of 2 device trees into \(folder.path) (0 with warnings, 0 unreadable)\n")
        for tree in trees {
            let written = try String(
                contentsOf: folder.appendingPathComponent(tree.replacingOccurrences(of: ".dtb", with: ".yaml")), encoding: .utf8)
            #expect(written == (try Tool.run(["import", tree])).out)
        }
        let clash = try Tool.run(["import", trees[0], "./" + trees[0], "-o", folder.path])
        #expect(clash.status == 2 && clash.err.contains("would both be written to"))
        let partly = try Tool.run(["import", "missing.dtb", trees[1], "-o", folder.path + "/again"])
        #expect(partly.status == 2 && partly.err.contains("missing.dtb") && partly.out.contains("imported 1 of 2"))
        #expect(FileManager.default.fileExists(atPath: folder.path + "/again/" + trees[1].replacingOccurrences(of: ".dtb", with: ".yaml")))
        // A map that cannot be written (a folder stands where it goes) is counted as such.
        let blocked = folder.path + "/blocked/" + trees[0].replacingOccurrences(of: ".dtb", with: ".yaml")
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: true)
        let unwritten = try Tool.run(["import"] + trees + ["-o", folder.path + "/blocked"])
        #expect(unwritten.status == 2 && unwritten.err == "error: cannot write '\(blocked)': it is a folder\n", "\(unwritten.err)")
        #expect(unwritten.out.hasSuffix("(0 with warnings, 0 unreadable, 1 not written)\n"), "\(unwritten.out)")
    }

    /// `guest --xen-boot` refuses, with a located error and exit 1 and writing nothing, a domain
    /// whose RAM does not fit, a device passed through to two domains, and modules over the
    /// hypervisor's region.
    @Test func xenBootRefusesWhatCannotBoot() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOf: Tool.root.appendingPathComponent("maps/qemu-virt-xen.yaml"), encoding: .utf8)
        func variant(_ name: String, _ edit: (String) -> String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            let changed = edit(text)
            #expect(changed != text)
            try changed.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        // A 32 MiB stand-in for a kernel: the plan only needs sizes.
        let kernel = folder.appendingPathComponent("Image").path
        try Data(count: 32 << 20).write(to: URL(fileURLWithPath: kernel))
        func boot(_ map: String, _ extra: [String] = []) throws -> ProcessResult {
            try Tool.run(["guest", map, "--xen-boot", folder.appendingPathComponent("out").path, "--kernel", kernel] + extra)
        }
        let fine = try boot("maps/qemu-virt-xen.yaml")
        #expect(fine.status == 0 && fine.out.contains("domU2 device-tree 0x"), "\(fine.err)")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("out"))

        let big = try boot(
            try variant("big.yaml") {
                $0.replacingOccurrences(of: "offset: 0x2000_0000, size: 256M", with: "offset: 32M, size: 990M")
                    .replacingOccurrences(of: "offset: 0x3000_0000, size: 256M", with: "offset: 1G, size: 990M")
            })
        #expect(
            big.status == 1 && big.err.contains("big.yaml:") && big.err.contains("error: domain domU2: needs 990M of RAM"), "\(big.err)")
        #expect(big.err.hasSuffix("[xen-boot]\n"))

        let twice = try boot(
            try variant("twice.yaml") {
                $0.replacingOccurrences(
                    of: "offset: 0x2000_0000, size: 256M, mode: translated}\n",
                    with:
                        "offset: 0x2000_0000, size: 256M, mode: translated}\n      - {name: gpio, host: /pl061@9030000, mode: passthrough, guest-base: 0xb03_0000}\n"
                )
            })
        #expect(twice.status == 1 && twice.err.contains("twice.yaml:") && twice.err.contains("[domain-shared-range]"), "\(twice.err)")

        let low = try boot("maps/qemu-virt-xen.yaml", ["--load-address", "0x4100_0000"])
        #expect(low.status == 1, "\(low.err)")
        let xenLine =
            try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex(of: "      - name: xen@40000000")) + 1
        #expect(
            low.err.contains("maps/qemu-virt-xen.yaml:\(xenLine):9: error: /reserved-memory/xen@40000000: domU1's kernel")
                && low.err.contains("overlaps the hypervisor's region /reserved-memory/xen@40000000 [0x4000_0000, 0x41ff_ffff] [xen-boot]"),
            "\(low.err)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path), "nothing written on refusal")
    }

    /// Domains Debian's Xen cannot boot (no CONFIG_STATIC_MEMORY) are still written by the
    /// binding (booting.txt): `xen,static-mem` with its cell counts, `direct-map`, modules kept
    /// out of the static memory and the hypervisor's region; qemu.args and boot.cmd agree.
    @Test(.requiresDtc) func xenBootWritesStaticDomainsByTheBinding() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("boot").path
        let r = try Tool.run(["guest", "maps/zynq-7000-xen.yaml", "--xen-boot", out, "--kernel", "maps/qemu-virt.yaml"])
        #expect(r.status == 0, "\(r.err)")
        let dts = try ProcessRunner.run("dtc", ["-I", "dtb", "-O", "dts", out + "/host.dtb"]).out
        #expect(dts.contains("xen,static-mem = <0x00 0x00 0x00 0x20000000>;") && dts.contains("direct-map;"), "\(dts)")
        #expect(dts.contains("#xen,static-mem-address-cells = <0x02>;") && dts.contains("#xen,static-mem-size-cells = <0x02>;"))
        let modules = r.out.split(separator: "\n").map { $0.split(separator: " ") }
        #expect(modules.count == 3)
        for m in modules {
            let range = m[2].split(separator: "-").compactMap { UInt64($0.dropFirst(2).replacingOccurrences(of: "_", with: ""), radix: 16) }
            // dom0's static memory is 0-0x1fff_ffff, domU1's 0x2000_0000-0x2fff_ffff, Xen's region from 0x3800_0000.
            #expect(range.count == 2 && range[0] >= 0x3000_0000 && range[1] < 0x3800_0000, "\(m)")
            let address = "0x" + String(range[0], radix: 16)
            #expect(try String(contentsOfFile: out + "/qemu.args", encoding: .utf8).contains("addr=\(address),"))
            #expect(try String(contentsOfFile: out + "/boot.cmd", encoding: .utf8).contains("${loadcmd} \(address) "))
        }
    }

    /// DTS goes through dtc wherever a map is accepted.
    @Test(.requiresDtc) func dtsInputGoesThroughDtc() throws {
        let clean = try Tool.run(["check", "Tests/SoCMapFDTTests/Fixtures/zynq-like.dts"])
        #expect(clean.status == 0 && clean.out.isEmpty, "\(clean.out)")
        let dtb = try Tool.run(["check", "Tests/SoCMapFDTTests/Fixtures/zynq-bad-board.dts", "--profile", "zynq-7000", "--json"])
        #expect(dtb.status == 1 && dtb.out.contains("\"path\": \"/amba_pl-bus@40000000/dma@7fff8000\""))
    }

    /// Each import warning is printed once, on stderr, whatever the command; the output
    /// proper is untouched.
    @Test(.requiresDtc) func importWarningsArePrintedOnce() throws {
        let dts = "Tests/SoCMapFDTTests/Fixtures/odd/reg-trailing-cells.dts"
        for arguments in [["decode", dts, "0xe000_1000"], ["show", dts], ["check", dts], ["check", dts, "--json"], ["import", dts]] {
            let r = try Tool.run(arguments)
            let lines = r.err.split(separator: "\n")
            #expect(r.status == 0 && lines.count == 2, "\(arguments): \(r.err)")
            #expect(lines.allSatisfy { $0.hasPrefix("\(dts): warning: /soc/") && $0.hasSuffix("[reg-format]") }, "\(r.err)")
            #expect(!r.out.contains("warning"))
        }
    }

    @Test func batchDecodeFromStandardInput() throws {
        func batch(_ input: String, _ extra: [String] = []) throws -> ProcessResult {
            try Tool.run(["decode", "maps/qemu-virt.yaml", "-"] + extra, input: input)
        }
        let plain = try batch("0x0900_0004\n  0x3eff0010 \n\n1073741824\n0x40_1010_8000\n0x8000_0000")
        #expect(plain.status == 1)  // the last address is unassigned
        #expect(
            plain.out == """
                0x900_0004 /pl011 +0x4
                0x3eff_0010 /pcie@10000000:io +0x10
                0x4000_0000 /mach-virt.ram +0x0
                0x40_1010_8000 /pcie@10000000:config +0x10_8000
                0x8000_0000 unassigned

                """)
        let json = try batch("0x9000004\n", ["--json"])
        #expect(
            json.status == 0 && json.out == "{\"address\":\"0x9000004\",\"status\":\"decoded\",\"unit\":\"/pl011\",\"offset\":\"0x4\"}\n")
        let bad = try batch("0x10\nnot-an-address\n0x20\n")
        #expect(
            bad.status == 2 && bad.out == "0x10 /flash:reg0 +0x10\n" && bad.err.contains("<stdin>:2: error: bad address 'not-an-address'"))
        // Answers agree with single-address decoding.
        for address in ["0x9000004", "0x3eff0010", "0x8000000000"] {
            let single = try Tool.run(["decode", "maps/qemu-virt.yaml", address, "--json"])
            let fromBatch = try batch(address + "\n", ["--json"]).out
            #expect(single.out.contains("\"status\":\"decoded\"") == fromBatch.contains("\"status\":\"decoded\""))
        }
    }
}
