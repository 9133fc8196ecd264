import ArgumentParser
import Foundation
import SecureDrop

/// Where the server is and how to trust it: options every command takes. There is no
/// "insecure" choice: a CA file, a pinned key, or the system's CA store.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server URL, e.g. https://files.example.org:8443 (default: SECUREDROP_URL, else the last login).")
    var host: String?

    @Option(help: ArgumentHelp("Trust the CA certificates (or self-signed certificate) in this PEM file.", valueName: "file"))
    var cacert: String?

    @Option(help: ArgumentHelp("Trust exactly the server key with this pin (from `securedrop-admin cert show`).", valueName: "sha256:..."))
    var pin: String?

    func validate() throws {
        if cacert != nil && pin != nil { throw ValidationError("use either --cacert or --pin, not both") }
        if let pin {
            do {
                _ = try PublicKeyPin(parsing: pin)
            } catch {
                throw ValidationError("--pin: \(error)")
            }
        }
        if let host {
            do {
                _ = try ServerEndpoint(url: host)
            } catch {
                throw ValidationError("--host: \(error)")
            }
        }
    }

    /// The server: `--host`, else `SECUREDROP_URL`, else the server of the last login.
    func endpoint(store: CredentialStore, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServerEndpoint {
        if let text = host ?? environment["SECUREDROP_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            return try ServerEndpoint(url: text)
        }
        if let current = try store.currentServer() { return current }
        throw ValidationError("no server given: use --host https://HOST:PORT or set SECUREDROP_URL")
    }

    /// Trust: the flags, else what the login to this server used, else the system store.
    func trust(stored: CredentialStore.Entry?) throws -> TLSContext.ClientTrust {
        if let pin = pin ?? (cacert == nil ? stored?.pin : nil) {
            return .publicKeyPin(try PublicKeyPin(parsing: pin))
        }
        if let cacert = cacert ?? stored?.caCertificateFile {
            return .certificateAuthorities(file: Self.absolutePath(cacert))
        }
        return .systemDefault
    }

    /// Stored paths must survive a change of working directory.
    static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// What a command works with: the credential store, the server, its stored login (if any),
/// and a client set up to talk to it.
struct ClientSetup {
    let store: CredentialStore
    let endpoint: ServerEndpoint
    let entry: CredentialStore.Entry?
    let client: SecureDropClient

    init(_ options: ServerOptions) throws {
        store = try CredentialStore.forUser()
        endpoint = try options.endpoint(store: store)
        entry = try store.entry(for: endpoint)
        client = try SecureDropClient(endpoint: endpoint, trust: try options.trust(stored: entry), token: entry?.token)
    }

    /// The client, which must have a token: otherwise exit 3 with "run securedrop login".
    func loggedIn() throws -> SecureDropClient {
        guard client.token != nil else { throw SecureDropClientError.notLoggedIn }
        return client
    }
}
