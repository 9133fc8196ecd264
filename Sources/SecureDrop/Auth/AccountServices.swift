import Foundation
import NIOCore
import NIOPosix

/// Everything accounts need, opened from the configuration: the metadata database, the
/// password hasher, the key ring, the login throttle and the session service on top.
/// The server and `securedrop-admin` open it the same way.
public struct AccountServices: Sendable {
    /// The metadata database the store uses; files keep their records in it too.
    public let database: SQLiteDatabase
    public let store: any AccountStore
    public let hasher: PasswordHasher
    public let keyRing: KeyRing
    public let sessions: SessionService

    /// The name of the administrator created on a first start.
    public static let firstAdminName = "admin"

    public static func open(configuration: Configuration, hashingThreads: Int = System.coreCount) throws -> AccountServices {
        let database = try SQLiteDatabase(dataDirectory: configuration.dataDirectory)
        let store = SQLiteAccountStore(database: database)
        let hasher = try PasswordHasher(parameters: configuration.argon2, threads: hashingThreads)
        let keyRing = KeyRing(store: store, sessionTTL: configuration.sessionTTL)
        let sessions = SessionService(
            store: store, hasher: hasher, keyRing: keyRing, throttle: LoginThrottle(), sessionTTL: configuration.sessionTTL
        )
        return AccountServices(database: database, store: store, hasher: hasher, keyRing: keyRing, sessions: sessions)
    }

    /// Makes a fresh installation usable: a signing key, and when there are no users at
    /// all, an administrator with a random password.
    ///
    /// - Returns: the new administrator's password, to be shown once, or nil when users
    ///   existed already.
    public func bootstrap(adminName: String = firstAdminName) async throws -> String? {
        try await KeyRing.ensureActiveKey(store: store)
        guard try await store.userCount() == 0 else { return nil }
        let password = try Self.randomPassword()
        _ = try await store.createUser(name: adminName, role: .admin, passwordHash: try await hasher.hash(password))
        return password
    }

    /// 24 characters from a 144-bit random value, URL- and shell-safe.
    public static func randomPassword() throws -> String {
        try Random.token(bytes: 18)
    }

    /// User names: 1 to 64 letters, digits, dots, dashes and underscores, so a name is safe
    /// in a path segment, a log line and a shell without quoting.
    public static func isValidUserName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
    }

    /// Passwords set by an operator must be at least this long (generated ones are 24).
    public static let minimumPasswordLength = 10
}
