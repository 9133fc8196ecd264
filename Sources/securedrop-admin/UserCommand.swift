import ArgumentParser
import Foundation
import SecureDrop

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage users.",
        subcommands: [Add.self, Passwd.self, Remove.self, List.self, Disable.self, Enable.self, SetRole.self, RevokeSessions.self]
    )

    /// The named user, or a one-line error.
    static func find(_ name: String, in accounts: AccountServices) async throws -> UserRecord {
        guard let user = try await accounts.store.user(named: name) else {
            throw AdminError(message: "no user named \(name)")
        }
        return user
    }

    /// Runs a store change, turning its refusals (last admin, duplicate name) into one line.
    static func change<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as AccountStoreError {
            throw AdminError(message: error.description)
        }
    }

    /// Opens the installation, finds `name`, applies `body` and prints what it reports.
    static func modify(
        _ installation: InstallationOptions,
        _ name: String,
        _ body: (AccountServices, UserRecord) async throws -> String
    ) async throws {
        let (_, accounts) = try installation.openAccounts()
        let user = try await find(name, in: accounts)
        print(try await change { try await body(accounts, user) })
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; the password is asked for (or read with --password-stdin).")
        @OptionGroup var installation: InstallationOptions
        @Argument(help: "User name: letters, digits, dots, dashes, underscores.") var name: String
        @Option(help: "admin or user.") var role: Role = .user
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordFromStandardInput = false

        func validate() throws {
            guard AccountServices.isValidUserName(name) else {
                throw ValidationError("user name: use 1 to 64 letters, digits, dots, dashes or underscores")
            }
        }

        func run() async throws {
            let (_, accounts) = try installation.openAccounts()
            let password = try PasswordInput.read(fromStandardInput: passwordFromStandardInput, prompt: "Password for \(name): ", confirm: true)
            try await UserCommand.change {
                try await KeyRing.ensureActiveKey(store: accounts.store)
                _ = try await accounts.store.createUser(name: name, role: role, passwordHash: try await accounts.hasher.hash(password))
            }
            print("Added \(role.rawValue) \(name).")
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password; their open sessions end.")
        @OptionGroup var installation: InstallationOptions
        @Argument var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input.") var passwordFromStandardInput = false

        func run() async throws {
            try await UserCommand.modify(installation, name) { accounts, user in
                let password = try PasswordInput.read(fromStandardInput: passwordFromStandardInput, prompt: "New password for \(name): ", confirm: true)
                try await accounts.store.setPasswordHash(userID: user.id, hash: try await accounts.hasher.hash(password), endSessions: true)
                return "Password changed for \(user.name); their sessions have ended."
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user (never the last enabled admin).")
        @OptionGroup var installation: InstallationOptions
        @Argument var name: String

        func run() async throws {
            try await UserCommand.modify(installation, name) { accounts, user in
                try await accounts.store.deleteUser(id: user.id)
                return "Removed \(user.name)."
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var installation: InstallationOptions
        @Flag(help: "Print JSON.") var json = false

        struct Entry: Encodable {
            var name: String
            var role: String
            var disabled: Bool
            var created_at: Date
            var last_login_at: Date?
        }

        func run() async throws {
            let (_, accounts) = try installation.openAccounts()
            let users = try await accounts.store.allUsers()
            if json {
                let entries = users.map { Entry(name: $0.name, role: $0.role.rawValue, disabled: $0.disabled, created_at: $0.createdAt, last_login_at: $0.lastLoginAt) }
                print(try Output.json(entries))
                return
            }
            print(Output.table(
                header: ["NAME", "ROLE", "STATE", "CREATED", "LAST LOGIN"],
                rows: users.map { [$0.name, $0.role.rawValue, $0.disabled ? "disabled" : "enabled", Output.date($0.createdAt), $0.lastLoginAt.map(Output.date) ?? "never"] }
            ))
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: no login, open sessions refused.")
        @OptionGroup var installation: InstallationOptions
        @Argument var name: String

        func run() async throws {
            try await UserCommand.modify(installation, name) { accounts, user in
                try await accounts.store.setDisabled(userID: user.id, disabled: true)
                return "Disabled \(user.name)."
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var installation: InstallationOptions
        @Argument var name: String

        func run() async throws {
            try await UserCommand.modify(installation, name) { accounts, user in
                try await accounts.store.setDisabled(userID: user.id, disabled: false)
                return "Enabled \(user.name)."
            }
        }
    }

    struct SetRole: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "role", abstract: "Make a user an admin or a plain user (applies to open sessions at once).")
        @OptionGroup var installation: InstallationOptions
        @Argument var name: String
        @Argument(help: "admin or user.") var role: Role

        func run() async throws {
            try await UserCommand.modify(installation, name) { accounts, user in
                try await accounts.store.setRole(userID: user.id, role: role)
                return "\(user.name) is now \(role == .admin ? "an admin" : "a user")."
            }
        }
    }

    struct RevokeSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke-sessions", abstract: "End every open session of a user.")
        @OptionGroup var installation: InstallationOptions
        @Argument var name: String

        func run() async throws {
            try await UserCommand.modify(installation, name) { accounts, user in
                try await accounts.store.endSessions(userID: user.id)
                return "Ended every session of \(user.name)."
            }
        }
    }
}

extension Role: ExpressibleByArgument {}
