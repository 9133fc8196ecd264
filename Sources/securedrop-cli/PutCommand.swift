import ArgumentParser
import Foundation
import SecureDrop

struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Upload files; prints each one's stored name, which may differ (report-1.pdf).",
        discussion: "Without --overwrite, a name already taken gets a numbered suffix on the server."
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The files to upload.", completion: .file())
    var files: [String]

    @Flag(help: "Replace a stored file of the same name instead of storing under a new name.")
    var overwrite = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to upload") }
    }

    func run() async throws {
        let client = try ClientSetup(server).loggedIn()
        for path in files {
            let bar = ProgressBar(label: URL(fileURLWithPath: path).lastPathComponent)
            let stored = try await client.upload(file: path, overwrite: overwrite, progress: bar.map { bar in { bar.update($0) } })
            bar?.finish()
            print(stored.name)
        }
    }
}
