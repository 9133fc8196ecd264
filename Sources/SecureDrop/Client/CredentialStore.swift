import Foundation

/// Where the `securedrop` CLI keeps its logins: one JSON file, `credentials.json`, mode 0600
/// in a directory of mode 0700 (`$XDG_CONFIG_HOME/securedrop`, else `~/.config/securedrop`).
///
/// A token is as good as a password until it expires, hence the modes: they are set on every
/// save, and the file is replaced atomically (written beside it, then renamed), so a crash
/// never leaves half a file and other users never see a readable one. One entry per server,
/// keyed by its canonical URL, with the trust settings used at login, so later commands talk
/// to the same server the same way without repeating `--pin`.
public struct CredentialStore: Sendable {
    /// One server's login.
    public struct Entry: Codable, Sendable, Equatable {
        public var username: String
        public var token: String
        public var expiresAt: Date
        /// `sha256:...`, when the login trusted a pinned key.
        public var pin: String?
        /// An absolute path, when the login trusted a CA file.
        public var caCertificateFile: String?

        public init(username: String, token: String, expiresAt: Date, pin: String? = nil, caCertificateFile: String? = nil) {
            self.username = username
            self.token = token
            self.expiresAt = expiresAt
            self.pin = pin
            self.caCertificateFile = caCertificateFile
        }

        enum CodingKeys: String, CodingKey {
            case username, token, pin
            case expiresAt = "expires_at"
            case caCertificateFile = "cacert"
        }
    }

    private struct Contents: Codable {
        /// The server of the most recent login: the default when no `--host` is given.
        var current: String?
        var servers: [String: Entry] = [:]
    }

    public static let fileName = "credentials.json"

    public let directory: String
    public var path: String { directory + "/" + Self.fileName }

    public init(directory: String) {
        self.directory = directory
    }

    /// The store in the user's configuration directory, per the XDG base directory spec.
    public static func forUser(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SecureDropClientError) -> CredentialStore {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return CredentialStore(directory: config + "/securedrop")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        guard home.hasPrefix("/") else {
            throw .localFile(path: "~/.config/securedrop", reason: "no home directory (set HOME or XDG_CONFIG_HOME)")
        }
        return CredentialStore(directory: home + "/.config/securedrop")
    }

    public func entry(for server: ServerEndpoint) throws(SecureDropClientError) -> Entry? {
        try load().servers[server.description]
    }

    /// The server of the most recent login that is still stored.
    public func currentServer() throws(SecureDropClientError) -> ServerEndpoint? {
        let contents = try load()
        guard let current = contents.current, contents.servers[current] != nil else { return nil }
        return try? ServerEndpoint(url: current)
    }

    /// Stores `entry` for `server` (replacing its previous one) and makes it the current server.
    public func save(_ entry: Entry, for server: ServerEndpoint) throws(SecureDropClientError) {
        var contents = try load()
        contents.servers[server.description] = entry
        contents.current = server.description
        try write(contents)
    }

    /// Forgets `server`'s login; nothing happens if there was none.
    public func remove(_ server: ServerEndpoint) throws(SecureDropClientError) {
        var contents = try load()
        guard contents.servers.removeValue(forKey: server.description) != nil else { return }
        if contents.current == server.description { contents.current = nil }
        try write(contents)
    }

    private func load() throws(SecureDropClientError) -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch CocoaError.fileReadNoSuchFile {
            return Contents()
        } catch {
            throw .localFile(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        do {
            return try ClientJSON.decoder().decode(Contents.self, from: data)
        } catch {
            throw .localFile(path: path, reason: "not a credentials file (remove it and log in again)")
        }
    }

    private func write(_ contents: Contents) throws(SecureDropClientError) {
        let data: Data
        do {
            data = try ClientJSON.encoder().encode(contents)
        } catch {
            throw .localFile(path: path, reason: "cannot encode: \(error)")
        }
        try makeDirectory()
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw Self.posixError(temporary) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            guard fchmod(descriptor, 0o600) == 0 else { throw Self.posixError(temporary) }
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            unlink(temporary)
            throw .localFile(path: temporary, reason: "cannot write: \(error)")
        }
        guard rename(temporary, path) == 0 else {
            let error = Self.posixError(path)
            unlink(temporary)
            throw error
        }
    }

    /// Creates the directory (and its parents) and makes it 0700 even if it existed looser.
    private func makeDirectory() throws(SecureDropClientError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .localFile(path: directory, reason: "cannot create: \(error.localizedDescription)")
        }
        guard chmod(directory, 0o700) == 0 else { throw Self.posixError(directory) }
    }

    private static func posixError(_ path: String) -> SecureDropClientError {
        .localFile(path: path, reason: String(cString: strerror(errno)))
    }
}
