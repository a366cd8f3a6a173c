/// The entry point libFuzzer calls with each input. Crashes (failed
/// preconditions, sanitizer reports) are findings; the return value is ignored.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
