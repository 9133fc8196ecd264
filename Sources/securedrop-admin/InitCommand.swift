import ArgumentParser
import Foundation
import SecureDrop

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the data directory, the signing key ring and the first administrator.",
        discussion: "The administrator's random password is printed once; nothing stores it in clear."
    )

    @OptionGroup var installation: InstallationOptions

    @Option(name: .customLong("admin-name"), help: "Name of the first administrator.")
    var adminName = AccountServices.firstAdminName

    @Flag(name: .customLong("if-needed"), help: "Succeed quietly when the installation already has users.")
    var ifNeeded = false

    func validate() throws {
        guard AccountServices.isValidUserName(adminName) else {
            throw ValidationError("--admin-name: use 1 to 64 letters, digits, dots, dashes or underscores")
        }
    }

    func run() async throws {
        let (configuration, accounts) = try installation.openAccounts()
        guard let password = try await accounts.bootstrap(adminName: adminName) else {
            if ifNeeded { return }
            let count = try await accounts.store.userCount()
            throw AdminError(message: "\(configuration.dataDirectory) is already initialised (\(count) users); use `securedrop-admin user add`")
        }
        print("Initialised \(configuration.dataDirectory).")
        print("Administrator: \(adminName)")
        print("Password:      \(password)")
        print("The password is shown only this once.")
    }
}
