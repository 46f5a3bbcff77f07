// Running the dump frontend in-process, and external tools, for the CLI tests.
import Foundation
import XCTest
@testable import BinlogCLI

enum CLIPaths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binlogs = packageRoot.appendingPathComponent("TestData/binlogs")
    static let expected = packageRoot.appendingPathComponent("TestData/expected")
    static let scripts = packageRoot.appendingPathComponent("Scripts")

    static func allBinlogs() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: binlogs, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension != "index" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The `binlog` executable built beside the test bundle.
    static var executable: URL? {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("binlog"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("binlog"),
            packageRoot.appendingPathComponent(".build/debug/binlog"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Full path of a program on PATH, or nil.
    static func which(_ program: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let path = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Header times print in the local zone: every test runs in UTC, as the oracle files were made.
func useUTC() {
    setenv("TZ", "UTC", 1)
    tzset()
}

/// A fresh, empty directory (LOAD DATA files are created in TMPDIR).
func makeScratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

struct DumpResult {
    var output: [UInt8]
    var diagnostics: [String]
    var exitCode: Int32
}

/// Runs `binlog dump ARGS` in-process with TMPDIR set to `tmpdir`.
func dump(_ arguments: [String], tmpdir: URL? = nil) throws -> DumpResult {
    useUTC()
    let scratch = try tmpdir ?? makeScratchDirectory()
    setenv("TMPDIR", scratch.path, 1)
    defer { unsetenv("TMPDIR") }
    let command = try Dump.parseAsRoot(arguments) as! Dump
    let sink = OutputSink()
    var messages: [String] = []
    let code = DumpFrontend(options: command.options, files: command.files).run(out: sink, diagnostics: { messages.append($0) })
    return DumpResult(output: sink.buffer, diagnostics: messages, exitCode: code)
}

struct ProcessResult {
    var output: [UInt8]
    var error: String
    var status: Int32
}

/// Runs an external program and collects its output.
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    let out = Pipe()
    // Standard error goes to a file so that neither pipe can fill up and block the child.
    let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-test-stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let errorHandle = try FileHandle(forWritingTo: errorFile)
    process.standardOutput = out
    process.standardError = errorHandle
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? errorHandle.close()
    let errData = (try? Data(contentsOf: errorFile)) ?? Data()
    return ProcessResult(output: Array(outData), error: String(decoding: errData, as: UTF8.self), status: process.terminationStatus)
}

/// The first line where two outputs differ, for failure messages.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
    let left = a.split(separator: 10, omittingEmptySubsequences: false)
    let right = b.split(separator: 10, omittingEmptySubsequences: false)
    for (index, (x, y)) in zip(left, right).enumerated() where x != y {
        return "line \(index + 1):\n- \(String(decoding: x, as: UTF8.self))\n+ \(String(decoding: y, as: UTF8.self))"
    }
    return "lengths differ: \(left.count) vs \(right.count) lines"
}

/// The shared corpus (`../shared/corpus` beside the package), read in place.
enum Corpus {
    static let root = CLIPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent("MANIFEST.md").path) }

    /// The paths EXPECTED-FAILURES lists (relative to the corpus root).
    static func expectedFailures() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("EXPECTED-FAILURES"), encoding: .utf8)
        var paths = Set<String>()
        for line in text.split(separator: "\n") {
            let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .trimmingCharacters(in: .whitespaces) ?? ""
            if !entry.isEmpty { paths.insert(entry) }
        }
        return paths
    }

    /// Every file that may be a binlog (not the manifest, oracle texts or notes), with its path
    /// relative to the corpus root.
    static func binlogCandidates() throws -> [(relative: String, url: URL)] {
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
        var files: [(relative: String, url: URL)] = []
        for case let url as URL in enumerator {
            let name = url.lastPathComponent
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true,
                  !["MANIFEST.md", "EXPECTED-FAILURES"].contains(name),
                  !name.hasSuffix(".result"), !name.hasSuffix(".txt"), !name.hasSuffix(".md") else { continue }
            files.append((String(url.path.dropFirst(root.path.count + 1)), url))
        }
        return files.sorted { $0.relative < $1.relative }
    }
}

/// Starts a throwaway MariaDB with Scripts/mariadb-sandbox (its options after `--`); returns the
/// script's exit status. The server inherits the starter's descriptors, so nothing of it may be
/// a pipe read to its end: its output goes nowhere.
func startSandbox(_ server: String, options: [String]) throws -> Int32 {
    let start = Process()
    start.executableURL = CLIPaths.scripts.appendingPathComponent("mariadb-sandbox")
    start.arguments = ["start", server, "--"] + options
    start.standardOutput = FileHandle.nullDevice
    start.standardError = FileHandle.nullDevice
    try start.run()
    start.waitUntilExit()
    return start.terminationStatus
}
