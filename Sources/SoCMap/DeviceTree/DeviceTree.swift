/// A device tree held as plain values: nodes with raw big-endian property bytes, in the
/// order they appear in the blob. The libfdt bridge reads and writes it; the DTS emitter
/// prints it; export and import give it meaning.
public struct DeviceTree: Hashable, Sendable {
    /// One `/memreserve/` entry.
    public struct Reservation: Hashable, Sendable {
        /// Start address.
        public var address: UInt64
        /// Length in bytes.
        public var size: UInt64

        /// Creates an entry.
        public init(address: UInt64, size: UInt64) {
            self.address = address
            self.size = size
        }
    }

    /// The memory reservation block.
    public var reservations: [Reservation]
    /// The root node (its name is empty).
    public var root: DTNode

    /// Creates a tree.
    public init(reservations: [Reservation] = [], root: DTNode = DTNode(name: "")) {
        self.reservations = reservations
        self.root = root
    }

}

/// A device-tree node.
public struct DTNode: Hashable, Sendable {
    /// `name@unit`, empty for the root.
    public var name: String
    /// Properties in blob order.
    public var properties: [DTProperty]
    /// Children in blob order.
    public var children: [DTNode]

    /// Creates a node.
    public init(name: String, properties: [DTProperty] = [], children: [DTNode] = []) {
        self.name = name
        self.properties = properties
        self.children = children
    }

    /// The property named `name`, if present.
    public subscript(name: String) -> DTProperty? { properties.first { $0.name == name } }

    /// Appends a property.
    public mutating func set(_ name: String, _ value: DTProperty.Value) {
        properties.removeAll { $0.name == name }
        properties.append(DTProperty(name: name, value: value))
    }
}

/// A device-tree property: a name and raw bytes.
public struct DTProperty: Hashable, Sendable {
    /// Ways to build a property value.
    public enum Value: Hashable, Sendable {
        /// No bytes (`ranges;`).
        case empty
        /// NUL-terminated strings, back to back.
        case strings([String])
        /// Big-endian 32-bit cells.
        case cells([UInt32])
        /// Raw bytes.
        case bytes([UInt8])
    }

    /// The name.
    public var name: String
    /// The raw value.
    public var bytes: [UInt8]

    /// Creates a property from raw bytes.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    /// Creates a property from a typed value.
    public init(name: String, value: Value) {
        self.name = name
        switch value {
        case .empty: bytes = []
        case .strings(let list): bytes = list.flatMap { Array($0.utf8) + [0] }
        case .cells(let cells): bytes = cells.flatMap { c in [UInt8(c >> 24), UInt8((c >> 16) & 0xff), UInt8((c >> 8) & 0xff), UInt8(c & 0xff)] }
        case .bytes(let b): bytes = b
        }
    }

    /// The value as 32-bit cells, or `nil` when the length is not a multiple of 4.
    public var cells: [UInt32]? {
        guard bytes.count % 4 == 0 else { return nil }
        var result: [UInt32] = []
        result.reserveCapacity(bytes.count / 4)
        var i = 0
        while i < bytes.count {
            var cell = UInt32(bytes[i]) << 24
            cell |= UInt32(bytes[i + 1]) << 16
            cell |= UInt32(bytes[i + 2]) << 8
            cell |= UInt32(bytes[i + 3])
            result.append(cell)
            i += 4
        }
        return result
    }

    /// The value as a list of strings, or `nil` when it is not NUL-terminated UTF-8 text.
    public var strings: [String]? { bytes.withUnsafeBufferPointer { Self.strings(in: $0) } }

    /// `bytes` as a list of strings, or `nil` when it is not NUL-terminated UTF-8 text.
    public static func strings(in bytes: UnsafeBufferPointer<UInt8>) -> [String]? {
        guard let last = bytes.last, last == 0 else { return nil }
        var result: [String] = []
        var start = 0, ascii = true
        for i in 0..<bytes.count {
            let b = bytes[i]
            if b != 0 {
                ascii = ascii && b < 0x80
                continue
            }
            let piece = UnsafeBufferPointer(rebasing: bytes[start..<i])
            // ASCII (nearly every device-tree string) needs no validation.
            if ascii {
                result.append(String(decoding: piece, as: UTF8.self))
            } else {
                guard let s = String(validating: piece, as: UTF8.self) else { return nil }
                result.append(s)
            }
            start = i + 1
            ascii = true
        }
        return result
    }

    /// The first string, if the value is text.
    public var string: String? { strings?.first }

    /// A single cell value, if the property is exactly one cell.
    public var u32: UInt32? {
        guard let c = cells, c.count == 1 else { return nil }
        return c[0]
    }
}

extension Array where Element == UInt32 {
    /// Reads a `count`-cell big-endian number starting at cell `index` (at most 64 bits are kept,
    /// the low ones, as Linux does).
    public func number(at index: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in index..<(index + count) { value = (value << 32) | UInt64(self[i]) }
        return value
    }
}

/// Splits a 64-bit value into `count` big-endian cells.
public func cells(_ value: UInt64, count: Int) -> [UInt32] {
    (0..<count).reversed().map { i in i >= 2 ? 0 : UInt32(truncatingIfNeeded: value >> (32 * UInt64(i))) }
}
