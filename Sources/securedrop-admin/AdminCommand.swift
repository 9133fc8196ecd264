import ArgumentParser
import Foundation
import SecureDrop

/// `securedrop-admin`: manages a SecureDrop installation from the shell, on the same data
/// directory and certificate files as the server (safe while it runs: SQLite in WAL mode
/// with a busy timeout).
///
/// Exit codes: 0 success, 1 an error (one line on stderr), 2 a usage error.
@main
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "securedrop-admin",
        abstract: "Administer a SecureDrop server: users, signing secrets, files, certificates.",
        version: SecureDrop.version,
        subcommands: [InitCommand.self, UserCommand.self, SecretCommand.self, FilesCommand.self, CertCommand.self]
    )

    /// ArgumentParser exits 64 on usage errors; SPEC §7 asks for 2, and for one-line
    /// messages on operational errors.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as AdminError {
            FileHandle.standardError.write(Data("securedrop-admin: \(error)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data("securedrop-admin: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}

/// Options every admin command shares: where the installation's settings come from.
struct InstallationOptions: ParsableArguments {
    @Option(name: .customLong("env-file"), help: "Read settings from this file instead of ./.env.")
    var envFile: String?

    @Option(name: .customLong("data-dir"), help: "Data directory (SECUREDROP_DATA_DIR).")
    var dataDirectory: String?

    func loadConfiguration() throws -> Configuration {
        let environment = ProcessInfo.processInfo.environment
        do {
            let dotEnv = try Configuration.dotEnvPath(explicit: envFile, environment: environment).map(DotEnvFile.init(path:))
            var overrides: [String: String] = [:]
            if let dataDirectory { overrides["SECUREDROP_DATA_DIR"] = dataDirectory }
            return try Configuration.load(environment: environment, dotEnv: dotEnv, overrides: overrides)
        } catch {
            throw AdminError(message: "\(error)")
        }
    }

    /// The installation's accounts; one hashing thread is plenty for one command.
    func openAccounts() throws -> (Configuration, AccountServices) {
        let configuration = try loadConfiguration()
        do {
            return (configuration, try AccountServices.open(configuration: configuration, hashingThreads: 1))
        } catch {
            throw AdminError(message: "\(error)")
        }
    }
}

/// A one-line failure for the operator; exits with status 1.
struct AdminError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

struct CertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cert",
        abstract: "Show or generate the server's TLS certificate.",
        subcommands: [Show.self, Generate.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the certificate's public key pin (give it to users: securedrop --pin ...)."
        )
        @OptionGroup var installation: InstallationOptions

        func run() async throws {
            let configuration = try installation.loadConfiguration()
            do {
                let pin = try PublicKeyPin(certificateFile: configuration.tlsCertificatePath)
                print(pin)
            } catch {
                throw AdminError(message: "cannot read \(configuration.tlsCertificatePath): \(error)")
            }
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a self-signed certificate where the configuration expects one (never overwrites)."
        )
        @OptionGroup var installation: InstallationOptions

        @Option(name: .customLong("name"), help: "Extra DNS name for the certificate (repeatable).")
        var names: [String] = []

        func run() async throws {
            let configuration = try installation.loadConfiguration()
            do {
                let created = try SelfSignedCertificate.writeIfMissing(
                    certificatePath: configuration.tlsCertificatePath,
                    keyPath: configuration.tlsKeyPath,
                    dnsNames: ["localhost"] + configuration.serverNames + names,
                    ipAddresses: ["127.0.0.1", "::1"]
                )
                guard created else {
                    throw AdminError(message: "\(configuration.tlsCertificatePath) already exists; remove it first to generate a new one")
                }
                print("wrote \(configuration.tlsCertificatePath) and \(configuration.tlsKeyPath)")
                print(try PublicKeyPin(certificateFile: configuration.tlsCertificatePath))
            } catch let error as AdminError {
                throw error
            } catch {
                throw AdminError(message: "\(error)")
            }
        }
    }
}
