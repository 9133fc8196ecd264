import ArgumentParser
import Foundation
import SecureDrop

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Revoke the session on the server and forget the stored token."
    )

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let setup = try ClientSetup(server)
        guard setup.entry != nil else {
            FileHandle.standardError.write(Data("securedrop: not logged in to \(setup.endpoint)\n".utf8))
            return
        }
        // The token is forgotten only once the server has revoked it: a copy left
        // elsewhere must not stay valid behind the user's back.
        try await setup.loggedIn().logout()
        try setup.store.remove(setup.endpoint)
        print("Logged out of \(setup.endpoint).")
    }
}
