import SoCMap
import Testing

@Suite("Address arithmetic at the edges")
struct AddressTests {
    @Test func rangeEndingAtTheTopOfTheSpace() throws {
        let r = try #require(AddressRange(base: 0xFFFF_FFFF_FFFF_F000, size: 0x1000))
        #expect(r.last == .max)
        #expect(r.size == 0x1000)
        #expect(r.contains(.max))
        #expect(!r.contains(0xFFFF_FFFF_FFFF_EFFF))
    }

    @Test func overflowAndEmptyRangesAreRejected() {
        #expect(AddressRange(base: 0xFFFF_FFFF_FFFF_F000, size: 0x1001) == nil)
        #expect(AddressRange(base: .max, size: 2) == nil)
        #expect(AddressRange(base: 0x1000, size: 0) == nil)
        #expect(AddressRange(base: 0x1000, last: 0xFFF) == nil)
        #expect(AddressRange(base: .max, size: 1) != nil)
    }

    @Test func wholeSpaceHasNoRepresentableSize() {
        #expect(AddressRange.all.size == nil)
        #expect(AddressRange.all.sizeMinusOne == .max)
        #expect(AddressRange.all.naturalAlignment == 0)
    }

    @Test func displacementsDetectWrapAround() throws {
        let r = try #require(AddressRange(base: 0x1000, size: 0x1000))
        let up = Displacement(from: 0, to: 0xFFFF_FFFF_FFFF_E000)
        #expect(up.apply(r)?.last == .max)
        let further = Displacement(from: 0, to: 0xFFFF_FFFF_FFFF_F000)
        #expect(further.apply(r) == nil)
        let down = Displacement(from: 0x2000, to: 0)
        #expect(down.apply(r) == nil)
        #expect(Displacement(from: 0x1000, to: 0).apply(r) == AddressRange(base: 0, size: 0x1000))
        #expect(up.then(up.inverse) == .identity)
    }

    @Test(arguments: [
        ("0x8000_0000", UInt64(0x8000_0000)), ("0x80000000", 0x8000_0000), ("4096", 4096),
        ("1_048_576", 1 << 20), ("64K", 64 << 10), ("1G", 1 << 30), ("0x10M", 16 << 20),
        ("4KiB", 4096), ("0xffff_ffff_ffff_ffff", .max), ("16E", 0), ("0xEB", 0xEB), ("0x1E", 0x1E), ("2EB", 2 << 60), ("1KB", 1024),
    ])
    func numbersPeopleWrite(text: String, value: UInt64) {
        if text == "16E" {
            #expect(parseAddress(text) == nil)  // 2^64 does not fit
        } else {
            #expect(parseAddress(text) == value)
        }
    }

    @Test(arguments: [
        "", "0x", "0x_1", "0x1EiB", "1__0", "0x1_0000_0000_0000_0000", "18446744073709551616", "12Q", "-1", "0xG", "1.5G", "_1",
    ])
    func badNumbersAreRejected(text: String) {
        #expect(parseAddress(text) == nil)
    }

    @Test func hexForPeople() {
        #expect(hex(0) == "0x0")
        #expect(hex(0x8000_0000) == "0x8000_0000")
        #expect(hex(0x1_0000) == "0x1_0000")
        #expect(hex(.max) == "0xffff_ffff_ffff_ffff")
        #expect(sizeText(64 << 10) == "64K")
        #expect(sizeText(0x2EFF_0000) == "0x2eff_0000")
        #expect(paddedHex(0x9000000, width: 16) == "0000000009000000")
    }

    @Test func conditionsParseAndPrint() throws {
        let c = try Condition(parsing: "ocm0 == low && (a != 1M || !(b == x))")
        #expect(c.description == "ocm0 == low && (a != 1M || !(b == x))")
        #expect(try Condition(parsing: c.description) == c)
        #expect(throws: ConditionSyntaxError.self) { try Condition(parsing: "ocm0 = low") }
        #expect(throws: ConditionSyntaxError.self) { try Condition(parsing: "ocm0 == low &&") }
        #expect(throws: ConditionSyntaxError.self) { try Condition(parsing: "(a == b") }
    }
}
