// The executable's exit codes follow the command-line contract (CLI.md).
import Foundation
import XCTest

final class ExitCodeTests: XCTestCase {
    private func run(_ arguments: [String]) throws -> ProcessResult {
        guard let binlog = CLIPaths.executable else { throw XCTSkip("the binlog executable was not built beside the tests") }
        return try runProcess(binlog.path, arguments, environment: ["TZ": "UTC"])
    }

    /// rand.000001 with a byte of its last event flipped (its checksum no longer matches).
    private func damagedCopy(in directory: URL) throws -> URL {
        var bytes = Array(try Data(contentsOf: CLIPaths.binlogs.appendingPathComponent("rand.000001")))
        bytes[bytes.count - 30] ^= 0xff
        let bad = directory.appendingPathComponent("bad.000001")
        try Data(bytes).write(to: bad)
        return bad
    }

    func testUsageErrorsExitTwo() throws {
        XCTAssertEqual(try run(["dump"]).status, 2)
        XCTAssertEqual(try run(["dump", "--no-such-option", "x"]).status, 2)
        XCTAssertEqual(try run(["dump", "--base64-output=sometimes", "x"]).status, 2)
        XCTAssertEqual(try run(["dump", "/nonexistent/file.000001"]).status, 2)
    }

    func testSuccessAndDataProblems() throws {
        let good = try run(["dump", CLIPaths.binlogs.appendingPathComponent("rand.000001").path])
        XCTAssertEqual(good.status, 0, good.error)
        XCTAssertTrue(String(decoding: good.output, as: UTF8.self).hasSuffix("/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;\n"))
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bad = try damagedCopy(in: scratch)
        let result = try run(["dump", bad.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.error.contains(bad.path), result.error)
    }

    /// `binlog gtid`: sets printed on standard output, contains as exit 0 / 1, bad sets exit 2.
    func testGTIDArithmetic() throws {
        let u = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
        var result = try run(["gtid", "union", "\(u):1-5:7", "\(u):6", ""])
        XCTAssertEqual(result.status, 0, result.error)
        XCTAssertEqual(String(decoding: result.output, as: UTF8.self), "\(u):1-7\n")
        result = try run(["gtid", "subtract", "0-1-10,1-1-5", "1-2-6"])
        XCTAssertEqual(String(decoding: result.output, as: UTF8.self), "0-1-10\n")
        result = try run(["gtid", "contains", "\(u):1-10", "\(u):2-3", "\(u):10"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(String(decoding: result.output, as: UTF8.self), "yes\n")
        result = try run(["gtid", "contains", "\(u):1-10", "\(u):11"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(String(decoding: result.output, as: UTF8.self), "no\n")
        result = try run(["gtid", "union", "\(u):0"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.error.contains("malformed GTID set"), result.error)
        XCTAssertEqual(try run(["gtid", "union", "0-1-1", "\(u):1"]).status, 2)
        XCTAssertEqual(try run(["gtid", "contains", "0-1-1"]).status, 2)
    }

    func testVerifyExitCodes() throws {
        XCTAssertEqual(try run(["verify"]).status, 2)
        XCTAssertEqual(try run(["verify", "--backwards-tolerance", "-5", "x"]).status, 2)
        let good = try run(["verify", CLIPaths.binlogs.appendingPathComponent("rand.000001").path])
        XCTAssertEqual(good.status, 0, good.error)
        XCTAssertTrue(String(decoding: good.output, as: UTF8.self).hasSuffix("0 errors, 0 warnings, 0 info (OK)\n"))
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let bad = try damagedCopy(in: scratch)
        let damaged = try run(["verify", bad.path])
        XCTAssertEqual(damaged.status, 1)
        XCTAssertTrue(String(decoding: damaged.output, as: UTF8.self).contains("\(bad.path): "), damaged.error)
        XCTAssertEqual(try run(["verify", "/nonexistent/file.000001"]).status, 2)
        XCTAssertEqual(try run(["verify", bad.path, "/nonexistent/file.000001"]).status, 2)
    }
}
