import Foundation
import SecureDrop

/// `JSONWebToken.parse(_:)`, `Unverified.verify(key:now:)` and `JSONWebToken.sign(_:keyID:key:)`.
///
/// The first byte picks a mode (its lowest bit), the rest is read by that mode:
///
/// - **Token** (even first byte, `T` in the seeds): the rest is a token as a client would send
///   it. Parsing may refuse it, but a token longer than 4096 bytes is always `malformed`; a
///   parsed token has a non-empty `kid`, exactly three segments, and only base64url characters.
///   It never verifies under a key nobody signed it with. Under ``seedKey`` (the key of the
///   seed tokens in `Corpus/FuzzJWT`, which `sign` made), a token verifies only if it is
///   byte for byte what `sign` produces for the claims it carries, so no change to a signed
///   token (another base64 spelling, padding, a flipped bit) is accepted, and the claims it
///   returns are valid at the time asked about.
/// - **Sign** (odd first byte, `S` in the seeds): the rest gives a key (0–79 bytes, either side
///   of HMAC's 64-byte block), a `kid`, the claims (strings of any UTF-8, any 64-bit numbers)
///   and a mutation. The token `sign` makes must parse (unless over 4096 bytes or with an empty
///   `kid`, refused as such) with that `kid`, verify at the first and the last second of its
///   validity window with the claims unchanged, be `expired` at `exp` and `notYetValid` just
///   before `nbf`, fail under a different key, and, with one byte changed, inserted or removed,
///   either not parse or fail with `badSignature` (never "expired" or a success, which would
///   mean the signature still matched).
public enum JWTFuzzCheck {
    /// Key of the seed tokens in `Fuzz/Corpus/FuzzJWT` (their `kid` is `fuzz`).
    public static let seedKey = Array("securedrop-fuzz-seed-key-0123456".utf8)
    /// The time the token mode verifies at: inside the seed tokens' validity windows.
    public static let seedTime: Int64 = 1_800_000_000

    /// `parse` refuses longer tokens before looking at them.
    static let maximumTokenLength = 4096

    public static func run(_ data: [UInt8]) throws(FuzzFailure) {
        guard let mode = data.first else { return }
        if mode & 1 == 0 {
            try checkToken(String(decoding: data.dropFirst(), as: UTF8.self))
        } else {
            try checkSigned(FuzzReader(data.dropFirst()))
        }
    }

    // MARK: - Token mode

    private static func checkToken(_ token: String) throws(FuzzFailure) {
        let context = "token \"\(escaped(token))\""
        let parsed: JSONWebToken.Unverified
        do throws(TokenError) {
            parsed = try JSONWebToken.parse(token)
        } catch {
            if token.utf8.count > maximumTokenLength {
                try require(error == .malformed, "\(context): \(token.utf8.count) bytes refused as \(error), not malformed")
            }
            return
        }
        try require(token.utf8.count <= maximumTokenLength, "\(context): parsed although \(token.utf8.count) bytes long")
        try require(!parsed.keyID.isEmpty, "\(context): parsed with an empty kid")
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        try require(segments.count == 3, "\(context): parsed with \(segments.count) segments")
        try require(token.utf8.allSatisfy { $0 == UInt8(ascii: ".") || isBase64URL($0) }, "\(context): parsed with a non-base64url character")

        try require(result(parsed, key: otherKey(seedKey), at: seedTime) == .failure(.badSignature),
                    "\(context): verified under a key nobody signed it with")

        switch result(parsed, key: seedKey, at: seedTime) {
        case .success(let claims):
            let canonical = JSONWebToken.sign(claims, keyID: parsed.keyID, key: seedKey)
            try require(canonical == token, "\(context): verified, but sign() spells these claims \"\(escaped(canonical))\"")
            try require(claims.nbf <= seedTime && seedTime < claims.exp, "\(context): verified outside nbf \(claims.nbf) ..< exp \(claims.exp)")
        case .failure:
            break  // A wrong signature, or a seed token outside its window.
        }
    }

    // MARK: - Sign mode

    private static func checkSigned(_ input: FuzzReader) throws(FuzzFailure) {
        var input = input
        let key = input.bytes(Int(input.byte() % 80))
        let keyID = input.shortString()
        let fields = ClaimFields(
            sub: input.shortString(),
            // Repeated so that some tokens cross the 4096-byte limit.
            name: String(repeating: input.shortString(), count: Int(input.byte() % 24) + 1),
            role: input.shortString(),
            iat: input.int64(),
            nbf: input.int64(),
            exp: input.int64(),
            jti: input.shortString(),
            gen: input.int64()
        )
        let claims: SessionClaims
        do {
            claims = try JSONDecoder().decode(SessionClaims.self, from: JSONEncoder().encode(fields))
        } catch {
            throw FuzzFailure("claims \(fields) do not survive a JSON round trip: \(error)")
        }
        let mutationPosition = Int(input.byte()) << 8 | Int(input.byte())
        let mutationByte = input.byte()
        let mutationKind = input.byte() % 3

        let token = JSONWebToken.sign(claims, keyID: keyID, key: key)
        let context = "token \"\(escaped(token, limit: 120))\" signed with a \(key.count)-byte key"
        let parsed: JSONWebToken.Unverified
        do throws(TokenError) {
            parsed = try JSONWebToken.parse(token)
        } catch {
            let expected: TokenError = token.utf8.count > maximumTokenLength ? .malformed : .unknownKey
            try require(error == expected && (expected == .malformed || keyID.isEmpty), "\(context): refused as \(error)")
            return
        }
        try require(token.utf8.count <= maximumTokenLength && !keyID.isEmpty, "\(context): parsed although too long or without kid")
        try require(parsed.keyID == keyID, "\(context): kid \"\(escaped(parsed.keyID))\" instead of \"\(escaped(keyID))\"")

        // The validity window, at seconds a `Date` holds exactly (|t| < 2^50).
        let limit: Int64 = 1 << 50
        let firstInside = max(claims.nbf, -limit)
        let lastInside = min(claims.exp &- 1, limit)
        if claims.nbf < claims.exp, firstInside <= lastInside {
            for second in [firstInside, lastInside] {
                let verified = result(parsed, key: key, at: second)
                try require(verified == .success(claims), "\(context): at \(second) verify gave \(verified), claims were \(claims)")
            }
        }
        if claims.exp.magnitude < limit.magnitude {
            let verified = result(parsed, key: key, at: claims.exp)
            try require(verified == .failure(.expired), "\(context): at exp \(claims.exp) verify gave \(verified)")
        }
        if claims.nbf.magnitude < limit.magnitude, claims.nbf - 1 < claims.exp {
            let verified = result(parsed, key: key, at: claims.nbf - 1)
            try require(verified == .failure(.notYetValid), "\(context): just before nbf \(claims.nbf) verify gave \(verified)")
        }
        try require(result(parsed, key: otherKey(key), at: seedTime) == .failure(.badSignature), "\(context): verified under another key")

        // One byte changed, inserted or removed must break the signature.
        var bytes = Array(token.utf8)
        let position = mutationPosition % (bytes.count + (mutationKind == 1 ? 1 : 0))
        switch mutationKind {
        case 0: bytes[position] = bytes[position] == mutationByte ? mutationByte ^ 0x01 : mutationByte
        case 1: bytes.insert(mutationByte, at: position)
        default: bytes.remove(at: position)
        }
        let mutated = String(decoding: bytes, as: UTF8.self)
        if let reparsed = try? JSONWebToken.parse(mutated) {
            let inside = min(max(claims.nbf, -limit), limit)
            let verified = result(reparsed, key: key, at: inside)
            try require(verified == .failure(.badSignature), "\(context): changed into \"\(escaped(mutated, limit: 120))\", verify gave \(verified)")
        }
    }

    // MARK: - Helpers

    /// `SessionClaims`' fields: its memberwise initializer is not public, so claims are made the
    /// way `verify` makes them, by decoding JSON.
    private struct ClaimFields: Codable {
        var sub: String
        var name: String
        var role: String
        var iat: Int64
        var nbf: Int64
        var exp: Int64
        var jti: String
        var gen: Int64
    }

    private static func result(_ token: JSONWebToken.Unverified, key: [UInt8], at second: Int64) -> Result<SessionClaims, TokenError> {
        Result { () throws(TokenError) in try token.verify(key: key, now: Date(timeIntervalSince1970: TimeInterval(second))) }
    }

    /// A key HMAC does not treat as `key`. Not `key + [0]`: HMAC pads short keys with zeros, so
    /// `K` and `K || 0x00` are the same key (RFC 2104 §2).
    private static func otherKey(_ key: [UInt8]) -> [UInt8] {
        guard let first = key.first else { return [0x01] }
        return [first ^ 0x01] + key.dropFirst()
    }

    private static func isBase64URL(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }
}
