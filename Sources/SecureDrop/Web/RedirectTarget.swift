import Foundation

/// Where to send the browser after logging in: only a path on this site.
///
/// The `next` parameter comes from a URL anyone can craft, so an unchecked value is an open
/// redirect (`/login?next=https://evil.example` would send a freshly logged-in user to a
/// phishing page). Accepted: an absolute path starting with one `/`. Refused: `//host` and
/// `/\host` (browsers treat both as another host), backslashes anywhere, schemes, control
/// characters and spaces, and anything over 2 KiB. A refused value becomes `/`.
enum RedirectTarget {
    static let fallback = "/"

    static func sanitize(_ next: String?) -> String {
        guard let next, isSafe(next) else { return fallback }
        return next
    }

    static func isSafe(_ path: String) -> Bool {
        let scalars = Array(path.unicodeScalars)
        guard scalars.count >= 1, path.utf8.count <= 2048, scalars[0] == "/" else { return false }
        if scalars.count >= 2, scalars[1] == "/" || scalars[1] == "\\" { return false }
        return scalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\\" && !(0x80...0x9F).contains(scalar.value)
        }
    }

    /// `/login?next=<path>` for a request that needs a session; `expired` adds the notice
    /// that the session ran out.
    static func loginURL(next: String, expired: Bool) -> String {
        var url = "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: queryValueAllowed) ?? "/")
        if expired { url += "&expired=1" }
        return url
    }

    /// RFC 3986 query characters less the ones that separate parameters.
    static let queryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+#?")
        return set
    }()
}
