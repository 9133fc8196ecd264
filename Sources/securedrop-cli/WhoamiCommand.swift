import ArgumentParser
import SecureDrop

struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show the account the stored session belongs to, as the server sees it."
    )

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let setup = try ClientSetup(server)
        let account = try await setup.loggedIn().me()
        print("\(account.username) (\(account.role)) on \(setup.endpoint), session until \(Format.date(account.expiresAt))")
    }
}
