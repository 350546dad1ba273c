import Foundation
import SoCMap
import TestSupport
import Testing

/// The README's and the DocC catalogue's library example, verbatim between the markers: this
/// target depends on the router library alone, so the example compiles against nothing else.
func runReadmeExample() throws -> [String] {
    var printed: [String] = []
    func print(_ line: String) { printed.append(line) }
    // README example: begin
    // A small SoC: 1 GiB of DDR, an APB bus whose children sit behind a translation window,
    // and a boot ROM that only the CPU sees; a DMA engine is the second initiator.
    let map = AddressMap(
        name: "demo",
        initiators: [Initiator(name: "cpu"), Initiator(name: "dma")],
        regions: [
            Region(name: "ddr", kind: .dram, range: AddressRange(base: 0x0, size: 0x4000_0000)),
            Region(
                name: "apb", kind: .bus, range: AddressRange(base: 0xE000_0000, size: 0x10_0000),
                translation: .windows([TranslationWindow(childBase: 0, parentBase: 0xE000_0000, size: 0x10_0000)!]),
                children: [Region(name: "uart0", kind: .mmio, range: AddressRange(base: 0x1000, size: 0x1000))]),
            Region(name: "bootrom", kind: .rom, range: AddressRange(base: 0xFFFF_0000, size: 0x1_0000), seenBy: ["cpu"]),
        ])

    // Resolve once; build one router per initiator (each validates its request).
    let resolved = ResolvedMap(map)
    for initiator in ["cpu", "dma"] {
        let router = try Router(resolved, initiator: initiator)
        for address in [0xE000_1004, 0xFFFF_0010] as [UInt64] {
            guard let route = router.route(PhysicalAddress(address)) else {
                print("\(initiator): \(hex(address)) is unassigned")
                continue
            }
            let unit = router[route.unit]
            let hops = router.hops(for: route).map { "\(router[$0.hop.region].path) \(hex($0.before)) -> \(hex($0.after))" }
            print("\(initiator): \(hex(address)) is \(unit.path) (\(unit.kind)) +\(hex(route.offset)) via \(hops)")
        }
    }
    // README example: end
    return printed
}

@Suite("The library example in README.md and the DocC catalogue")
struct ReadmeExampleTests {
    static let source = packageRoot.appendingPathComponent("Tests/SoCMapTests/ReadmeExampleTests.swift")

    /// The example's lines, as written in this file, without the function's indentation.
    static func exampleInThisFile() throws -> String {
        let text = try String(contentsOf: source, encoding: .utf8)
        let body = try #require(
            text.components(separatedBy: "// README example: begin\n").dropFirst().first?.components(
                separatedBy: "    // README example: end"
            ).first)
        return body.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasPrefix("    ") ? String($0.dropFirst(4)) : String($0)
        }.joined(separator: "\n")
    }

    /// The first Swift block after `heading` in a Markdown file.
    static func swiftBlock(in file: String, after heading: String) throws -> String {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(file), encoding: .utf8)
        let section = try #require(text.components(separatedBy: heading).dropFirst().first, "\(file) has no '\(heading)'")
        return try #require(
            section.components(separatedBy: "```swift\nimport SoCMap\n\n").dropFirst().first?.components(separatedBy: "```").first)
    }

    @Test(arguments: [("README.md", "## Using the router from Swift"), ("Sources/SoCMap/SoCMap.docc/SoCMap.md", "## Route an address")])
    func documentationShowsExactlyTheTestedCode(file: String, heading: String) throws {
        #expect(
            try Self.swiftBlock(in: file, after: heading) == Self.exampleInThisFile(),
            "\(file): copy the example from ReadmeExampleTests.swift")
    }

    @Test func exampleRoutesAsTheReadmeSays() throws {
        #expect(
            try runReadmeExample() == [
                "cpu: 0xe000_1004 is /apb/uart0 (mmio) +0x4 via [\"/apb 0xe000_1004 -> 0x1004\"]",
                "cpu: 0xffff_0010 is /bootrom (rom) +0x10 via []",
                "dma: 0xe000_1004 is /apb/uart0 (mmio) +0x4 via [\"/apb 0xe000_1004 -> 0x1004\"]",
                "dma: 0xffff_0010 is unassigned",
            ])
    }
}
