import Foundation

/// How the list page is sorted: `?sort=name|size|date|uploader&order=asc|desc`.
///
/// The page sorts on the server so it works without JavaScript; the script then re-sorts in
/// the browser without a round trip. Unknown values fall back to the default (newest first)
/// instead of an error page: they come from hand-edited URLs.
struct FileListSort: Equatable {
    enum Column: String, CaseIterable {
        case name, size, date, uploader

        var label: String {
            switch self {
            case .name: "Name"
            case .size: "Size"
            case .date: "Uploaded"
            case .uploader: "Uploader"
            }
        }
    }

    var column: Column = .date
    var descending = true

    init(column: Column = .date, descending: Bool = true) {
        self.column = column
        self.descending = descending
    }

    init(sort: String?, order: String?) {
        column = sort.flatMap(Column.init(rawValue:)) ?? .date
        switch order {
        case "asc": descending = false
        case "desc": descending = true
        default: descending = column == .date || column == .size
        }
    }

    func sorted(_ records: [FileRecord]) -> [FileRecord] {
        let ascending = records.sorted { a, b in
            switch column {
            case .name: a.name.localizedStandardCompare(b.name) == .orderedAscending
            case .size: a.size == b.size ? a.name < b.name : a.size < b.size
            case .date: a.uploadedAt == b.uploadedAt ? a.name < b.name : a.uploadedAt < b.uploadedAt
            case .uploader: a.uploaderName == b.uploaderName ? a.name < b.name : a.uploaderName.localizedStandardCompare(b.uploaderName) == .orderedAscending
            }
        }
        return descending ? ascending.reversed() : ascending
    }
}

/// What `index.mustache` renders. Every string is HTML-escaped by the template (`{{x}}`).
struct FileListPage {
    struct Row {
        var name: String
        /// The name percent-encoded for use in a URL path.
        var path: String
        var size: String
        var sizeBytes: UInt64
        var date: String
        var dateISO: String
        var uploader: String
        var canDelete: Bool
        var openable: Bool
    }

    struct Header {
        var key: String
        var label: String
        var href: String
        var ariaSort: String
        var indicator: String
    }

    var pageTitle = "Files"
    var styleURL: String
    var scriptURL: String
    var iconURL: String
    var userName: String
    var isAdmin: Bool
    var csrfToken: String
    var notice: String?
    var noticeIsError: Bool
    var files: [Row]
    var hasFiles: Bool
    var countText: String
    var headers: [Header]
    var maxUploadBytes: Int64
    var maxUploadText: String
    var sortKey: String
    var sortOrder: String

    init(records: [FileRecord], sort: FileListSort, user: AuthenticatedUser, csrfToken: String, notice: FlashNotice?,
         assets: StaticAssets, maxUploadBytes: Int64) {
        styleURL = assets.url("app.css")
        scriptURL = assets.url("app.js")
        iconURL = assets.url("icon.svg")
        userName = user.name
        isAdmin = user.role == .admin
        self.csrfToken = csrfToken
        self.notice = notice?.text
        noticeIsError = notice?.kind == .error
        files = sort.sorted(records).map { record in
            Row(
                name: record.name,
                path: Self.pathComponent(record.name),
                size: ByteCountText.format(Int64(clamping: record.size)),
                sizeBytes: record.size,
                date: Self.displayDate(record.uploadedAt),
                dateISO: record.uploadedAt.formatted(.iso8601),
                uploader: record.uploaderName,
                canDelete: FileService.mayModify(record, as: user),
                openable: ContentTypePolicy.openPresentation(forFileName: record.name) != .attachment
            )
        }
        hasFiles = !records.isEmpty
        countText = records.count == 1 ? "1 file" : "\(records.count) files"
        headers = FileListSort.Column.allCases.map { column in
            let active = column == sort.column
            // Clicking the active column flips the order; another column starts in its natural order.
            let nextDescending = active ? !sort.descending : FileListSort(sort: column.rawValue, order: nil).descending
            return Header(
                key: column.rawValue,
                label: column.label,
                href: "/?sort=\(column.rawValue)&order=\(nextDescending ? "desc" : "asc")",
                ariaSort: active ? (sort.descending ? "descending" : "ascending") : "none",
                indicator: active ? (sort.descending ? "▼" : "▲") : ""
            )
        }
        self.maxUploadBytes = maxUploadBytes
        maxUploadText = ByteCountText.format(maxUploadBytes)
        sortKey = sort.column.rawValue
        sortOrder = sort.descending ? "desc" : "asc"
    }

    /// `2025-01-31 14:05 UTC`: the seed's format, to the minute.
    static func displayDate(_ date: Date) -> String {
        HTTPDate.seedFormat(date, includingSeconds: false) + " UTC"
    }

    /// Names are slugified, but encode anyway: a URL is built from them.
    static func pathComponent(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// What `login.mustache` renders.
struct LoginPage {
    var pageTitle = "Log in"
    var styleURL: String
    var scriptURL: String
    var iconURL: String
    var csrfToken: String
    var next: String
    var username: String
    var error: String?
    var notice: String?

    init(assets: StaticAssets, csrfToken: String, next: String, username: String = "", error: String? = nil, notice: String? = nil) {
        styleURL = assets.url("app.css")
        scriptURL = assets.url("app.js")
        iconURL = assets.url("icon.svg")
        self.csrfToken = csrfToken
        self.next = next
        self.username = username
        self.error = error
        self.notice = notice
    }
}
