import SecureDrop

/// A failure as the user sees it: one line, and the exit status scripts can act on.
struct CLIFailure: Error, CustomStringConvertible {
    static let errorExitCode: Int32 = 1
    static let usageExitCode: Int32 = 2
    /// No usable session: scripts can tell "log in again" apart from every other failure.
    static let sessionExitCode: Int32 = 3

    let message: String
    let exitCode: Int32

    init(message: String, exitCode: Int32 = CLIFailure.errorExitCode) {
        self.message = message
        self.exitCode = exitCode
    }

    init(_ error: SecureDropClientError) {
        switch error {
        case .notLoggedIn:
            self.init(message: "not logged in; run `securedrop login`", exitCode: Self.sessionExitCode)
        case .sessionExpired(let message):
            self.init(message: "the session expired or was revoked (\(message)); run `securedrop login`", exitCode: Self.sessionExitCode)
        default:
            self.init(message: error.description)
        }
    }

    var description: String { message }
}
