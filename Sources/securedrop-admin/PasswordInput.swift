import Foundation
import SecureDrop

/// Reads a password without it ever touching argv (visible to every local user in `ps`)
/// or the environment: from a terminal with echo off, or from standard input.
enum PasswordInput {
    /// - Parameter fromStandardInput: read one line from stdin (for scripts: `--password-stdin`).
    /// - Parameter confirm: on a terminal, ask twice.
    static func read(fromStandardInput: Bool, prompt: String, confirm: Bool) throws -> String {
        let password: String
        if fromStandardInput {
            guard let line = Swift.readLine(strippingNewline: true) else {
                throw AdminError(message: "--password-stdin: nothing on standard input")
            }
            password = line
        } else {
            guard isatty(STDIN_FILENO) == 1 else {
                throw AdminError(message: "no terminal to ask for the password on; pipe it in with --password-stdin")
            }
            password = try readSilently(prompt)
            if confirm, try readSilently("Repeat the password: ") != password {
                throw AdminError(message: "the passwords do not match")
            }
        }
        guard password.count >= AccountServices.minimumPasswordLength else {
            throw AdminError(message: "the password must be at least \(AccountServices.minimumPasswordLength) characters long")
        }
        guard password.utf8.count <= 1024 else {
            throw AdminError(message: "the password must be at most 1024 bytes long")
        }
        return password
    }

    /// Prompts on the terminal and reads a line with echo switched off (restored on every path).
    private static func readSilently(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { throw AdminError(message: "cannot configure the terminal") }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else { throw AdminError(message: "no password entered") }
        return line
    }
}
