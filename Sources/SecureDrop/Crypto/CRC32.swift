import CZlib
public import NIOCore

/// Incremental CRC-32 (ISO-HDLC, the polynomial ZIP uses), computed while a file streams in.
///
/// ZIP needs a CRC-32 for every entry, and an archive written without data descriptors needs it
/// *before* the entry's data, so uploads compute it on the fly and store it with the metadata.
/// That puts it on the path of every uploaded byte, hence zlib: its `crc32` is the platform's
/// tuned implementation (slicing tables or carry-less multiply), several times faster than a
/// byte-at-a-time table in Swift, and the server links zlib anyway.
public struct CRC32: Sendable {
    /// zlib's running state; zlib takes and returns it as `uLong`, of which only 32 bits are used.
    private var state: uLong

    public init() {
        state = crc32(0, nil, 0)
    }

    /// The checksum of everything fed so far; feeding more afterwards continues from it.
    public var value: UInt32 {
        UInt32(truncatingIfNeeded: state)
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        // zlib's length is a `uInt` (32 bits); larger buffers go through in pieces.
        let largestChunk = Int(uInt.max)
        while remaining > 0 {
            let chunk = min(remaining, largestChunk)
            state = crc32(state, base.assumingMemoryBound(to: Bytef.self), uInt(chunk))
            base += chunk
            remaining -= chunk
        }
    }

    /// Feeds the buffer's readable bytes in place, without copying or consuming them.
    public mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update($0) }
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// The CRC-32 of `bytes` in one call.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
