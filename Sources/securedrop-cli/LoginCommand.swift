import ArgumentParser
import Foundation
import SecureDrop

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in and store the session token (0600, in ~/.config/securedrop) for later commands.",
        discussion: "The trust settings given here (--pin or --cacert) are stored with the token and reused."
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The account name (asked for on a terminal when omitted).")
    var username: String?

    @Flag(help: "Read the password from the first line of standard input instead of the terminal.")
    var passwordStdin = false

    func run() async throws {
        let setup = try ClientSetup(server)
        let username = try self.username ?? Self.askUsername()
        let password = try passwordStdin
            ? TerminalPrompt.readStandardInputLine()
            : TerminalPrompt.readSecret("Password for \(username) at \(setup.endpoint): ")
        let session = try await setup.client.login(username: username, password: password)
        var pin: String?
        var caCertificateFile: String?
        switch setup.client.trust {
        case .publicKeyPin(let value): pin = value.description
        case .certificateAuthorities(let file): caCertificateFile = file
        case .systemDefault: break
        }
        let entry = CredentialStore.Entry(
            username: username, token: session.token, expiresAt: session.expiresAt, pin: pin, caCertificateFile: caCertificateFile
        )
        try setup.store.save(entry, for: setup.endpoint)
        print("Logged in to \(setup.endpoint) as \(username) until \(Format.date(session.expiresAt)).")
    }

    private static func askUsername() throws -> String {
        guard isatty(STDIN_FILENO) == 1 else { throw ValidationError("give the account name: securedrop login USERNAME") }
        FileHandle.standardError.write(Data("Username: ".utf8))
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("no account name entered") }
        return line
    }
}
