// Shared by the fuzz executables (Fuzz/Sources/Fuzz*) and the main package's regression tests
// (Tests/SecureDropTests/Fuzz/FuzzRegressionTests.swift), which compile this directory through
// a symlink. Public API of `SecureDrop` only: the fuzzers link a release build of the library.

/// An invariant a fuzz check found broken. The fuzz executables turn it into a crash, so that
/// libFuzzer saves the input; the regression tests record it as a test failure.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Throws a ``FuzzFailure`` with `message` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(message()) }
}

/// Reads a fuzz input front to back. Running out is not an error: missing bytes read as zero,
/// so every input, however short, means something.
struct FuzzReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: some Collection<UInt8>) {
        self.bytes = Array(bytes)
    }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// `count` bytes (fewer if the input ends first).
    mutating func bytes(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + count)
        defer { index = max(index, end) }
        return index < end ? Array(bytes[index..<end]) : []
    }

    /// Little-endian, from up to 8 bytes.
    mutating func uint64() -> UInt64 {
        (0..<8).reduce(0) { value, shift in value | UInt64(byte()) << (8 * UInt64(shift)) }
    }

    mutating func int64() -> Int64 { Int64(bitPattern: uint64()) }

    /// A string of a length given by the next byte, decoded as UTF-8 (invalid sequences become
    /// U+FFFD, as `String(decoding:as:)` does for anything a client sends).
    mutating func shortString() -> String {
        String(decoding: bytes(Int(byte())), as: UTF8.self)
    }

    mutating func rest() -> [UInt8] { bytes(Int.max - index) }
}

/// SplitMix64: deterministic pseudo-random numbers from a seed, so a saved crash input (or a
/// failing property test, which uses it too) replays exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`; `bound` must be positive.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// FNV-1a: a cheap hash that turns the input itself into a seed where a check needs one more
/// choice than the input format spells out.
func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
    bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
}

extension Collection where Element == UInt8 {
    /// Start of the first occurrence of `needle` at or after `start`.
    func firstRange(of needle: [UInt8], from start: Index) -> Range<Index>? {
        guard !needle.isEmpty else { return start..<start }
        var position = start
        while position != endIndex {
            if self[position...].starts(with: needle) {
                return position..<index(position, offsetBy: needle.count)
            }
            position = index(after: position)
        }
        return nil
    }
}

/// Bytes shown in a failure message: printable ASCII as is, the rest escaped, long input cut.
func escaped(_ bytes: some Collection<UInt8>, limit: Int = 300) -> String {
    var text = ""
    for byte in bytes.prefix(limit) {
        switch byte {
        case 0x20..<0x7F where byte != UInt8(ascii: "\\"): text.append(Character(Unicode.Scalar(byte)))
        case UInt8(ascii: "\r"): text += "\\r"
        case UInt8(ascii: "\n"): text += "\\n"
        default: text += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
        }
    }
    return bytes.count > limit ? text + "… (\(bytes.count) bytes)" : text
}

func escaped(_ string: String, limit: Int = 300) -> String {
    escaped(Array(string.utf8), limit: limit)
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}

/// The body of every target's `LLVMFuzzerTestOneInput`: the input as bytes to `check`, and a
/// broken invariant as a crash, so that libFuzzer saves the input.
public func fuzzEntry(_ target: String, _ start: UnsafeRawPointer?, _ count: Int, _ check: ([UInt8]) throws -> Void) -> CInt {
    do {
        try check(Array(UnsafeRawBufferPointer(start: start, count: count)))
    } catch {
        fatalError("\(target): \(error)")
    }
    return 0
}
