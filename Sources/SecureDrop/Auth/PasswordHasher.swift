import CArgon2
import COpenSSL
import NIOCore
import NIOPosix

/// Why a password could not be hashed or checked.
public enum PasswordHashError: Error, CustomStringConvertible, Sendable, Equatable {
    case argon2(code: Int32, message: String)
    case malformedHash

    public var description: String {
        switch self {
        case .argon2(let code, let message): "Argon2 failed (\(code)): \(message)"
        case .malformedHash: "the stored password hash is not an Argon2id PHC string"
        }
    }
}

/// Argon2id password hashing (RFC 9106) on libargon2, in PHC string form:
/// `$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>`, with a fresh 16-byte salt per hash.
///
/// Hashing is deliberately expensive (64 MiB, three passes by default), so it never runs on
/// an event loop or in Swift's cooperative pool: a dedicated thread pool with one thread
/// per core runs at most one hash per core, and the queue in front of it holds closures,
/// not 64 MiB buffers, so a login flood costs latency, not memory.
public final class PasswordHasher: Sendable {
    public let parameters: Argon2Parameters
    private let threads: NIOThreadPool
    /// A hash of a random password with the current parameters: verifying against it costs
    /// exactly what a real check costs, which hides whether a user name exists.
    private let decoy: String

    static let saltLength = 16
    static let hashLength = 32

    public init(parameters: Argon2Parameters, threads: Int = System.coreCount) throws {
        self.parameters = parameters
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads))
        self.threads.start()
        var randomPassword = [UInt8](repeating: 0, count: 32)
        _ = RAND_bytes(&randomPassword, Int32(randomPassword.count))
        self.decoy = try Self.hash(randomPassword, parameters: parameters)
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    /// A new PHC string for `password`.
    public func hash(_ password: String) async throws -> String {
        let parameters = self.parameters
        return try await threads.runIfActive { try Self.hash(Array(password.utf8), parameters: parameters) }
    }

    /// Whether `password` matches `encoded`. Constant-time in the comparison (libargon2
    /// compares with a constant-time routine); a malformed stored hash never matches.
    public func verify(_ password: String, against encoded: String) async -> Bool {
        (try? await threads.runIfActive { Self.verify(Array(password.utf8), encoded: encoded) }) ?? false
    }

    /// Spends the time of one verification and returns false: for unknown users.
    public func verifyDecoy(_ password: String) async -> Bool {
        _ = await verify(password, against: decoy)
        return false
    }

    /// Whether a stored hash was made with other parameters than the current ones, so that
    /// it should be replaced after the next successful login.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let stored = Self.parameters(of: encoded) else { return true }
        return stored != parameters
    }

    // MARK: libargon2

    static func hash(_ password: [UInt8], parameters: Argon2Parameters, salt: [UInt8]? = nil) throws -> String {
        var salt = salt ?? [UInt8](repeating: 0, count: saltLength)
        if salt.allSatisfy({ $0 == 0 }) {
            guard RAND_bytes(&salt, Int32(salt.count)) == 1 else {
                throw PasswordHashError.argon2(code: -1, message: "no randomness for the salt")
            }
        }
        let length = argon2_encodedlen(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                       UInt32(salt.count), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let result = argon2id_hash_encoded(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                           password, password.count, salt, salt.count, hashLength, &encoded, length)
        guard result == ARGON2_OK.rawValue else {
            throw PasswordHashError.argon2(code: result, message: String(cString: argon2_error_message(result)))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verify(_ password: [UInt8], encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        return argon2id_verify(encoded, password, password.count) == ARGON2_OK.rawValue
    }

    /// The cost parameters of a PHC string, or nil when it is not Argon2id v19.
    static func parameters(of encoded: String) -> Argon2Parameters? {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        guard fields.count == 6, fields[1] == "argon2id", fields[2] == "v=19" else { return nil }
        var values: [Substring: UInt32] = [:]
        for pair in fields[3].split(separator: ",") {
            let parts = pair.split(separator: "=")
            guard parts.count == 2, let value = UInt32(parts[1]) else { return nil }
            values[parts[0]] = value
        }
        guard let m = values["m"], let t = values["t"], let p = values["p"] else { return nil }
        return Argon2Parameters(memoryKiB: m, iterations: t, parallelism: p)
    }
}
