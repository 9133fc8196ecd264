import Foundation
import SecureDrop

/// Reads a password without it ever touching argv (visible to every local user in `ps`)
/// or the environment: from a terminal with echo off, or from standard input.
enum PasswordInput {
    /// - Parameter fromStandardInput: read one line from stdin (for scripts: `--password-stdin`).
    /// - Parameter confirm: on a terminal, ask twice.
    static func read(fromStandardInput: Bool, prompt: String, confirm: Bool) throws -> String {
        let password: String
        do {
            if fromStandardInput {
                password = try TerminalPrompt.readStandardInputLine()
            } else {
                password = try TerminalPrompt.readSecret(prompt)
                if confirm, try TerminalPrompt.readSecret("Repeat the password: ") != password {
                    throw AdminError(message: "the passwords do not match")
                }
            }
        } catch let error as TerminalPromptError {
            throw AdminError(message: error == .nothingEntered && fromStandardInput ? "--password-stdin: nothing on standard input" : "\(error)")
        }
        guard password.count >= AccountServices.minimumPasswordLength else {
            throw AdminError(message: "the password must be at least \(AccountServices.minimumPasswordLength) characters long")
        }
        guard password.utf8.count <= 1024 else {
            throw AdminError(message: "the password must be at most 1024 bytes long")
        }
        return password
    }
}
