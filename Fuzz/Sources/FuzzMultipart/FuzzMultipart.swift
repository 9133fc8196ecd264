import FuzzHarness

/// libFuzzer's entry point. The input format and the invariants are documented on
/// `MultipartFuzzCheck`; a broken invariant becomes a crash, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    fuzzEntry("FuzzMultipart", start, count, MultipartFuzzCheck.run)
}
