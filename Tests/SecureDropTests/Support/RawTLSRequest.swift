import Foundation

extension TestServer {
    /// Writes `raw` byte for byte over TLS (`openssl s_client`), as no well-behaved client
    /// would, and returns everything the server answered until it closed the connection or
    /// `openssl` reached the end of its input.
    func sendRaw(_ raw: String) async throws -> String {
        try await Command.run(
            "openssl", ["s_client", "-quiet", "-ign_eof", "-connect", "127.0.0.1:\(port)", "-servername", "localhost"],
            input: Data(raw.utf8)
        ).output
    }

    /// The status lines of what the server answered to `raw`.
    func rawStatusLines(_ raw: String) async throws -> [String] {
        Self.statusLines(in: try await sendRaw(raw))
    }

    /// Every `HTTP/1.x NNN reason` line in `output`, also where one response's body runs
    /// straight into the next response's head.
    static func statusLines(in output: String) -> [String] {
        output.matches(of: /HTTP\/1\.[01] [0-9]{3}[^\r\n]*/).map { String($0.output) }
    }
}
