import ArgumentParser
import SoCMap

/// `socmap decode MAP ADDRESS...`
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Say which unit decodes each address, at which offset, through which hops.",
        discussion: "Exits 1 when an address is unassigned or reserved."
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
        let values = try addresses.map(parseAddressArgument)
        let (map, router) = try view.router()
        var allDecoded = true
        if let guest = try view.guestRouter(for: map) {
            for address in values {
                let answer = GuestDecodeAnswer(address: address, router: guest)
                print(json ? answer.json.compact : answer.text)
                allDecoded = allDecoded && answer.isDecoded
            }
            if !allDecoded { throw ExitCode(1) }
            return
        }
        for address in values {
            let answer = DecodeAnswer(address: address, router: router)
            print(json ? answer.json.compact : answer.text)
            allDecoded = allDecoded && answer.isDecoded
        }
        if !allDecoded { throw ExitCode(1) }
    }
}
