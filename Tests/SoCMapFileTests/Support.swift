import Foundation
import SoCMap
import SoCMapFile
import TestSupport

/// Loads a bundled map from `maps/`.
func bundledMap(_ name: String) throws -> AddressMap {
    try MapFile.load(path: packageRoot.appendingPathComponent("maps/\(name)").path).map
}

/// The names of every bundled map.
let bundledMapNames = [
    "zynq-7000.yaml", "zynqmp.yaml", "juno.yaml", "qemu-virt.yaml", "x86-pc.yaml", "x86-nvram-domains.yaml", "zynq-7000-xen.yaml",
    "qemu-virt-xen.yaml",
]

/// Parses map text and returns the diagnostics it fails with (empty when it loads).
func inputErrors(_ text: String) -> [Diagnostic] {
    do {
        _ = try MapFile.parse(text, file: "test.yaml")
        return []
    } catch {
        return error.diagnostics
    }
}

/// The text of a fixture beside these tests.
func fixture(_ name: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent("Tests/SoCMapFileTests/Fixtures/\(name)"), encoding: .utf8)
}
