import Foundation
import SoCMap
import SoCMapChecks
import SoCMapDeviceTree
import SoCMapFDT
import SoCMapFile
import SoCMapViews
import TestSupport
import Testing

@Suite("Exported trees of random maps survive libfdt")
struct RandomMapTests {
    /// The blob libfdt writes reads back as exactly the tree export built (the map-level round
    /// trip through the tree value is SoCMapDeviceTreeTests' `RoundTripTests`).
    @Test(arguments: Array(UInt64(1)...UInt64(200)))
    func blobHoldsExactlyTheExportedTree(seed: UInt64) throws {
        let tree = DeviceTreeExport.tree(of: randomMap(seed: seed))
        #expect(try FDTReader.read(try FDTWriter.write(tree)) == tree, "seed \(seed)")
    }
}
