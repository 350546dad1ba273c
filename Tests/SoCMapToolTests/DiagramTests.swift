import Foundation
import TestSupport
import Testing

/// `socmap show --format svg`, judged by xmllint and by Chromium.
@Suite("Memory-map pictures", .serialized)
struct DiagramTests {
    func svg(_ arguments: [String]) throws -> String {
        let r = try Tool.run(["show"] + arguments + ["--format", "svg"])
        #expect(r.status == 0, "\(r.err)")
        return r.out
    }

    /// Same input, same bytes; docs/zynq-7000.svg is exactly the generated picture.
    @Test func picturesAreDeterministicAndCommitted() throws {
        let a = try svg(["maps/zynq-7000.yaml"])
        #expect(a == (try svg(["maps/zynq-7000.yaml"])))
        #expect(a.hasPrefix("<?xml") && a.contains("initiator hp") && a.contains(">axi_gpio_0<"))
        try Tool.golden("../../../docs/zynq-7000.svg", a)
        let low = try svg(["maps/zynq-7000.yaml", "--set", "ocm0=low", "--set", "ocm1=low", "--set", "ocm2=low", "--set", "ocm3=low"])
        #expect(low != a && low.contains("ocm0=low ocm1=low ocm2=low ocm3=low"))
        try Tool.golden("../../../docs/zynq-7000-ocm-low.svg", low)
        let guest = try svg(["maps/zynq-7000-xen.yaml", "--domain", "domU1"])
        try Tool.golden("../../../docs/zynq-7000-xen-domU1.svg", guest)
        #expect(guest.contains("domain domU1") && guest.contains("<polygon"), "a band from each backed guest range to its host range")
    }

    /// Valid XML (xmllint), rendered by headless Chromium without a parse error into a picture
    /// that is not blank.
    @Test(.requiresXmllint, .requiresChromium) func chromiumDrawsThePicture() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, arguments) in [
            ("zynq", ["maps/zynq-7000.yaml"]), ("zynqmp", ["maps/zynqmp.yaml"]), ("xen", ["maps/qemu-virt-xen.yaml", "--domain", "domU2"]),
        ] {
            let file = folder.appendingPathComponent("\(name).svg")
            let r = try Tool.run(["show"] + arguments + ["--format", "svg", "-o", file.path])
            #expect(r.status == 0, "\(r.err)")
            let lint = try ProcessRunner.run("xmllint", ["--noout", file.path])
            #expect(lint.status == 0 && lint.err.isEmpty, "\(name): \(lint.err)")
            let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
            let dom = try ProcessRunner.run("timeout", ["60", "chromium"] + flags + ["--dump-dom", "file://" + file.path])
            #expect(dom.status == 0 && dom.out.contains("<svg") && !dom.out.contains("parsererror"), "\(name): \(dom.out.prefix(500))")
            let png = folder.appendingPathComponent("\(name).png")
            let shot = try ProcessRunner.run(
                "timeout", ["60", "chromium"] + flags + ["--screenshot=\(png.path)", "--window-size=1000,1200", "file://" + file.path])
            #expect(shot.status == 0, "\(name): \(shot.err.suffix(500))")
            // Not blank: many distinct colours in the decoded pixels.
            let colours = try ProcessRunner.run("python3", ["-c", Self.countColours, png.path])
            #expect((Int(colours.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 5, "\(name): \(colours.out) \(colours.err)")
        }
    }

    /// The HTML page, opened from `file://` by headless Chromium with an address in its URL,
    /// answers as `socmap decode` does (its first line), in several views and switch settings.
    @Test(.requiresChromium) func htmlPageAnswersLikeDecode() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (map, queries) in [
            ("zynq-7000", ["0x4120_0004", "hp@/0xc000_0010", "cpu/0xffff_fff0", "0x1", "other/0x0", "hp/0x4120_0000"]),
            ("zynqmp", ["0xff00_0000", "rpu/0x8_0000_0000", "0x80_0000_0000", "0xffff_ffff_ffff_ffff"]),
        ] {
            let page = folder.appendingPathComponent("\(map).html")
            let r = try Tool.run(["show", "maps/\(map).yaml", "--format", "html", "-o", page.path])
            #expect(r.status == 0, "\(r.err)")
            let html = try String(contentsOf: page, encoding: .utf8)
            #expect(!html.contains("src=") && !html.contains("href="), "self-contained: nothing to fetch")
            var all = queries
            // One query in a switch setting other than the default, for each map with switches.
            if let switches = html.range(of: #""switches":"[^"]*ocm0=low[^"]*scu-filter-start=1M""#, options: .regularExpression) {
                let text = String(html[switches]).dropFirst(12).dropLast()
                let index = html[..<switches.lowerBound].components(separatedBy: #""setting":"#).last?.prefix { $0.isNumber } ?? "0"
                all.append("cpu@\(index)/0x0|" + text)
            }
            for q in all {
                let (query, setting) = q.contains("|") ? (String(q.split(separator: "|")[0]), String(q.split(separator: "|")[1])) : (q, "")
                let dom = try ProcessRunner.run(
                    "timeout",
                    ["60", "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://\(page.path)#\(query)"])
                let answer = dom.out.components(separatedBy: #"<output id="answer">"#).dropFirst().first?.components(
                    separatedBy: "</output>"
                ).first
                var decode = ["decode", "maps/\(map).yaml", String(query.split(separator: "/").last!)]
                let view =
                    query.contains("/")
                    ? String(query.split(separator: "/")[0]).split(separator: "@", omittingEmptySubsequences: false) : []
                if let initiator = view.first, !initiator.isEmpty { decode += ["--initiator", String(initiator)] }
                for pair in setting.split(separator: " ") { decode += ["--set", String(pair)] }
                let expected = try Tool.run(decode).out.split(separator: "\n").first.map(String.init)
                #expect(answer != nil && answer == expected, "\(map) \(q): page \(answer ?? "nothing"), decode \(expected ?? "nothing")")
            }
        }
    }

    /// Distinct colours of an 8-bit RGB(A) PNG, with the standard library only.
    static let countColours = """
        import sys, zlib, struct
        data = open(sys.argv[1], 'rb').read()
        pos, idat, w, h, ct = 8, b'', 0, 0, 0
        while pos < len(data):
            n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
            if kind == b'IHDR': w, h, depth, ct = struct.unpack('>IIBB', body[:10])
            if kind == b'IDAT': idat += body
        bpp = 4 if ct == 6 else 3
        raw, stride, prev, seen = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set()
        for y in range(h):
            f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                if f == 1: line[i] = (line[i] + a) & 255
                elif f == 2: line[i] = (line[i] + b) & 255
                elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            for x in range(0, stride, bpp * 7): seen.add(bytes(line[x:x + 3]))
            prev = line
        print(len(seen))
        """
}
