import Foundation
@testable import SecureDrop

/// Account services on a fresh SQLite database in a temporary directory, with cheap
/// Argon2 parameters: the real code paths, fast.
struct AccountFixture {
    let directory: URL
    let configuration: Configuration
    let accounts: AccountServices

    init(sessionTTL: Duration = .seconds(1800)) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("securedrop-accounts-\(UUID().uuidString)")
        var configuration = Configuration()
        configuration.dataDirectory = directory.path
        configuration.argon2 = Argon2Parameters(memoryKiB: 8192, iterations: 1, parallelism: 1)
        configuration.sessionTTL = sessionTTL
        self.configuration = configuration
        accounts = try AccountServices.open(configuration: configuration, hashingThreads: 2)
    }

    var store: any AccountStore { accounts.store }
    var sessions: SessionService { accounts.sessions }

    @discardableResult
    func addUser(_ name: String, password: String, role: Role = .user) async throws -> UserRecord {
        try await KeyRing.ensureActiveKey(store: store)
        return try await store.createUser(name: name, role: role, passwordHash: try await accounts.hasher.hash(password))
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
