import Foundation
import TestSupport
import Testing

/// dtc and cpp run as child processes; when one cannot run, the error says why in one line.
@Suite("External tools")
struct ExternalToolTests {
    /// Not installed, or no temporary folder for its input and output.
    @Test func dtcTroubleIsOneLine() throws {
        let example = "docs/examples/sdt-clusters.dts"
        let noTemp = try ProcessRunner.run(
            "env", ["TMPDIR=/nonexistent/socmap", Tool.executable.path, "import", example], directory: Tool.root)
        #expect(noTemp.status == 2)
        #expect(
            noTemp.err == "\(example): error: cannot create a temporary folder in /nonexistent/socmap: No such file or directory [dts]\n",
            "\(noTemp.err)")
        let noDtc = try ProcessRunner.run("env", ["PATH=/nonexistent", Tool.executable.path, "import", example], directory: Tool.root)
        #expect(noDtc.status == 2)
        #expect(noDtc.err == "\(example): error: dtc is not installed (Debian: device-tree-compiler) [dts]\n", "\(noDtc.err)")
    }
}
