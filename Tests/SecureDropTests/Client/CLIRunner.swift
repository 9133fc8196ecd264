import Foundation
@testable import SecureDrop

/// The built `securedrop` binary run as a user would, against one test server, with a
/// temporary HOME and XDG_CONFIG_HOME so the credential store is private to the test.
struct CLIRunner {
    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("securedrop").path
    }

    let server: TestServer
    let home: URL

    init(server: TestServer) throws {
        self.server = server
        home = try makeTemporaryDirectory("securedrop-cli-home")
    }

    var configDirectory: URL { home.appendingPathComponent("config/securedrop") }
    var url: String { "https://127.0.0.1:\(server.port)" }
    var pin: String { get throws { try PublicKeyPin(certificateFile: server.certificatePath).description } }

    /// Runs `securedrop <arguments>`; the server URL comes from SECUREDROP_URL.
    func run(_ arguments: [String], input: String? = nil) async throws -> Command.Result {
        try await Command.run(
            Self.executable, arguments, input: input.map { Data($0.utf8) },
            environment: [
                "HOME": home.path,
                "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
                "SECUREDROP_URL": url,
            ]
        )
    }

    /// Creates `name` on the server and logs the CLI in as them, trusting the server's pin.
    func login(_ name: String = "alice") async throws -> Command.Result {
        let password = "\(name)-password-1"
        try await server.addUser(name, password: password)
        return try await run(["login", name, "--password-stdin", "--pin", try pin], input: password + "\n")
    }

    /// A local file with `bytes` in the temporary home.
    func makeFile(_ relativePath: String, _ bytes: [UInt8]) throws -> String {
        let url = home.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    func path(_ relativePath: String) -> String { home.appendingPathComponent(relativePath).path }

    func remove() {
        try? FileManager.default.removeItem(at: home)
    }
}

func sha256Hex(ofFile path: String) throws -> String {
    sha256Hex(try Data(contentsOf: URL(fileURLWithPath: path)))
}

func posixMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
