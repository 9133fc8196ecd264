// Micro-benchmarks for the costs that bound the server (issue 7, item 3): what one login, one
// token check, one MiB of multipart or of upload hashing costs on this machine. Run through
// `Benchmarks/micro.sh`, which builds this in release and writes the results file.
//
// Each measurement repeats its operation for at least `--seconds` and prints one table row.
// Numbers are per core unless the row says otherwise.
import Foundation
import NIOCore
import SecureDrop

struct Measurement: Sendable {
    let name: String
    let operations: Int
    let seconds: Double
    let unit: String
    let scale: Double

    var row: String {
        let rate = Double(operations) * scale / seconds
        let perOperation = seconds / Double(operations)
        let time = perOperation >= 1e-3 ? String(format: "%.1f ms", perOperation * 1e3) : String(format: "%.2f µs", perOperation * 1e6)
        return "| \(name) | \(String(format: rate >= 100 ? "%.0f" : "%.1f", rate)) \(unit) | \(time) |"
    }
}

/// Runs `operation` in batches until `minimum` has passed; `operation` returns a value that is
/// folded into a checksum so the optimizer cannot drop the work.
func measure(_ name: String, unit: String, scale: Double = 1, minimum: Double, _ operation: () throws -> Int) rethrows -> Measurement {
    var checksum = 0
    var operations = 0
    let start = ContinuousClock.now
    var elapsed = 0.0
    repeat {
        checksum &+= try operation()
        operations += 1
        let duration = ContinuousClock.now - start
        elapsed = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    } while elapsed < minimum
    if checksum == 42 { print("", terminator: "") }
    return Measurement(name: name, operations: operations, seconds: elapsed, unit: unit, scale: scale)
}

nonisolated func measureAsync(_ name: String, unit: String, minimum: Double, _ operation: () async throws -> Int) async rethrows -> Measurement {
    var operations = 0
    let start = ContinuousClock.now
    var elapsed = 0.0
    repeat {
        _ = try await operation()
        operations += 1
        let duration = ContinuousClock.now - start
        elapsed = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    } while elapsed < minimum
    return Measurement(name: name, operations: operations, seconds: elapsed, unit: unit, scale: 1)
}

let seconds = CommandLine.arguments.firstIndex(of: "--seconds").flatMap { Double(CommandLine.arguments[$0 + 1]) } ?? 2
/// `--only WORD`: run only the rows whose group name contains WORD (argon2, jwt, hash, multipart, auth).
let only = CommandLine.arguments.firstIndex(of: "--only").map { CommandLine.arguments[$0 + 1] }
func selected(_ group: String) -> Bool { only.map { group.contains($0) } ?? true }
var rows: [Measurement] = []

// Passwords: one Argon2id hash at the default parameters (SECUREDROP_ARGON2_*), which is also
// what every login costs, wrong password or unknown user alike.
if selected("argon2") {
    let parameters = Argon2Parameters()
    let hasher = try PasswordHasher(parameters: parameters)
    let encoded = try await hasher.hash("correct horse battery staple")
    rows.append(await measureAsync(
        "Argon2id verify (m=\(parameters.memoryKiB) KiB, t=\(parameters.iterations), p=\(parameters.parallelism))",
        unit: "logins/s", minimum: seconds
    ) { await hasher.verify("correct horse battery staple", against: encoded) ? 1 : 0 })
}

// Tokens: signing at login, and the full parse + HMAC + claims decode a request pays the first
// time a token is seen (later requests hit the server's verified-token cache).
let key = Array("a 32-byte benchmark signing key!".utf8)
let claimsJSON = #"{"sub":"1","name":"alice","role":"user","iat":1764000000,"nbf":1764000000,"exp":4102444800,"jti":"0123456789abcdef0123456789abcdef","gen":0}"#
let claims = try JSONDecoder().decode(SessionClaims.self, from: Data(claimsJSON.utf8))
let token = JSONWebToken.sign(claims, keyID: "k1", key: key)
if selected("jwt") {
    rows.append(measure("JWT sign (HS256)", unit: "tokens/s", minimum: seconds) { JSONWebToken.sign(claims, keyID: "k1", key: key).utf8.count })
    rows.append(try measure("JWT parse + verify + claims decode", unit: "tokens/s", minimum: seconds) {
        try JSONWebToken.parse(token).verify(key: key).sub.utf8.count
    })
}

// Upload hashing: every stored byte goes through SHA-256 (the ETag) and CRC-32 (the ZIP route).
let mebibyte = ByteBuffer(bytes: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })
if selected("hash") {
    rows.append(measure("SHA-256 (OpenSSL)", unit: "MiB/s", minimum: seconds) {
        let sha = SHA256Hasher()
        sha.update(mebibyte)
        return Int(sha.finish()[0])
    })
    rows.append(measure("CRC-32 (zlib)", unit: "MiB/s", minimum: seconds) {
        var crc = CRC32()
        crc.update(mebibyte)
        return Int(crc.value)
    })
}

// Multipart: one 64 MiB file part in 64 KiB chunks, as the server receives a browser upload.
let boundary = "----SecureDropBenchmarkBoundary7MA4YWxkTrZu0gW"
var body = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
for _ in 0..<64 { body.writeImmutableBuffer(mebibyte) }
body.writeString("\r\n--\(boundary)--\r\n")
let chunks = stride(from: 0, to: body.readableBytes, by: 64 << 10).map { body.getSlice(at: $0, length: min(64 << 10, body.readableBytes - $0))! }
if selected("multipart") { rows.append(try measure("multipart parse, 64 KiB chunks", unit: "MiB/s", scale: 64, minimum: seconds) {
    var parser = try MultipartStreamParser(contentType: "multipart/form-data; boundary=\(boundary)")
    var bytes = 0
    for chunk in chunks {
        for event in try parser.feed(chunk) {
            if case .bodyChunk(let piece) = event { bytes += piece.readableBytes }
        }
    }
    try parser.finish()
    return bytes
}) }

// Authentication: what every authenticated request pays once its token is in the verified-token
// cache (key trust, validity window, and the session row: deny list, user, role, generation),
// and the session row lookup alone.
if selected("auth") {
let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("securedrop-micro-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
var configuration = Configuration()
configuration.dataDirectory = dataDirectory
let accounts = try AccountServices.open(configuration: configuration)
let adminPassword = try await accounts.bootstrap()!
let issued = try await accounts.sessions.login(username: AccountServices.firstAdminName, password: adminPassword, clientAddress: "127.0.0.1")
let session = try await accounts.sessions.authenticate(issued.token)
// Off the main actor: top-level code is main-actor isolated, and each call from it would add
// two executor hops that the server (whose handlers run on an event loop) does not pay.
rows += await Task.detached {
    [
        await measureAsync("authenticate a known token (cache hit + session row)", unit: "requests/s", minimum: seconds) {
            (try? await accounts.sessions.authenticate(issued.token))?.name.utf8.count ?? 0
        },
        await measureAsync("session row lookup (SQLite, inline)", unit: "lookups/s", minimum: seconds) {
            (try? await accounts.store.session(userID: session.id, tokenID: session.tokenID))?.user?.name.utf8.count ?? 0
        },
    ]
}.value
}

print("| operation | rate | time each |")
print("|---|---|---|")
for row in rows { print(row.row) }
