import CArgon2
import Foundation
import Testing
@testable import SecureDrop

@Suite("Argon2id password hashing")
struct PasswordHasherTests {
    static let cheap = Argon2Parameters(memoryKiB: 8192, iterations: 1, parallelism: 1)

    @Test("RFC 9106 §5.3 test vector (Argon2id with secret and associated data)")
    func rfc9106Vector() {
        var password = [UInt8](repeating: 0x01, count: 32)
        var salt = [UInt8](repeating: 0x02, count: 16)
        var secret = [UInt8](repeating: 0x03, count: 8)
        var associated = [UInt8](repeating: 0x04, count: 12)
        var tag = [UInt8](repeating: 0, count: 32)
        let result = tag.withUnsafeMutableBufferPointer { out in
            password.withUnsafeMutableBufferPointer { pwd in
                salt.withUnsafeMutableBufferPointer { salt in
                    secret.withUnsafeMutableBufferPointer { secret in
                        associated.withUnsafeMutableBufferPointer { ad in
                            var context = argon2_context(
                                out: out.baseAddress, outlen: 32, pwd: pwd.baseAddress, pwdlen: 32,
                                salt: salt.baseAddress, saltlen: 16, secret: secret.baseAddress, secretlen: 8,
                                ad: ad.baseAddress, adlen: 12, t_cost: 3, m_cost: 32, lanes: 4, threads: 4,
                                version: UInt32(ARGON2_VERSION_13.rawValue), allocate_cbk: nil, free_cbk: nil, flags: 0
                            )
                            return argon2_ctx(&context, Argon2_id)
                        }
                    }
                }
            }
        }
        #expect(result == ARGON2_OK.rawValue)
        let expected = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"
        #expect(tag.map { String(format: "%02x", $0) }.joined() == expected)
    }

    @Test("The reference implementation's PHC vector: password / somesalt, m=65536, t=2, p=1")
    func referencePHCVector() throws {
        let encoded = try PasswordHasher.hash(
            Array("password".utf8), parameters: Argon2Parameters(memoryKiB: 65536, iterations: 2, parallelism: 1),
            salt: Array("somesalt".utf8)
        )
        #expect(encoded == "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
        #expect(PasswordHasher.verify(Array("password".utf8), encoded: encoded))
        #expect(!PasswordHasher.verify(Array("Password".utf8), encoded: encoded))
    }

    @Test("PHC round trip: fresh salt each time, verify, parameters parsed back")
    func roundTrip() async throws {
        let hasher = try PasswordHasher(parameters: Self.cheap, threads: 1)
        let first = try await hasher.hash("correct horse battery staple")
        let second = try await hasher.hash("correct horse battery staple")
        #expect(first.hasPrefix("$argon2id$v=19$m=8192,t=1,p=1$"))
        #expect(first != second)  // per-hash random salt
        #expect(await hasher.verify("correct horse battery staple", against: first))
        #expect(await !hasher.verify("correct horse battery stapl", against: first))
        #expect(await !hasher.verify("anything", against: "not a hash"))
        #expect(await !hasher.verify("anything", against: "$argon2i$v=19$m=8192,t=1,p=1$c29tZXNhbHQ$AAAA"))
        #expect(PasswordHasher.parameters(of: first) == Self.cheap)
        #expect(!hasher.needsRehash(first))
        let stronger = try PasswordHasher(parameters: Argon2Parameters(memoryKiB: 16384, iterations: 2, parallelism: 1), threads: 1)
        #expect(stronger.needsRehash(first))
        #expect(await hasher.verifyDecoy("x") == false)
    }

    @Test("Hashes interoperate with argon2-cffi (Python), both ways")
    func pythonInterop() async throws {
        let hasher = try PasswordHasher(parameters: Self.cheap, threads: 1)
        let ours = try await hasher.hash("pässwörd 🔑")
        let script = """
            import sys
            from argon2 import PasswordHasher
            ph = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
            ph.verify(sys.argv[1], "pässwörd 🔑")
            print(ph.hash("from python"))
            """
        let result = try await Command.run("python3", ["-c", script, ours])
        #expect(result.status == 0, "\(result.errors)")
        let theirs = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(await hasher.verify("from python", against: theirs))
    }
}
