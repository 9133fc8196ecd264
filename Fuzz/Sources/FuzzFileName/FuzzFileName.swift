import FuzzHarness

/// libFuzzer's entry point. The input format and the invariants are documented on
/// `FileNameFuzzCheck`; a broken invariant becomes a crash, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFileName(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    fuzzEntry("FuzzFileName", start, count, FileNameFuzzCheck.run)
}
