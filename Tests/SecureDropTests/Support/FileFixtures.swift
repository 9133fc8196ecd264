import Foundation
import NIOCore
import NIOHTTP1
@testable import SecureDrop

/// Building blocks for file tests: multipart bodies, hashes, logged-in users.
enum Multipart {
    struct Part {
        var field = "file"
        var fileName: String?
        var contentType: String? = "application/octet-stream"
        var data: [UInt8]
    }

    static let boundary = "----SecureDropTestBoundary7MA4YWxkTrZu0gW"
    static var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    static func body(_ parts: [Part]) -> ByteBuffer {
        var body = ByteBuffer()
        for part in parts {
            body.writeString("--\(boundary)\r\n")
            var disposition = "Content-Disposition: form-data; name=\"\(part.field)\""
            if let fileName = part.fileName { disposition += "; filename=\"\(fileName)\"" }
            body.writeString(disposition + "\r\n")
            if let contentType = part.contentType { body.writeString("Content-Type: \(contentType)\r\n") }
            body.writeString("\r\n")
            body.writeBytes(part.data)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        return body
    }
}

func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
    let hasher = SHA256Hasher()
    hasher.update(bytes)
    return hasher.finishHex()
}

func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    let words = (0..<(count + 7) / 8).map { _ in generator.next() }
    return words.withUnsafeBytes { Array($0.prefix(count)) }
}

/// Cheap, distinct blocks for large streams: one random mebibyte made once, with the block's
/// index stamped over its first bytes. (Generating fresh random data per block is far slower
/// than the server under test in a debug build.)
func patternBlock(_ index: Int, size: Int) -> ByteBuffer {
    var buffer = ByteBuffer(bytes: PatternSource.bytes.prefix(size))
    if size >= 8 { buffer.setInteger(UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15, at: buffer.readerIndex) }
    return buffer
}

private enum PatternSource {
    static let bytes = randomBytes(4 << 20)
}

extension TestServer {
    /// Creates a user and returns `Authorization` headers for them.
    func authorization(_ name: String, role: Role = .user) async throws -> HTTPHeaders {
        let password = "\(name)-password-1"
        try await addUser(name, password: password, role: role)
        return ["Authorization": "Bearer \(try await token(name, password: password))"]
    }

    /// Every file under the data directory, relative, excluding the database.
    func storedFiles() -> [String] {
        let root = server.configuration.dataDirectory
        let enumerator = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue, !path.hasPrefix(SQLiteDatabase.fileName) { files.append(path) }
        }
        return files.sorted()
    }
}

extension HTTPHeaders {
    static func + (lhs: HTTPHeaders, rhs: [(String, String)]) -> HTTPHeaders {
        var headers = lhs
        for (name, value) in rhs { headers.add(name: name, value: value) }
        return headers
    }
}

extension HTTPSResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }
}
