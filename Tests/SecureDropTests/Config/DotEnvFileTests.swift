import Foundation
import Testing
@testable import SecureDrop

@Suite(".env files")
struct DotEnvFileTests {
    @Test("Comments, blank lines, export, quotes, escapes and inline comments")
    func syntax() throws {
        let file = try DotEnvFile(contents: """
            # a comment
               # an indented comment

            SECUREDROP_PORT=9443
            export SECUREDROP_HOST = 0.0.0.0
            export\tTABBED=yes
            SECUREDROP_DATA_DIR="/srv/secure drop"   # trailing comment
            SECUREDROP_SERVER_NAME='files.example.org'
            QUOTED="line\\none \\"two\\" back\\\\slash"
            UNKNOWN_ESCAPE="a\\tb"
            LITERAL='no \\n escapes, "double" kept'
            HASH_IN_QUOTES="a # b"
            UNQUOTED=  value with spaces   # comment
            TAB_COMMENT=value\t# comment
            HASH=abc#def
            LEADING_HASH=#def
            COMMENT_ONLY= # nothing here
            EMPTY=
            EMPTY_QUOTES=""
            EQUALS=a=b=c
            _under_score1=ok
            REPEATED=first
            REPEATED=second
            export=plain key named export
            """, path: "test.env")
        #expect(file.path == "test.env")
        #expect(file.values == [
            "SECUREDROP_PORT": "9443",
            "SECUREDROP_HOST": "0.0.0.0",
            "TABBED": "yes",
            "SECUREDROP_DATA_DIR": "/srv/secure drop",
            "SECUREDROP_SERVER_NAME": "files.example.org",
            "QUOTED": "line\none \"two\" back\\slash",
            "UNKNOWN_ESCAPE": "a\\tb",
            "LITERAL": "no \\n escapes, \"double\" kept",
            "HASH_IN_QUOTES": "a # b",
            "UNQUOTED": "value with spaces",
            "TAB_COMMENT": "value",
            "HASH": "abc#def",
            "LEADING_HASH": "#def",
            "COMMENT_ONLY": "",
            "EMPTY": "",
            "EMPTY_QUOTES": "",
            "EQUALS": "a=b=c",
            "_under_score1": "ok",
            "REPEATED": "second",
            "export": "plain key named export",
        ])
    }

    @Test("Windows line endings, a byte-order mark and a missing final newline")
    func lineEndings() throws {
        let file = try DotEnvFile(contents: "\u{FEFF}A=1\r\nB=\"two\"\r\n\r\nC=3", path: "crlf.env")
        #expect(file.values == ["A": "1", "B": "two", "C": "3"])
        // Line numbers count CRLF lines too: the bad line is the third.
        #expect(throws: ConfigurationError.malformedLine(path: "crlf.env", line: 3)) {
            try DotEnvFile(contents: "A=1\r\nB=2\r\nnot an assignment\r\n", path: "crlf.env")
        }
    }

    @Test("A malformed line is reported by number, never by content", arguments: [
        "hunter2", "=hunter2", "1KEY=hunter2", "KEY WITH SPACE=hunter2", "KEY-NAME=hunter2", "KÉY=hunter2",
        "KEY=\"hunter2", "KEY='hunter2", "KEY='x' hunter2", "KEY=\"x\"hunter2", "export =hunter2", "export KEY",
    ])
    func malformed(line: String) {
        do {
            _ = try DotEnvFile(contents: "# settings\nOK=1\n\n\(line)\nLATER=2\n", path: "/etc/sd.env")
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error == .malformedLine(path: "/etc/sd.env", line: 4))
            #expect(error.description.hasPrefix("/etc/sd.env:4: "))
            #expect(!error.description.contains("hunter2"))
            #expect(!error.description.contains(line))
        }
    }

    @Test("Reads a file from disk")
    func readsFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dotenv-\(UUID().uuidString).env").path
        try Data("export SECUREDROP_PORT=9000\nSECUREDROP_LOG_LEVEL='debug'\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try DotEnvFile(path: path)
        #expect(file.path == path)
        #expect(file.values == ["SECUREDROP_PORT": "9000", "SECUREDROP_LOG_LEVEL": "debug"])
    }

    @Test("A missing file is an error naming the path")
    func missingFile() {
        #expect(throws: ConfigurationError.unreadableFile(path: "/nonexistent/securedrop.env", reason: "no such file")) {
            try DotEnvFile(path: "/nonexistent/securedrop.env")
        }
        let error = ConfigurationError.unreadableFile(path: "/nonexistent/securedrop.env", reason: "no such file")
        #expect(error.description == "/nonexistent/securedrop.env: cannot read settings: no such file")
    }

    @Test("A directory or a binary file is unreadable, not parsed")
    func unreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory.path
        #expect(throws: ConfigurationError.unreadableFile(path: directory, reason: "not a readable file")) {
            try DotEnvFile(path: directory)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dotenv-\(UUID().uuidString).env").path
        try Data([0x41, 0x3D, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ConfigurationError.unreadableFile(path: path, reason: "not UTF-8 text")) {
            try DotEnvFile(path: path)
        }
    }
}
