// `binlog dump FILES | mariadb` rebuilds the source tables: a live MariaDB, CHECKSUM TABLE compared.
import Foundation
import XCTest

final class RoundTripTests: XCTestCase {
    func testEveryWorkloadReplaysToTheSourceChecksums() throws {
        try replayEveryWorkload(options: "")
    }

    /// The same with `--format sql`: plain statements, rows as INSERT/UPDATE/DELETE.
    func testEveryWorkloadReplaysAsSQL() throws {
        try replayEveryWorkload(options: " --format sql")
    }

    /// `binlog replay` straight into the server (one session, no client): LOAD DATA LOCAL INFILE,
    /// temporary tables, XA, latin1 statements and all.
    func testEveryWorkloadReplaysThroughBinlogReplay() throws {
        try replayEveryWorkload(options: "", replay: true)
    }

    /// Scripts/roundtrip-check on every workload of TestData with `binlog dump OPTIONS` as the
    /// decoder, or `binlog replay` applying the files itself.
    private func replayEveryWorkload(options: String, replay: Bool = false) throws {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        guard let binlog = CLIPaths.executable else {
            throw XCTSkip("the binlog executable was not built beside the tests")
        }
        var workloads: [String: [String]] = [:]
        for url in try CLIPaths.allBinlogs() {
            let name = url.lastPathComponent
            workloads[String(name[..<name.lastIndex(of: ".")!]), default: []].append(url.path)
        }
        XCTAssertGreaterThanOrEqual(workloads.count, 20)
        for (workload, files) in workloads.sorted(by: { $0.key < $1.key }) {
            let mode = replay ? ["--replay", "\(binlog.path) replay -q"] : ["--decoder", "\(binlog.path) dump\(options)"]
            let result = try runProcess(CLIPaths.scripts.appendingPathComponent("roundtrip-check").path, mode + files.sorted())
            XCTAssertEqual(result.status, 0, "\(workload)\(options): \(result.error)\(String(decoding: result.output, as: UTF8.self))")
        }
    }

    /// Scripts/pitr-check with `binlog dump` as the decoder: a snapshot at a position P and a
    /// second T is reproduced by `--stop-position P` and by `--stop-datetime T` (all files,
    /// across a rotation, with a transaction spanning T), and the final state by the snapshot
    /// plus `--start-position P`; each on a fresh MariaDB.
    func testPointInTimeRecovery() throws {
        guard CLIPaths.which("mariadbd") != nil, CLIPaths.which("mariadb") != nil else {
            throw XCTSkip("MariaDB server and client are not installed (Debian packages mariadb-server, mariadb-client); .ci/run installs them")
        }
        guard let binlog = CLIPaths.executable else {
            throw XCTSkip("the binlog executable was not built beside the tests")
        }
        // Through `binlog dump | mariadb`, and through `binlog replay`.
        for arguments in [["--decoder", "\(binlog.path) dump"], ["--replay", "\(binlog.path) replay"]] {
            let result = try runProcess(CLIPaths.scripts.appendingPathComponent("pitr-check").path, arguments)
            let output = String(decoding: result.output, as: UTF8.self)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.error)\(output)")
            for check in ["stop-position", "stop-datetime", "start-position"] {
                XCTAssertTrue(output.contains("pitr-check: \(check): OK"), "\(arguments): \(output)")
            }
        }
    }
}
