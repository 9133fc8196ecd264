import ArgumentParser
import Foundation
import SecureDrop

extension ListOrder: ExpressibleByArgument {}
extension FileSort: ExpressibleByArgument {}

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the stored files, newest first."
    )

    @OptionGroup var server: ServerOptions

    @Flag(help: "Print the files as a JSON array of objects (name, size, sha256, content_type, uploaded_at, uploader).")
    var json = false

    @Option(name: .short, help: "Show at most this many files.")
    var n: Int?

    @Option(help: "date or name.")
    var sort: FileSort = .date

    @Option(help: "asc or desc (default: desc for date, asc for name).")
    var order: ListOrder?

    func validate() throws {
        if let n, !(1...100_000).contains(n) { throw ValidationError("-n must be from 1 to 100000") }
    }

    func run() async throws {
        let files = try await ClientSetup(server).loggedIn().list(sort: sort, order: order, limit: n)
        if json {
            let data = try ClientJSON.encoder().encode(files)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(Self.table(files), terminator: "")
        }
    }

    /// Name, size, date, uploader in aligned columns; names last would be easier to align,
    /// but first is what people scan for.
    static func table(_ files: [RemoteFile]) -> String {
        let rows = [["NAME", "SIZE", "UPLOADED (UTC)", "BY"]] + files.map {
            [$0.name, Format.bytes($0.size), Format.date($0.uploadedAt), $0.uploader]
        }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}
