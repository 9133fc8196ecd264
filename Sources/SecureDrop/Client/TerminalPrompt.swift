import Foundation

/// Why a secret could not be read from the user.
public enum TerminalPromptError: Error, CustomStringConvertible, Sendable, Equatable {
    case noTerminal
    case terminalUnavailable
    case nothingEntered

    public var description: String {
        switch self {
        case .noTerminal: "no terminal to ask for the password on; pipe it in with --password-stdin"
        case .terminalUnavailable: "cannot configure the terminal"
        case .nothingEntered: "no password entered"
        }
    }
}

/// Reads secrets without them ever touching argv (visible to every local user in `ps`) or
/// the environment: from the terminal with echo off, or one line of standard input. Shared
/// by `securedrop login` and `securedrop-admin user add|passwd`.
public enum TerminalPrompt {
    /// One line from standard input, without its newline (for `--password-stdin`).
    public static func readStandardInputLine() throws(TerminalPromptError) -> String {
        guard let line = Swift.readLine(strippingNewline: true) else { throw .nothingEntered }
        return line
    }

    /// Prompts on standard error and reads a line from the terminal with echo switched off
    /// (restored on every path).
    public static func readSecret(_ prompt: String) throws(TerminalPromptError) -> String {
        guard isatty(STDIN_FILENO) == 1 else { throw .noTerminal }
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { throw .terminalUnavailable }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else { throw .nothingEntered }
        return line
    }
}
