import Foundation
import Testing

/// Replays the fuzz inputs kept in the repository through the fuzzers' own checks.
///
/// `Harness/` is a symlink to `Fuzz/Sources/FuzzHarness`, so the checks here are the very code
/// the libFuzzer targets run (see `Fuzz/README.md`): every file in `Fuzz/Regressions/<Target>/`
/// (inputs that once broke something, and hand-picked nasty ones) and in `Fuzz/Corpus/<Target>/`
/// (the seeds) must pass them. A broken invariant is recorded with the check's message; a crash
/// in the library crashes the test run, as it would crash the fuzzer.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// The repository root: this file is `Tests/SecureDropTests/Fuzz/FuzzRegressionTests.swift`.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let targets = ["FuzzJWT", "FuzzFileName", "FuzzMultipart", "FuzzByteRange"]

    /// `Regressions/<target>/…` and `Corpus/<target>/…`, relative to `Fuzz/`, sorted.
    static func inputs(_ target: String) -> [String] {
        ["Regressions", "Corpus"].flatMap { kind in
            let directory = root.appendingPathComponent("Fuzz/\(kind)/\(target)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(kind)/\(target)/\($0)" }
        }
    }

    private func replay(_ input: String, _ check: ([UInt8]) throws(FuzzFailure) -> Void) throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("Fuzz/\(input)"))
        do {
            try check(Array(data))
        } catch {
            Issue.record("\(input): \(error)")
        }
    }

    @Test("Every fuzz target has regression inputs and seeds", arguments: targets)
    func inputsExist(target: String) {
        let inputs = Self.inputs(target)
        #expect(inputs.contains { $0.hasPrefix("Regressions/") }, "no Fuzz/Regressions/\(target)/")
        #expect(inputs.contains { $0.hasPrefix("Corpus/") }, "no Fuzz/Corpus/\(target)/")
    }

    @Test("JWT parse/verify/sign inputs keep their invariants", arguments: inputs("FuzzJWT"))
    func jwt(input: String) throws {
        try replay(input, JWTFuzzCheck.run)
    }

    @Test("File name slugify/isValid/candidates inputs keep their invariants", arguments: inputs("FuzzFileName"))
    func fileName(input: String) throws {
        try replay(input, FileNameFuzzCheck.run)
    }

    @Test("Multipart inputs parse alike in any chunking and within the limits", arguments: inputs("FuzzMultipart"))
    func multipart(input: String) throws {
        try replay(input, MultipartFuzzCheck.run)
    }

    @Test("Range header inputs resolve as the model says", arguments: inputs("FuzzByteRange"))
    func byteRange(input: String) throws {
        try replay(input, ByteRangeFuzzCheck.run)
    }
}
