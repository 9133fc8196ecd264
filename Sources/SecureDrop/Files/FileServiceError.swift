/// Why a file operation failed, in words for the person who asked.
///
/// The HTTP layer maps each case to a status (``APIError/init(_:seedShape:)``); the messages
/// never contain internal paths or blob identifiers.
public enum FileServiceError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidName(FileNameError)
    case notFound(String)
    case forbidden(String)
    case noFileProvided
    case tooLarge(limit: Int64)
    case insufficientStorage
    case malformedUpload(String)
    case noFreeName(String)
    /// The stored bytes are gone or unreadable: an operator's problem, not the client's.
    case storageFailure
    /// The uploader's account was removed or disabled while the upload ran.
    case accountGone

    public var description: String {
        switch self {
        case .invalidName(let reason): "Invalid file name: \(reason)"
        case .notFound(let name): "No file named \(name)."
        case .forbidden(let name): "Only the uploader of \(name) or an admin may replace or delete it."
        case .noFileProvided: "No file provided"
        case .tooLarge(let limit): "The upload is larger than this server accepts (\(ByteCountText.format(limit)))."
        case .insufficientStorage: "The server's storage is full; nothing was stored."
        case .malformedUpload(let reason): reason
        case .noFreeName(let name): "Too many files are named like \(name); choose another name."
        case .storageFailure: "The file could not be read from storage."
        case .accountGone: "Your account was disabled or removed; nothing was stored."
        }
    }
}

/// Byte counts in the units people read: "10 GiB", "512 KiB", "17 bytes".
public enum ByteCountText {
    public static func format(_ bytes: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB"]
        guard bytes >= 1024 else { return bytes == 1 ? "1 byte" : "\(bytes) bytes" }
        var value = Double(bytes)
        var unit = -1
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        let rounded = (value * 10).rounded() / 10
        let text = rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
        return "\(text) \(units[unit])"
    }
}
