import ArgumentParser
import Foundation
import NIOHTTP1
import SecureDrop

/// `securedrop`: the command-line client. For now it checks that a server answers over
/// verified TLS; login, ls, put, get and rm arrive with the client issue.
@main
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "securedrop",
        abstract: "Talk to a SecureDrop server over verified HTTPS.",
        version: SecureDrop.version,
        subcommands: [Health.self]
    )
}

/// Where the server is and how to trust it; never a silent "insecure" default.
struct ServerOptions: ParsableArguments {
    @Option(help: "Server URL, e.g. https://files.example.org:8443 (or SECUREDROP_URL).")
    var host: String?

    @Option(help: "Trust the CA certificates (or self-signed certificate) in this PEM file.")
    var cacert: String?

    @Option(help: "Trust exactly the server key with this pin (sha256:..., from `securedrop-admin cert show`).")
    var pin: String?

    struct Endpoint {
        let host: String
        let port: Int
    }

    func endpoint() throws -> Endpoint {
        guard let text = host ?? ProcessInfo.processInfo.environment["SECUREDROP_URL"] else {
            throw ValidationError("no server given: use --host https://HOST:PORT or set SECUREDROP_URL")
        }
        guard let url = URLComponents(string: text), url.scheme == "https", let host = url.host, !host.isEmpty else {
            throw ValidationError("\(text) is not an https:// URL")
        }
        return Endpoint(host: host, port: url.port ?? 443)
    }

    func tlsContext() throws -> TLSContext {
        if cacert != nil && pin != nil { throw ValidationError("use either --cacert or --pin, not both") }
        if let pin { return try TLSContext.client(trust: .publicKeyPin(PublicKeyPin(parsing: pin))) }
        if let cacert { return try TLSContext.client(trust: .certificateAuthorities(file: cacert)) }
        return try TLSContext.client(trust: .systemDefault)
    }
}

struct Health: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check that the server answers, and show the TLS session.")

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let endpoint = try server.endpoint()
        let tls = try server.tlsContext()
        do {
            try await HTTPSConnection.withConnection(host: endpoint.host, port: endpoint.port, tls: tls) { connection in
                let response = try await connection.request(.GET, "/healthz")
                print("\(response.status.code) \(response.bodyText)")
                print("\(connection.handshake.protocolVersion) \(connection.handshake.cipherSuite)")
                if response.status != .ok { throw ExitCode.failure }
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            FileHandle.standardError.write(Data("securedrop: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
