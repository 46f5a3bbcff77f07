// swift-tools-version:6.0
// swift-binlog: a command-line toolkit for MySQL and MariaDB binary logs.
import PackageDescription
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let package = Package(
    name: "swift-binlog",
    products: [
        .executable(name: "binlog", targets: ["binlog"]),
        .library(name: "MySQLBinlog", targets: ["MySQLBinlog"]),
        .library(name: "MySQLWire", targets: ["MySQLWire"]),
        .library(name: "MySQLClient", targets: ["MySQLClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        // CRC-32 and base64 with the CPU's vector instructions (C, for the intrinsics).
        .target(name: "CBinlogKernels"),
        .target(
            name: "MySQLBinlog",
            dependencies: ["CZlib", "CZstd", "CBinlogKernels"],
            // The readers keep their state in classes that every event passes through; the
            // run-time exclusivity checks on those accesses are measurable in dump's profile.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .target(
            name: "MySQLWire",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MySQLClient",
            dependencies: [
                "MySQLWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .target(
            name: "BinlogCLI",
            dependencies: [
                "MySQLBinlog",
                "CBinlogKernels",
                "MySQLWire",
                "MySQLClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The printers append to byte buffers owned by classes millions of times per file; the
            // run-time exclusivity checks on those accesses cost about a fifth of `dump`'s time.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "binlog",
            dependencies: ["BinlogCLI"],
            // Release builds carry the Swift runtime and Foundation (which swift-crypto brings)
            // inside: loading them as shared libraries costs 4 MiB of RSS at start, a third of
            // what a dump needs (the benchmark's floor is 32 MiB).
            // (Modules compiled without -static-stdlib do not name Foundation's static dependencies
            // for the linker: they are listed here, after the libraries that need them.)
            linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "--start-group", "-Xlinker", "-lFoundationInternationalization",
                                           "-Xlinker", "-lFoundationEssentials", "-Xlinker", "-l_FoundationICU", "-Xlinker", "-l_FoundationCShims",
                                           "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-lCoreFoundation", "-Xlinker", "--end-group",
                                           "-Xlinker", "-lstdc++"],
                                          .when(configuration: .release))]
        ),
        .testTarget(name: "MySQLBinlogTests", dependencies: ["MySQLBinlog", "CZlib", "CZstd", "CBinlogKernels"]),
        .testTarget(name: "MySQLWireTests", dependencies: [
            "MySQLWire", .product(name: "NIOCore", package: "swift-nio"), .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .testTarget(name: "MySQLClientTests", dependencies: ["MySQLClient", "MySQLWire"]),
        .testTarget(name: "BinlogCLITests", dependencies: ["BinlogCLI", "MySQLBinlog", "MySQLClient", "CZstd"]),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer target exists only for Scripts/fuzz, which builds it with
// `-sanitize=fuzzer,address -parse-as-library`; an ordinary build would have no `main` to link.
// The fuzzer feeds bytes to the decoder and the printers, never a server: its build of BinlogCLI
// leaves out replay and pull and so SwiftNIO, swift-crypto and their two BoringSSLs (the release
// build of those took 11 of the fuzz smoke test's 12 minutes in CI).
if getenv("BINLOG_FUZZ") != nil {
    // The fuzzer's build links with sanitizers, against the shared runtime.
    package.targets.first(where: { $0.name == "binlog" })?.linkerSettings = nil
    if let cli = package.targets.first(where: { $0.name == "BinlogCLI" }) {
        cli.dependencies = ["MySQLBinlog", "CBinlogKernels", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        cli.exclude = ["Frontend/Replay/ReplayFrontend.swift", "Frontend/Pull", "Subcommands/Replay.swift",
                       "Subcommands/Pull.swift", "Options/ConnectionOptions.swift",
                       "Frontend/Remote", "Options/RemoteInputOptions.swift"]
        cli.swiftSettings = (cli.swiftSettings ?? []) + [.define("BINLOG_NO_NETWORK")]
    }
    package.targets.removeAll { ["MySQLWire", "MySQLClient", "MySQLWireTests", "MySQLClientTests", "BinlogCLITests"].contains($0.name) }
    package.products.removeAll { ["MySQLWire", "MySQLClient"].contains($0.name) }
    package.targets.append(.executableTarget(name: "BinlogFuzz", dependencies: ["BinlogCLI"], path: "Fuzz/BinlogFuzz"))
    package.products.append(.executable(name: "BinlogFuzz", targets: ["BinlogFuzz"]))
}
