import Testing
@testable import SecureDrop

@Suite(".env files")
struct DotEnvFileTests {
    @Test("Comments, blank lines, export, quotes and escapes")
    func syntax() throws {
        let file = try DotEnvFile(contents: """
            # a comment

            SECUREDROP_PORT=9443
            export SECUREDROP_HOST = 0.0.0.0
            SECUREDROP_DATA_DIR="/srv/secure drop"   # trailing comment
            SECUREDROP_SERVER_NAME='files.example.org'
            QUOTED="line\\none \\"two\\" back\\\\slash"
            LITERAL='no \\n escapes here'
            UNQUOTED=value # comment
            HASH=abc#def
            EMPTY=
            WINDOWS=crlf\r
            """, path: "test.env")
        #expect(file.values["SECUREDROP_PORT"] == "9443")
        #expect(file.values["SECUREDROP_HOST"] == "0.0.0.0")
        #expect(file.values["SECUREDROP_DATA_DIR"] == "/srv/secure drop")
        #expect(file.values["SECUREDROP_SERVER_NAME"] == "files.example.org")
        #expect(file.values["QUOTED"] == "line\none \"two\" back\\slash")
        #expect(file.values["LITERAL"] == "no \\n escapes here")
        #expect(file.values["UNQUOTED"] == "value")
        #expect(file.values["HASH"] == "abc#def")
        #expect(file.values["EMPTY"] == "")
        #expect(file.values["WINDOWS"] == "crlf")
    }

    @Test("A malformed line is reported by number, never by content", arguments: [
        "just some words", "=value", "1KEY=value", "KEY WITH SPACE=value", "KEY=\"unterminated", "KEY='x' trailing",
    ])
    func malformed(line: String) {
        do {
            _ = try DotEnvFile(contents: "OK=1\n\(line)\n", path: "/etc/sd.env")
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error == .malformedLine(path: "/etc/sd.env", line: 2))
            #expect(error.description == "/etc/sd.env:2: expected KEY=VALUE")
        }
    }

    @Test("A missing file is a clear error naming the path")
    func missingFile() {
        #expect(throws: ConfigurationError.self) { try DotEnvFile(path: "/nonexistent/securedrop.env") }
        do {
            _ = try DotEnvFile(path: "/nonexistent/securedrop.env")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/securedrop.env: "))
        }
    }
}
