import ArgumentParser
import Foundation
import SecureDrop

/// `securedrop`: the command-line client for a SecureDrop server.
///
/// Exit codes: 0 success; 1 an error (one line on stderr); 2 a usage error; 3 no valid
/// session (never logged in, expired, or revoked): the fix is `securedrop login`.
@main
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "securedrop",
        abstract: "Share files through a SecureDrop server over verified HTTPS.",
        discussion: """
            The server comes from --host, else SECUREDROP_URL, else the last `securedrop login`. \
            Trust comes from --cacert or --pin (sha256:..., from `securedrop-admin cert show`), \
            else from what was given at login, else the system's CA store.

            Exit codes: 0 ok, 1 error, 2 usage, 3 not logged in or session expired.
            """,
        version: SecureDrop.version,
        subcommands: [
            LoginCommand.self, LogoutCommand.self, WhoamiCommand.self, ListCommand.self,
            PutCommand.self, GetCommand.self, RemoveCommand.self, HealthCommand.self,
        ]
    )

    /// ArgumentParser exits 64 on usage errors; we promise 2, plus 3 for a missing session
    /// and one-line messages for everything else.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as SecureDropClientError {
            fail(CLIFailure(error))
        } catch let error as CLIFailure {
            fail(error)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(CLIFailure.usageExitCode)
            }
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            fail(CLIFailure(message: "\(error)"))
        }
    }

    private static func fail(_ failure: CLIFailure) -> Never {
        FileHandle.standardError.write(Data("securedrop: \(failure.message)\n".utf8))
        Foundation.exit(failure.exitCode)
    }
}
