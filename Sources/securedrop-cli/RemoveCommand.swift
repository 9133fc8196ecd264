import ArgumentParser
import SecureDrop

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Delete files from the server."
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The stored names of the files to delete.")
    var names: [String]

    func validate() throws {
        if names.isEmpty { throw ValidationError("name at least one file to delete") }
    }

    func run() async throws {
        let client = try ClientSetup(server).loggedIn()
        for name in names {
            try await client.delete(name: name)
        }
    }
}
