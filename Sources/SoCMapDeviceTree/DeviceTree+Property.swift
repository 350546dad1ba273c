extension DeviceTree {
    /// One property of a node: its name and its raw value, with readers for the shapes the DT
    /// spec gives values (§2.2.4): empty, `<u32>` cells, big-endian numbers of several cells,
    /// NUL-terminated strings.
    public struct Property: Hashable, Sendable {
        /// The name.
        public let name: String
        /// The raw bytes.
        public let value: ArraySlice<UInt8>

        /// A property with a name and raw bytes.
        public init(name: String, value: some Sequence<UInt8>) {
            self.name = name
            self.value = ArraySlice(value)
        }

        /// A property over a slice of a tree's bytes (no copy).
        init(name: String, slice: ArraySlice<UInt8>) {
            self.name = name
            value = slice
        }

        /// A property built from a typed value.
        public init(name: String, _ value: Value) {
            var bytes: [UInt8] = []
            value.append(to: &bytes)
            self.init(name: name, value: bytes)
        }

        /// The value's length in bytes.
        public var count: Int { value.count }

        /// Cell `i` (big-endian `u32`), or `nil` when the value is shorter.
        public func cell(_ i: Int) -> UInt32? {
            guard i >= 0, 4 * i + 4 <= value.count else { return nil }
            return BigEndian.cell(in: value, at: value.startIndex + 4 * i)
        }

        /// A number of `count` cells starting at cell `i`, keeping the low 64 bits as Linux's
        /// `of_read_number` does; `nil` when the value is shorter.
        public func number(at i: Int, count: Int) -> UInt64? {
            guard i >= 0, count >= 0, 4 * (i + count) <= value.count else { return nil }
            return BigEndian.number(in: value, at: value.startIndex + 4 * i, cells: count)
        }

        /// The value as 32-bit cells, or `nil` when the length is not a multiple of 4.
        public var cells: [UInt32]? {
            guard value.count % 4 == 0 else { return nil }
            return stride(from: value.startIndex, to: value.endIndex, by: 4).map { BigEndian.cell(in: value, at: $0) }
        }

        /// A single cell value, if the property is exactly one cell.
        public var u32: UInt32? { value.count == 4 ? cell(0) : nil }

        /// The value as a list of strings, or `nil` when it is not NUL-terminated UTF-8 text.
        public var strings: [String]? {
            guard let last = value.last, last == 0 else { return nil }
            var result: [String] = []
            var start = value.startIndex
            for i in value.indices where value[i] == 0 {
                guard let s = String(validating: value[start..<i], as: UTF8.self) else { return nil }
                result.append(s)
                start = i + 1
            }
            return result
        }

        /// The first string, if the value is text.
        public var string: String? { strings?.first }

        /// A single string holding space-separated words (how socmap's annotations store lists).
        public var words: [String]? { string.map { $0.split(separator: " ").map(String.init) } }

        /// Whether the value is exactly the NUL-terminated string `text`.
        public func isString(_ text: StaticString) -> Bool {
            let expected = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            return value.count == expected.count + 1 && value.last == 0 && value.dropLast().elementsEqual(expected)
        }
    }

    /// Typed ways to write a property value.
    public enum Value: Hashable, Sendable {
        /// No bytes (`ranges;`).
        case empty
        /// NUL-terminated strings, back to back.
        case strings([String])
        /// Big-endian 32-bit cells.
        case cells([UInt32])
        /// Raw bytes.
        case bytes([UInt8])

        /// Appends the encoded value.
        func append(to bytes: inout [UInt8]) {
            switch self {
            case .empty: break
            case .strings(let list):
                for s in list {
                    bytes.append(contentsOf: s.utf8)
                    bytes.append(0)
                }
            case .cells(let cells): for c in cells { BigEndian.appendCell(c, to: &bytes) }
            case .bytes(let b): bytes.append(contentsOf: b)
            }
        }
    }
}

/// Big-endian cells, the way device trees store every number: the one encoder and decoder in
/// the package.
public enum BigEndian {
    /// Appends a 32-bit cell.
    @inlinable @inline(__always)
    public static func appendCell(_ c: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: c >> 24))
        bytes.append(UInt8(truncatingIfNeeded: c >> 16))
        bytes.append(UInt8(truncatingIfNeeded: c >> 8))
        bytes.append(UInt8(truncatingIfNeeded: c))
    }

    /// Appends a number as `count` cells (cells beyond the low two are zero).
    @inlinable @inline(__always)
    public static func appendNumber(_ value: UInt64, cells count: Int, to bytes: inout [UInt8]) {
        for i in stride(from: count - 1, through: 0, by: -1) {
            appendCell(i >= 2 ? 0 : UInt32(truncatingIfNeeded: value >> (32 * UInt64(i))), to: &bytes)
        }
    }

    /// The cell starting at index `index`; the caller checks that four bytes are there.
    @inlinable @inline(__always)
    public static func cell<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at index: Int) -> UInt32 where Bytes.Index == Int {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
    }

    /// A number of `count` cells starting at index `index`, keeping the low 64 bits as Linux's
    /// `of_read_number` does.
    @inlinable @inline(__always)
    public static func number<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at index: Int, cells count: Int) -> UInt64
    where Bytes.Index == Int {
        var value: UInt64 = 0
        for c in max(0, count - 2)..<max(count, 0) { value = value << 32 | UInt64(cell(in: bytes, at: index + 4 * c)) }
        return value
    }
}
