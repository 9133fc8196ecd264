#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Syntax checks for addresses and names in settings. They only check the spelling: whether
/// a name resolves is for the server to find out when it binds.
enum NetworkSyntax {
    /// An IPv4 dotted quad or an IPv6 literal (without brackets or zone), as `inet_pton`
    /// accepts them, so the check agrees with what the socket layer will parse later.
    static func isIPAddress(_ text: String) -> Bool {
        AddressBlock.bytes(of: text) != nil
    }

    /// A host name made of `[A-Za-z0-9.-]`: at most 253 characters, dot-separated labels of
    /// 1–63 characters that neither start nor end with `-`. The last label may not be all
    /// digits, so a mistyped address like `10.0.0.256` is not taken for a name.
    static func isHostName(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        let labels = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let labelsAreValid = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63
                && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }
        }
        guard labelsAreValid, let last = labels.last else { return false }
        return !last.allSatisfy(isDigit)
    }

    /// An address, or a CIDR block `address/prefix` whose prefix fits the family (0–32 for
    /// IPv4, 0–128 for IPv6).
    static func isAddressOrBlock(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, isIPAddress(String(parts[0])) else { return false }
        guard parts.count == 2 else { return true }
        let maximumPrefix = parts[0].contains(":") ? 128 : 32
        guard !parts[1].isEmpty, parts[1].utf8.allSatisfy(isDigit), let prefix = Int(parts[1]) else { return false }
        return prefix <= maximumPrefix
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
