import COpenSSL
import Foundation

/// The claims of a SecureDrop session token.
public struct SessionClaims: Codable, Sendable, Equatable {
    /// The user's id, as a string (JWT `sub` is a string).
    public var sub: String
    /// The user's name when the token was issued (informative; the id is authoritative).
    public var name: String
    /// The role when issued. Authorization always reads the *current* role from the user
    /// record, so a demotion takes effect on existing tokens at once.
    public var role: String
    public var iat: Int64
    public var nbf: Int64
    public var exp: Int64
    public var jti: String
    /// The user's session generation when issued. Changing the password or revoking the
    /// user's sessions increments the stored generation, which invalidates every earlier
    /// token exactly, without the one-second ambiguity of comparing `iat` timestamps.
    public var gen: Int64

    /// Checks the validity window (`nbf` ≤ now < `exp`), to the second.
    public func checkValidity(at now: Date) throws(TokenError) {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        guard seconds < exp else { throw .expired }
        guard seconds >= nbf else { throw .notYetValid }
    }
}

/// Why a token was refused. Clients only ever see "Unauthorized"; the reason is for logs
/// and tests.
public enum TokenError: Error, Equatable, Sendable {
    case malformed
    case unsupportedAlgorithm(String)
    case unknownKey
    case badSignature
    case expired
    case notYetValid
    case revoked
    case unknownUser
    case userDisabled
    case sessionRevoked
}

/// Compact JWS (RFC 7515) with HS256 (HMAC-SHA-256 on OpenSSL), as RFC 7519 JWTs: any
/// standard JWT library given the key verifies these tokens.
///
/// Parsing accepts exactly one algorithm. `alg: none`, `HS512`, `RS256` (the classic
/// key-confusion attack) and anything else are refused before a key is even looked up.
public enum JSONWebToken {
    struct Header: Codable, Equatable {
        var alg: String
        var typ: String?
        var kid: String?
    }

    /// Signs `claims` with `key`, naming the key by `keyID` in the header.
    public static func sign(_ claims: SessionClaims, keyID: String, key: [UInt8]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let header = try! encoder.encode(Header(alg: "HS256", typ: "JWT", kid: keyID))
        let payload = try! encoder.encode(claims)
        let signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        return signingInput + "." + Base64URL.encode(hmacSHA256(key: key, message: Array(signingInput.utf8)))
    }

    /// A token split and its header checked, ready for signature verification.
    public struct Unverified: Sendable {
        public let keyID: String
        let signingInput: [UInt8]
        let signature: [UInt8]
        let payload: [UInt8]

        /// Checks the signature in constant time, then decodes the claims and checks the
        /// validity window against `now`.
        public func verify(key: [UInt8], now: Date = Date()) throws(TokenError) -> SessionClaims {
            let expected = hmacSHA256(key: key, message: signingInput)
            guard expected.count == signature.count,
                  CRYPTO_memcmp(expected, signature, expected.count) == 0
            else { throw .badSignature }
            guard let claims = try? JSONDecoder().decode(SessionClaims.self, from: Data(payload)) else { throw .malformed }
            try claims.checkValidity(at: now)
            return claims
        }
    }

    /// Splits a compact token and checks its header. Nothing here trusts the payload yet.
    public static func parse(_ token: String) throws(TokenError) -> Unverified {
        // Bound the work an attacker can cause before the signature check.
        guard token.utf8.count <= 4096 else { throw .malformed }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerBytes = Base64URL.decode(parts[0]),
              let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]),
              let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes))
        else { throw .malformed }
        guard header.alg == "HS256" else { throw .unsupportedAlgorithm(header.alg) }
        guard let keyID = header.kid, !keyID.isEmpty else { throw .unknownKey }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        return Unverified(keyID: keyID, signingInput: signingInput, signature: signature, payload: payload)
    }

    static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = HMAC(EVP_sha256(), key, Int32(key.count), message, message.count, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }
}

/// Base64url without padding (RFC 4648 §5), strict: padding, whitespace and the standard
/// alphabet's `+` and `/` are refused, so one token has exactly one spelling.
enum Base64URL {
    // Byte-level, without Foundation: the string replacements this used to do cost ~15 % of
    // the server's CPU on small authenticated GETs (every request decodes a token).
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var output = [UInt8]()
        output.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index < input.count {
            let count = min(3, input.count - index)
            var group = UInt32(input[index]) << 16
            if count > 1 { group |= UInt32(input[index + 1]) << 8 }
            if count > 2 { group |= UInt32(input[index + 2]) }
            // 1 byte -> 2 characters, 2 -> 3, 3 -> 4; no padding.
            for position in 0...count {
                output.append(alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += count
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = text.utf8
        guard characters.count % 4 != 1 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(characters.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in characters {
            let value: UInt8
            switch character {
            case 0x41...0x5A: value = character - 0x41        // A-Z
            case 0x61...0x7A: value = character - 0x61 + 26   // a-z
            case 0x30...0x39: value = character - 0x30 + 52   // 0-9
            case 0x2D: value = 62                             // -
            case 0x5F: value = 63                             // _
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // Reject non-canonical encodings (stray bits in the last character).
        guard accumulator == 0 else { return nil }
        return output
    }
}
