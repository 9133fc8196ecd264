import Testing
@testable import SecureDrop

@Suite("Client address")
struct ClientAddressTests {
    @Test("X-Forwarded-For is ignored unless the peer is a trusted proxy")
    func spoofing() {
        let none = ClientAddressResolver(trustedProxies: [])
        #expect(none.resolve(peer: "203.0.113.9", forwardedFor: "1.1.1.1") == "203.0.113.9")
        let proxied = ClientAddressResolver(trustedProxies: ["10.0.0.0/8", "::1"])
        #expect(proxied.resolve(peer: "203.0.113.9", forwardedFor: "1.1.1.1") == "203.0.113.9")
        #expect(proxied.resolve(peer: "10.1.2.3", forwardedFor: "198.51.100.7") == "198.51.100.7")
        // A client-supplied first hop cannot hide the real one, which the proxy appended last.
        #expect(proxied.resolve(peer: "10.1.2.3", forwardedFor: "1.1.1.1, 198.51.100.7") == "198.51.100.7")
        #expect(proxied.resolve(peer: "10.1.2.3", forwardedFor: "198.51.100.7, 10.9.9.9") == "198.51.100.7")
        #expect(proxied.resolve(peer: "::1", forwardedFor: "2001:db8::5") == "2001:db8::5")
        #expect(proxied.resolve(peer: "10.1.2.3", forwardedFor: "garbage") == "10.1.2.3")
        #expect(proxied.resolve(peer: "10.1.2.3", forwardedFor: nil) == "10.1.2.3")
    }

    @Test("IPv6 clients are throttled per /64")
    func throttleKeys() {
        #expect(ClientAddressResolver.throttleKey(for: "192.0.2.1") == "ip:192.0.2.1")
        #expect(ClientAddressResolver.throttleKey(for: "2001:db8:1:2::1") == ClientAddressResolver.throttleKey(for: "2001:db8:1:2:ffff::9"))
        #expect(ClientAddressResolver.throttleKey(for: "2001:db8:1:2::1") != ClientAddressResolver.throttleKey(for: "2001:db8:1:3::1"))
    }
}
