import COpenSSL

/// A failed OpenSSL call, with the reasons OpenSSL queued for it.
///
/// OpenSSL reports errors on a per-thread queue. Event-loop threads serve many connections,
/// so a reason left on the queue would be blamed on the next connection's call: every
/// failure is turned into an `OpenSSLError` with ``drain(_:)``, which empties the queue.
public struct OpenSSLError: Error, CustomStringConvertible, Sendable {
    /// The OpenSSL function or step that failed, e.g. `SSL_CTX_use_PrivateKey_file`.
    public let operation: String
    /// OpenSSL's own reason strings (`error:0A000086:SSL routines:...`), oldest first.
    public let reasons: [String]

    public init(operation: String, reasons: [String]) {
        self.operation = operation
        self.reasons = reasons
    }

    /// Collects (and clears) every error queued on this thread for `operation`.
    public static func drain(_ operation: String) -> OpenSSLError {
        var reasons: [String] = []
        // 256 bytes is what ERR_error_string_n's documentation recommends; longer text is
        // truncated (and still NUL-terminated) by OpenSSL.
        var text = [CChar](repeating: 0, count: 256)
        while case let code = ERR_get_error(), code != 0 {
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return OpenSSLError(operation: operation, reasons: reasons)
    }

    /// Empties this thread's error queue without looking at it, for calls whose failure is
    /// expected and handled (so the stale reasons cannot be blamed on a later call).
    public static func clear() {
        ERR_clear_error()
    }

    public var description: String {
        reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
    }
}
