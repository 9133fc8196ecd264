import Foundation
import NIOCore
import Testing
@testable import SecureDrop

/// The local store on its own: what a crash, an abort or a large write leaves on disk.
@Suite("Local blob store")
struct LocalBlobStoreTests {
    private func withStore(_ body: (LocalBlobStore, URL) async throws -> Void) async throws {
        let directory = try makeTemporaryDirectory("blob-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(try LocalBlobStore(dataDirectory: directory.path), directory)
    }

    private func files(under directory: URL) -> [String] {
        (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? []).filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.path + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// Enough 1 MiB writes to start several write-behind flushes.
    private func writeLarge(_ writer: any BlobWriter, mebibytes: Int) async throws -> [UInt8] {
        let hasher = SHA256Hasher()
        for index in 0..<mebibytes {
            let piece = patternBlock(index, size: 1 << 20)
            hasher.update(piece)
            try await writer.write(piece)
        }
        return hasher.finish()
    }

    @Test("A write larger than several flush intervals commits every byte, readable whole and by range")
    func largeCommit() async throws {
        try await withStore { store, _ in
            let mebibytes = 3 * LocalBlobWriter.flushInterval / (1 << 20) + 1
            let writer = try await store.makeWriter()
            let expected = try await writeLarge(writer, mebibytes: mebibytes)
            try await writer.commit()
            let hasher = SHA256Hasher()
            try await store.read(writer.id, range: nil) { hasher.update($0) }
            #expect(hasher.finish() == expected)
            #expect(try await store.size(of: writer.id) == UInt64(mebibytes << 20))
            let tail = try await store.contents(of: writer.id, range: UInt64(mebibytes << 20) - 10...UInt64(mebibytes << 20) - 1)
            #expect(Array(tail.readableBytesView) == Array(patternBlock(mebibytes - 1, size: 1 << 20).readableBytesView.suffix(10)))
        }
    }

    @Test("Aborting while a write-behind flush may still be running leaves no file at all")
    func abortDuringFlush() async throws {
        try await withStore { store, directory in
            let writer = try await store.makeWriter()
            _ = try await writeLarge(writer, mebibytes: LocalBlobWriter.flushInterval / (1 << 20) + 1)
            await writer.abort()
            #expect(files(under: directory).isEmpty)
            #expect(try await store.size(of: writer.id) == nil)
        }
    }

    @Test("contents(of:range:) of a blob shorter than asked is an error, never a short buffer")
    func shortBlob() async throws {
        try await withStore { store, _ in
            let writer = try await store.makeWriter()
            try await writer.write(ByteBuffer(string: "short"))
            try await writer.commit()
            await #expect(throws: BlobStoreError.self) { try await store.contents(of: writer.id, range: 0...99) }
            #expect(String(buffer: try await store.contents(of: writer.id, range: 1...3)) == "hor")
        }
    }
}
