// The libFuzzer target: each input is a binlog file run through dump, stats and verify.
// Built only by Scripts/fuzz (BINLOG_FUZZ=1 swift build -Xswiftc -sanitize=fuzzer,address ...).
#if canImport(Glibc)
import Glibc
#endif
import BinlogCLI

/// One scratch file per fuzzing process (libFuzzer's -fork/-jobs run several).
private let scratchPath: String = {
    let directory = getenv("TMPDIR").flatMap { String(validatingCString: $0) } ?? "/tmp"
    return "\(directory)/binlog-fuzz-\(getpid()).bin"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let codes = FuzzHarness.exercise(UnsafeRawBufferPointer(start: data, count: size), scratchPath: scratchPath)
    // Exit codes other than 0, 1 and 2 mean a frontend lost track of an error.
    if let odd = codes.first(where: { !(0...2).contains($0) }) { fatalError("exit code \(odd)") }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links an executable with `main` aliased to `<module>_main`; with `-parse-as-library`
/// there is no top-level code, so this is the entry point: it hands over to libFuzzer's driver.
@_cdecl("BinlogFuzz_main")
public func binlogFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, { data, size in fuzzOneInput(data, size) })
}
