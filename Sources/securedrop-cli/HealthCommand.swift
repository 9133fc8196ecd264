import ArgumentParser
import SecureDrop

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that the server answers, and show the TLS session."
    )

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let setup = try ClientSetup(server)
        let health = try await setup.client.health()
        print("\(health.status) \(health.body)")
        print("\(health.protocolVersion) \(health.cipherSuite)")
        if health.status != 200 { throw CLIFailure(message: "the server is not healthy (HTTP \(health.status))") }
    }
}
