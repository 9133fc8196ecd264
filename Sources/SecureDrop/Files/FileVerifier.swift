import Foundation

/// Checks that storage and metadata agree: every recorded file's bytes exist, have the
/// recorded size and hash to the recorded SHA-256; blobs nobody records are reported too.
///
/// Used by `securedrop-admin files verify`. It reads every byte, so it takes as long as
/// reading the whole store once.
public struct FileVerifier: Sendable {
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case missing(name: String)
        case sizeMismatch(name: String, recorded: UInt64, actual: UInt64)
        case hashMismatch(name: String)
        case unreadable(name: String, reason: String)

        public var name: String {
            switch self {
            case .missing(let name), .sizeMismatch(let name, _, _), .hashMismatch(let name), .unreadable(let name, _): name
            }
        }

        public var description: String {
            switch self {
            case .missing(let name): "\(name): the stored bytes are missing"
            case .sizeMismatch(let name, let recorded, let actual): "\(name): \(actual) bytes stored, \(recorded) recorded"
            case .hashMismatch(let name): "\(name): content does not match its SHA-256"
            case .unreadable(let name, let reason): "\(name): cannot be read (\(reason))"
            }
        }
    }

    public struct Report: Sendable {
        public var checked = 0
        public var problems: [Problem] = []
        /// Blobs without a record: left by a crash between storing and recording, or by hand.
        public var orphans: [BlobID] = []
        public var isHealthy: Bool { problems.isEmpty }
    }

    let blobs: any BlobStore
    let metadata: any FileMetadataStore

    public init(files: FileService) {
        self.blobs = files.blobs
        self.metadata = files.metadata
    }

    /// - Parameter progress: called after each file with its name and whether it passed.
    public func verify(progress: (String, Bool) -> Void = { _, _ in }) async throws -> Report {
        var report = Report()
        let records = try await metadata.files(order: .nameAscending, limit: nil)
        for record in records {
            report.checked += 1
            let problem = await check(record)
            if let problem { report.problems.append(problem) }
            progress(record.name, problem == nil)
        }
        let recorded = Set(records.map(\.blob))
        report.orphans = try await blobs.allBlobs().filter { !recorded.contains($0) }.sorted { $0.rawValue < $1.rawValue }
        return report
    }

    private func check(_ record: FileRecord) async -> Problem? {
        do {
            guard let size = try await blobs.size(of: record.blob) else { return .missing(name: record.name) }
            guard size == record.size else { return .sizeMismatch(name: record.name, recorded: record.size, actual: size) }
            let hasher = SHA256Hasher()
            try await blobs.read(record.blob, range: nil) { hasher.update($0) }
            return hasher.finishHex() == record.sha256 ? nil : .hashMismatch(name: record.name)
        } catch BlobStoreError.missing {
            return .missing(name: record.name)
        } catch {
            return .unreadable(name: record.name, reason: "\(error)")
        }
    }
}
