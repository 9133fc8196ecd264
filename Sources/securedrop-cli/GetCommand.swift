import ArgumentParser
import Foundation
import SecureDrop

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Download a file (resuming a partial one), or the newest files as a ZIP.",
        usage: "securedrop get NAME [-o PATH]\nsecuredrop get --last N -o ARCHIVE.zip",
        discussion: """
            A shorter file already at the target is resumed from where it ends; the result is \
            always checked against the server's SHA-256. Use --restart to start over instead.
            """
    )

    @OptionGroup var server: ServerOptions

    @Argument(help: "The stored name of the file.")
    var name: String?

    @Option(name: .customLong("last"), help: "Download the newest N files as one ZIP archive instead.")
    var last: Int?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Where to write (default: the file's name in the current directory).", completion: .file())
    var output: String?

    @Flag(help: "Download the whole file even if part of it is already at the target.")
    var restart = false

    func validate() throws {
        switch (name, last) {
        case (nil, nil): throw ValidationError("name a file, or use --last N")
        case (.some, .some): throw ValidationError("name a file or use --last N, not both")
        case (nil, .some(let count)) where !(1...1000).contains(count): throw ValidationError("--last must be from 1 to 1000")
        default: break
        }
        if let name, output == nil, !Self.isPlainFileName(name) {
            throw ValidationError("\(name) is not usable as a local file name; choose one with -o")
        }
    }

    func run() async throws {
        let client = try ClientSetup(server).loggedIn()
        if let last {
            let path = output ?? "last-\(last)-files.zip"
            let bar = ProgressBar(label: URL(fileURLWithPath: path).lastPathComponent)
            _ = try await client.downloadLast(n: last, to: path, progress: bar.map { bar in { bar.update($0) } })
            bar?.finish()
            print(path)
        } else if let name {
            let path = output ?? name
            let bar = ProgressBar(label: name)
            _ = try await client.download(name: name, to: path, resume: !restart, progress: bar.map { bar in { bar.update($0) } })
            bar?.finish()
            print(path)
        }
    }

    /// A stored name used as a local path must stay in the current directory.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.hasPrefix("-")
    }
}
