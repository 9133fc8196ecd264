import Foundation
import Logging
import Testing
@testable import SecureDrop

@Suite("Standard error log handler")
struct StandardErrorLogHandlerTests {
    @Test("A line carries time, level, label, sorted metadata (the event's over the logger's), source and message")
    func lineFormat() {
        var handler = StandardErrorLogHandler(label: "securedrop", metadataProvider: nil)
        handler[metadataKey: "request"] = "42"
        handler[metadataKey: "peer"] = "192.0.2.1"
        let event = LogEvent(
            level: .info, message: "request", metadata: ["peer": "198.51.100.7", "status": "200"],
            source: "SecureDrop", file: #fileID, function: #function, line: #line
        )
        let line = handler.formattedLine(event, at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(line == "2023-11-14T22:13:20Z info securedrop: peer=198.51.100.7 request=42 status=200 [SecureDrop] request\n")
        #expect(handler[metadataKey: "peer"] == "192.0.2.1")
    }

    @Test("An error's message and type are added as metadata")
    func errorMetadata() {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk on fire" } }
        let handler = StandardErrorLogHandler(label: "x", metadataProvider: nil)
        let event = LogEvent(level: .error, message: "failed", error: Broken(), metadata: nil, source: "S", file: "", function: "", line: 0)
        let line = handler.formattedLine(event, at: Date(timeIntervalSince1970: 0))
        #expect(line.contains("error.message=disk on fire"))
        #expect(line.contains("error.type="))
        #expect(line.hasSuffix("[S] failed\n"))
    }
}
