import ArgumentParser
import SoCMap
import SoCMapViews

/// `socmap decode MAP ADDRESS...`
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Say which unit decodes each address, at which offset, through which hops.",
        discussion:
            "Exits 1 when an address is unassigned or reserved. With ADDRESS '-', reads one address per line from standard input and writes one answer per line."
    )

    @OptionGroup var view: ViewOptions

    @Argument(help: "Addresses to decode.")
    var addresses: [String] = []

    @Flag(name: .long, help: "One JSON object per address, one per line.")
    var json = false

    func validate() throws {
        if addresses.isEmpty { throw ValidationError("give at least one ADDRESS") }
    }

    func run() throws {
        if addresses == ["-"] {
            guard case (_, .host(let router)) = try view.view() else {
                throw ToolError("decode -: batch decoding of a guest view is not supported yet; decode guest addresses one by one")
            }
            var batch = BatchDecoder(router: router, json: json)
            if !batch.run() { throw ExitCode(2) }
            if batch.unassigned > 0 { throw ExitCode(1) }
            return
        }
        let values = try addresses.map(parseAddressArgument)
        var allDecoded = true
        let (_, resolved) = try view.view()
        for address in values {
            switch resolved {
            case .host(let router):
                let answer = DecodeAnswer(address: PhysicalAddress(address), router: router)
                print(json ? answer.json.compact : answer.text)
                allDecoded = allDecoded && answer.isDecoded
            case .guest(let guest):
                let answer = GuestDecodeAnswer(address: GuestPhysicalAddress(address), router: guest)
                print(json ? answer.json.compact : answer.text)
                allDecoded = allDecoded && answer.isDecoded
            }
        }
        if !allDecoded { throw ExitCode(1) }
    }
}
