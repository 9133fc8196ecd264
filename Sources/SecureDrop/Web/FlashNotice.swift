import Foundation
import HTTPTypes
import Hummingbird

/// A one-time message for the next page after a redirect ("Uploaded report.pdf").
///
/// Kept in a short-lived cookie rather than the URL, so nobody can link to a page that shows
/// made-up notices; the page that shows it clears it.
struct FlashNotice: Equatable {
    enum Kind: String { case success, error }

    var kind: Kind
    var text: String

    static let cookieName = "__Host-securedrop-flash"

    /// The `Set-Cookie` value that carries this notice (base64url JSON-free: kind, a colon, text).
    var cookie: String {
        let value = Base64URL.encode(Array("\(kind.rawValue):\(text.prefix(1000))".utf8))
        return "\(Self.cookieName)=\(value); Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Strict"
    }

    static var clearingCookie: String {
        "\(cookieName)=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"
    }

    /// The notice a request carries, if any and well-formed.
    static func from(_ request: Request) -> FlashNotice? {
        guard let value = request.cookies[cookieName]?.value, let bytes = Base64URL.decode(value) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        return FlashNotice(kind: kind, text: String(text[text.index(after: colon)...]))
    }
}
