import ArgumentParser
import Foundation
import Logging
import SecureDrop

struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List, remove and verify stored files.",
        subcommands: [List.self, Remove.self, Verify.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List files: name, size, upload date, uploader.")
        @OptionGroup var installation: InstallationOptions
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "Sort by date or name.") var sort: Sort = .date
        @Flag(help: "Reverse the order (newest or Z first).") var reverse = false
        @Option(name: .shortAndLong, help: "Show at most this many.") var limit: Int?

        enum Sort: String, ExpressibleByArgument, CaseIterable { case date, name }

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            let files = try installation.openFiles()
            let order: FileOrder = switch (sort, reverse) {
            case (.date, false): .oldestFirst
            case (.date, true): .newestFirst
            case (.name, false): .nameAscending
            case (.name, true): .nameDescending
            }
            let records = try await files.list(order: order, limit: limit)
            if json {
                print(try Output.json(records.map(FileSummary.init)))
                return
            }
            print(Output.table(
                header: ["NAME", "SIZE", "UPLOADED", "UPLOADER"],
                rows: records.map { [$0.name, ByteCountText.format(Int64($0.size)), Output.date($0.uploadedAt), $0.uploaderName] }
            ))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove files by name (whoever uploaded them).")
        @OptionGroup var installation: InstallationOptions
        @Argument(help: "File names as listed.") var names: [String]

        func validate() throws {
            if names.isEmpty { throw ValidationError("name at least one file to remove") }
        }

        func run() async throws {
            let files = try installation.openFiles()
            var failures: [String] = []
            for name in names {
                do {
                    let removed = try await files.deleteAsOperator(named: name)
                    print("removed \(removed.name)")
                } catch {
                    failures.append("\(error)")
                }
            }
            if !failures.isEmpty { throw AdminError(message: failures.joined(separator: "; ")) }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-hash every stored file against its recorded SHA-256.",
            discussion: "Exits 1 when a file is missing, has the wrong size or the wrong hash. Reads every stored byte."
        )
        @OptionGroup var installation: InstallationOptions

        func run() async throws {
            let files = try installation.openFiles()
            let report = try await FileVerifier(files: files).verify()
            for problem in report.problems { print("FAIL \(problem)") }
            for orphan in report.orphans { print("note: blob \(orphan) has no file record (left by an interrupted upload or by hand)") }
            print("\(report.checked) files checked, \(report.problems.count) problems")
            if !report.isHealthy { throw AdminError(message: "\(report.problems.count) of \(report.checked) files failed verification") }
        }
    }
}

extension InstallationOptions {
    /// The installation's file store, opened as the server opens it.
    func openFiles() throws -> FileService {
        let (configuration, accounts) = try openAccounts()
        do {
            var logger = Logger(label: "securedrop-admin")
            logger.logLevel = .critical
            return try FileService.open(configuration: configuration, accounts: accounts, logger: logger)
        } catch {
            throw AdminError(message: "\(error)")
        }
    }
}
