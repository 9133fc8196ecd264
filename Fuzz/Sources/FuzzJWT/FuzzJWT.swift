import FuzzHarness

/// libFuzzer's entry point. The input format and the invariants are documented on
/// `JWTFuzzCheck`; a broken invariant becomes a crash, so libFuzzer saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    fuzzEntry("FuzzJWT", start, count, JWTFuzzCheck.run)
}
