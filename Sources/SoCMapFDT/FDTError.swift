internal import CLibFDT

/// A libfdt failure, or a blob or tree libfdt cannot safely handle, with the operation and
/// the node path or blob offset involved.
///
/// The description comes from libfdt's `fdt_strerror`, like swift-system's `Errno`.
public struct FDTError: Error, Hashable, Sendable, CustomStringConvertible {
    /// libfdt's (negative) error code, or 0 for problems socmap itself detects.
    public let code: Int32
    /// What was being done: `fdt_check_full`, `fdt_begin_node`, ...
    public let operation: String
    /// Where: a node path (`/amba/serial@e0000000`) or `offset 0x48`.
    public let location: String?
    /// Extra detail for problems socmap detects itself.
    public let detail: String?

    /// A libfdt error code returned by `operation`.
    public init(code: Int32, operation: String, location: String? = nil) {
        self.code = code
        self.operation = operation
        self.location = location
        detail = nil
    }

    /// A problem socmap detects itself (no libfdt code).
    public init(_ detail: String, operation: String, location: String? = nil) {
        code = 0
        self.operation = operation
        self.location = location
        self.detail = detail
    }

    /// The libfdt name of the code, `FDT_ERR_TRUNCATED`, or `nil`.
    public var codeName: String? {
        let names = [
            1: "NOTFOUND", 2: "EXISTS", 3: "NOSPACE", 4: "BADOFFSET", 5: "BADPATH", 6: "BADPHANDLE", 7: "BADSTATE",
            8: "TRUNCATED", 9: "BADMAGIC", 10: "BADVERSION", 11: "BADSTRUCTURE", 12: "BADLAYOUT", 13: "INTERNAL",
            14: "BADNCELLS", 15: "BADVALUE", 16: "BADOVERLAY", 17: "NOPHANDLES", 18: "BADFLAGS", 19: "ALIGNMENT",
        ]
        return code < 0 ? names[Int(-code)].map { "FDT_ERR_\($0)" } : nil
    }

    /// `operation failed at LOCATION: libfdt FDT_ERR_X (text)` on one line.
    public var description: String {
        var text = "\(operation) failed"
        if let location { text += " at \(location)" }
        if code < 0 {
            let message = String(cString: fdt_strerror(code))
            let name = codeName ?? String(code)
            text += ": libfdt \(name)" + (message == name ? "" : " (\(message))")
        }
        if let detail { text += ": \(detail)" }
        return text
    }
}
