import ArgumentParser
import Foundation
import SecureDrop

struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Manage the token signing key ring (key bytes are never shown).",
        subcommands: [Rotate.self, List.self]
    )

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new active signing key. Old keys verify until their tokens expire.",
            discussion: "A running server picks the new key up within a few seconds."
        )
        @OptionGroup var installation: InstallationOptions
        @Flag(name: .customLong("revoke-all"), help: "Delete every other key now: all sessions end.") var revokeAll = false

        func run() async throws {
            let (configuration, accounts) = try installation.openAccounts()
            let key = try await KeyRing.rotate(store: accounts.store, sessionTTL: configuration.sessionTTL, revokeAll: revokeAll)
            print("New active key \(key.id).")
            if revokeAll { print("Every other key was deleted: all sessions have ended.") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List signing keys: id, age, state.")
        @OptionGroup var installation: InstallationOptions
        @Flag(help: "Print JSON.") var json = false

        struct Entry: Encodable {
            var id: String
            var created_at: Date
            var age_seconds: Int
            var active: Bool
            var retired_at: Date?
        }

        func run() async throws {
            let (_, accounts) = try installation.openAccounts()
            let now = Date()
            let entries = try await accounts.store.signingKeys().map {
                Entry(id: $0.id, created_at: $0.createdAt, age_seconds: Int(now.timeIntervalSince($0.createdAt)), active: $0.isActive, retired_at: $0.retiredAt)
            }
            if json {
                print(try Output.json(entries))
                return
            }
            print(Output.table(
                header: ["ID", "CREATED", "AGE", "STATE"],
                rows: entries.map { [$0.id, Output.date($0.created_at), Output.age($0.age_seconds), $0.active ? "active" : "retired"] }
            ))
        }
    }
}
