import Foundation

/// The address a request really comes from, for throttling and logs.
///
/// It is the socket peer, unless that peer is one of the configured trusted proxies; only
/// then is `X-Forwarded-For` read, from the right, skipping further trusted proxies. A
/// client cannot lower its own throttling by sending the header itself (spoofed forwarding
/// headers have bypassed other file servers' limits).
public struct ClientAddressResolver: Sendable {
    private let trusted: [AddressBlock]

    /// - Parameter trustedProxies: addresses or CIDR blocks (already validated by the configuration).
    public init(trustedProxies: [String]) {
        trusted = trustedProxies.compactMap(AddressBlock.init)
    }

    public func resolve(peer: String?, forwardedFor: String?) -> String {
        guard let peer else { return "unknown" }
        guard !trusted.isEmpty, isTrusted(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard AddressBlock.bytes(of: hop) != nil else { return peer }  // garbage: do not trust any of it
            if !isTrusted(hop) { return hop }
        }
        return hops.first ?? peer
    }

    /// The key login throttling counts under: the address, or for IPv6 its /64, since one
    /// client typically controls a whole /64.
    public static func throttleKey(for address: String) -> String {
        guard address.contains(":"), let bytes = AddressBlock.bytes(of: address) else { return "ip:" + address }
        return "ip6:" + bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: ".") + "/64"
    }

    private func isTrusted(_ address: String) -> Bool {
        guard let bytes = AddressBlock.bytes(of: address) else { return false }
        return trusted.contains { $0.contains(bytes) }
    }
}

/// An IPv4 or IPv6 address block; IPv4 is held as IPv4-mapped IPv6 so one comparison fits both.
struct AddressBlock: Sendable {
    let network: [UInt8]
    let prefixLength: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let network = Self.bytes(of: parts[0]) else { return nil }
        let isIPv4 = !parts[0].contains(":")
        let maximum = isIPv4 ? 32 : 128
        let length = parts.count == 2 ? Int(parts[1]) : maximum
        guard let length, (0...maximum).contains(length) else { return nil }
        self.network = network
        self.prefixLength = isIPv4 ? 96 + length : length
    }

    func contains(_ address: [UInt8]) -> Bool {
        var remaining = prefixLength
        for index in 0..<16 where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if address[index] & mask != network[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// 16 bytes for an IPv6 address, IPv4-mapped for IPv4; nil for anything else.
    static func bytes(of text: String) -> [UInt8]? {
        // Plain byte arrays rather than in_addr/in6_addr: the layouts are the raw network-order
        // bytes either way, and the C structs' initialisers are not visible from every module.
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 {
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4
        }
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return v6
        }
        return nil
    }
}
