import ArgumentParser
import Foundation
import Logging
import SecureDrop

/// `securedrop-server`: serves the file drop over HTTPS.
///
/// Settings come from `.env`, then the environment, then these flags (each layer overrides
/// the previous). Anything invalid stops the server before it opens a port, with a message
/// that names the setting.
@main
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "securedrop-server",
        abstract: "Serve the SecureDrop file drop over HTTPS.",
        discussion: """
            Every setting can also be given as a SECUREDROP_* environment variable or in a .env \
            file; see .env.example. SIGTERM or SIGINT shut down gracefully, SIGHUP reloads the \
            TLS certificate.
            """,
        version: SecureDrop.version
    )

    @Option(help: "Address to listen on (SECUREDROP_HOST).")
    var host: String?

    @Option(help: "Port to listen on (SECUREDROP_PORT).")
    var port: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (SECUREDROP_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain (SECUREDROP_TLS_CERT).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key (SECUREDROP_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (SECUREDROP_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .customLong("env-file"), help: "Read settings from this file instead of ./.env.")
    var envFile: String?

    /// Flags as configuration keys, so they go through the same validation as every other source.
    var overrides: [String: String] {
        let pairs: [(String, String?)] = [
            ("SECUREDROP_HOST", host),
            ("SECUREDROP_PORT", port),
            ("SECUREDROP_DATA_DIR", dataDirectory),
            ("SECUREDROP_TLS_CERT", tlsCertificate),
            ("SECUREDROP_TLS_KEY", tlsKey),
            ("SECUREDROP_LOG_LEVEL", logLevel),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { key, value in value.map { (key, $0) } })
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label) }
        let configuration: Configuration
        let server: SecureDropServer
        var logger = Logger(label: "securedrop")
        do {
            let environment = ProcessInfo.processInfo.environment
            let dotEnv = try Configuration.dotEnvPath(explicit: envFile, environment: environment).map(DotEnvFile.init(path:))
            configuration = try Configuration.load(environment: environment, dotEnv: dotEnv, overrides: overrides)
            logger.logLevel = configuration.logLevel
            server = try await SecureDropServer(configuration: configuration, logger: logger)
        } catch {
            printError("securedrop-server: \(error)")
            throw ExitCode.failure
        }
        let announcement = StartupAnnouncement(server: server)
        do {
            try await serve(server, announcement: announcement)
        } catch {
            printError("securedrop-server: cannot serve on \(configuration.host):\(configuration.port): \(error)")
            throw ExitCode.failure
        }
        logger.notice("Stopped")
    }

    private func serve(_ server: SecureDropServer, announcement: StartupAnnouncement) async throws {
        try await server.run(onServerRunning: { port in
            // Written straight to the descriptor: stdout is block-buffered when piped, and
            // the operator (or a supervisor's log) must see the URL now, not at exit.
            FileHandle.standardOutput.write(Data((announcement.text(port: port) + "\n").utf8))
        })
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
