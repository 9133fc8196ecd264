import FuzzHarness

/// libFuzzer's entry point. The input format and the invariants are documented on
/// `ByteRangeFuzzCheck`; a broken invariant becomes a crash, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzByteRange(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    fuzzEntry("FuzzByteRange", start, count, ByteRangeFuzzCheck.run)
}
