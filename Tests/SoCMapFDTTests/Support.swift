import Foundation
import TestSupport

/// A fixture file's URL.
func fixtureURL(_ name: String) -> URL {
    packageRoot.appendingPathComponent("Tests/SoCMapFDTTests/Fixtures/\(name)")
}

/// A fixture file's bytes.
func fixtureBytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: fixtureURL(name)))
}

/// Runs an external tool by name.
@discardableResult
func run(_ program: String, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
    try ProcessRunner.run(program, arguments, input: input)
}
