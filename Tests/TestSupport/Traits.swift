public import Testing

extension Trait where Self == ConditionTrait {
    /// Runs the test only where `tool` is installed; elsewhere it is skipped with a message
    /// naming the Debian package. CI installs every tool, so CI runs every such test.
    public static func requires(_ tool: String, package: String) -> Self {
        .enabled(if: ProcessRunner.isInstalled(tool), "needs \(tool) (Debian: \(package)), which is not installed here")
    }

    /// Needs dtc (DTS input, and the decompile oracle).
    public static var requiresDtc: Self { requires("dtc", package: "device-tree-compiler") }

    /// Needs dt-validate (dt-schema).
    public static var requiresDtValidate: Self { requires("dt-validate", package: "dt-schema") }

    /// Needs cpp (DTS with `#include`).
    public static var requiresCpp: Self { requires("cpp", package: "cpp") }
}
