// Memory stays bounded on decompression bombs: the peak RSS of the real `binlog` process is
// measured (wait4's ru_maxrss), never a timing.
import CZstd
import Foundation
import MySQLBinlog
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class ResourceCapTests: XCTestCase {
    /// Runs `path arguments` under GNU time with its output thrown away; returns its exit status
    /// and peak RSS in KiB. Not wait4 on our own child: Linux carries the RSS high-water mark of
    /// the process that spawns across exec, so a child spawned by this (large) test process would
    /// report at least the test's RSS. GNU time forks from a small process of its own.
    func runMeasuringPeakRSS(_ path: String, _ arguments: [String]) throws -> (status: Int32, peakKiB: Int) {
        let time = "/usr/bin/time"
        guard FileManager.default.isExecutableFile(atPath: time) else {
            throw XCTSkip("GNU time (/usr/bin/time, Debian package time) is needed to measure peak RSS; Scripts/test installs it")
        }
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("binlog-rss-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: report) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([time, "-f", "%M", "-o", report.path, path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, time, &actions, nil, argv, environ)
        guard spawned == 0 else { throw NSError(domain: "spawn", code: Int(spawned)) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw NSError(domain: "waitpid", code: Int(errno)) }
        }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        // GNU time writes "Command exited with non-zero status N" before the figure when N != 0.
        let text = try String(contentsOf: report, encoding: .utf8)
        let peak = try XCTUnwrap(text.split(separator: "\n").last.flatMap { Int($0) }, "GNU time wrote: \(text)")
        return (exitStatus, peak)
    }

    // MARK: A MySQL 8.0 binlog built from the format documentation

    func header(type: UInt8, size: Int, logPosition: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        func le(_ value: Int, _ width: Int) { for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) } }
        le(1_700_000_000, 4); bytes.append(type); le(1, 4); le(size, 4); le(logPosition, 4); le(0, 2)
        return bytes
    }

    /// A Query event as packed inside a payload (no checksum): post-header thread_id, exec_time,
    /// db_len, error_code, status_vars_len (0), then db, NUL, the statement.
    func innerQuery(_ sql: [UInt8]) -> [UInt8] {
        let db = Array("test".utf8)
        let body: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, UInt8(db.count), 0, 0, 0, 0] + db + [0] + sql
        return header(type: 2, size: 19 + body.count) + body
    }

    func withChecksum(_ event: [UInt8]) -> [UInt8] {
        let value = CRC32.checksum(event[...])
        return event + (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// MySQL 8.0's Format_description (binlog v4, the 41 post-header lengths its server writes, CRC32).
    func mysqlFormatDescription() -> [UInt8] {
        let postHeaders: [UInt8] = [0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 98, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0, 0, 0,
                                    10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0]
        var version = Array("8.0.40".utf8)
        version += [UInt8](repeating: 0, count: 50 - version.count)
        let body: [UInt8] = [4, 0] + version + [0, 0, 0, 0, 19] + postHeaders + [1]
        return withChecksum(header(type: 15, size: 19 + body.count + 4, logPosition: 4 + 19 + body.count + 4) + body)
    }

    func lengthEncoded(_ value: Int) -> [UInt8] {
        if value < 251 { return [UInt8(value)] }
        if value < 1 << 16 { return [0xfc, UInt8(value & 0xff), UInt8(value >> 8)] }
        if value < 1 << 24 { return [0xfd] + (0..<3).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        return [0xfe] + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// A file whose one Transaction_payload inflates (zstd, streamed here) to `units` MiB of
    /// 8 KiB Query events, with the true size declared: a legitimate but huge transaction.
    func makePayloadBomb(units: Int, at url: URL) throws -> Int {
        let statement = Array("INSERT INTO t VALUES ('".utf8) + [UInt8](repeating: 0x61, count: 8192 - 19 - 18 - 23 - 3) + Array("')".utf8)
        let event = innerQuery(statement)
        XCTAssertLessThanOrEqual(event.count, 8192)
        let unit = (0..<(1 << 20) / event.count).flatMap { _ in event }
        let begin = innerQuery(Array("BEGIN".utf8))
        let xid = header(type: 16, size: 27) + [9, 0, 0, 0, 0, 0, 0, 0]
        let total = begin.count + unit.count * units + xid.count

        guard let context = ZSTD_createCCtx() else { throw NSError(domain: "zstd", code: 1) }
        defer { ZSTD_freeCCtx(context) }
        ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 1)
        var compressed: [UInt8] = []
        var output = [UInt8](repeating: 0, count: 1 << 16)
        func feed(_ bytes: [UInt8], _ mode: ZSTD_EndDirective) {
            bytes.withUnsafeBytes { raw in
                var input = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
                while true {
                    let (code, produced) = output.withUnsafeMutableBytes { out -> (Int, Int) in
                        var buffer = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                        let code = ZSTD_compressStream2(context, &buffer, &input, mode)
                        return (code, buffer.pos)
                    }
                    XCTAssertEqual(ZSTD_isError(code), 0)
                    compressed += output[0..<produced]
                    if mode == ZSTD_e_end ? code == 0 : input.pos == input.size { break }
                }
            }
        }
        feed(begin, ZSTD_e_continue)
        for _ in 0..<units { feed(unit, ZSTD_e_continue) }
        feed(xid, ZSTD_e_end)

        // Transaction_payload: fields (type, length, value) 2 compression_type = 0 (zstd),
        // 3 uncompressed_size, 1 payload_size, then 0 and the payload.
        var fields: [UInt8] = []
        for (field, value) in [(2, 0), (3, total), (1, compressed.count)] {
            let encoded = lengthEncoded(value)
            fields += lengthEncoded(field) + lengthEncoded(encoded.count) + encoded
        }
        fields.append(0)
        let fde = mysqlFormatDescription()
        let size = 19 + fields.count + compressed.count + 4
        let payload = withChecksum(header(type: 40, size: size, logPosition: 4 + fde.count + size) + fields + compressed)
        try Data([0xfe, 0x62, 0x69, 0x6e] + fde + payload).write(to: url)
        return total
    }

    /// 256 MiB of events inflated from a ~100 KiB transaction: stats and dump stream them, one
    /// inner event at a time, and stay far below what the payload holds.
    func testPayloadBombIsStreamedInBoundedMemory() throws {
        guard let binlog = CLIPaths.executable?.path else { throw XCTSkip("the binlog executable is not built") }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("bomb.000001")
        let inflated = try makePayloadBomb(units: 256, at: file)
        let size = try XCTUnwrap(try file.resourceValues(forKeys: [.fileSizeKey]).fileSize)
        XCTAssertLessThan(size, 1 << 20, "the bomb is small on disk")
        XCTAssertGreaterThan(inflated, 255 << 20)
        for arguments in [["stats", file.path], ["dump", file.path], ["verify", file.path]] {
            let (status, peak) = try runMeasuringPeakRSS(binlog, arguments)
            print("\(arguments[0]) of \(size) bytes inflating to \(inflated): exit \(status), peak RSS \(peak) KiB")
            XCTAssertEqual(status, 0, "\(arguments)")
            // The whole payload would be 256 MiB; one inner event at a time needs a few MiB
            // beyond the program's own ~20–40 MiB.
            XCTAssertLessThan(peak, 48 << 10, "\(arguments): peak RSS \(peak) KiB")
        }
    }

    /// Declared sizes past the cap, or past what zlib can produce from the bytes there, are
    /// refused before anything that size is allocated.
    func testHugeDeclaredSizesAllocateNothing() throws {
        guard let binlog = CLIPaths.executable?.path else { throw XCTSkip("the binlog executable is not built") }
        for name in ["mariadb-compressed-huge-declared.bin", "mariadb-compressed-impossible-ratio.bin",
                     "mysql-payload-huge-declared.bin", "event-size-below-header.bin"] {
            let path = MalformedCorpusTests.directory.appendingPathComponent(name).path
            for command in ["dump", "stats", "verify"] {
                let (status, peak) = try runMeasuringPeakRSS(binlog, [command, path])
                XCTAssertEqual(status, 1, "\(command) \(name)")
                XCTAssertLessThan(peak, 40 << 10, "\(command) \(name): peak RSS \(peak) KiB")
            }
        }
    }

    /// An event whose size field claims 1 GiB − 1 after 200 KB of good events, and 300 KB of bytes
    /// after its header: the event crosses the readers' first 256 KiB chunk, so it is carried into
    /// a buffer of its own. The readers grow that buffer with the bytes actually read, not with
    /// the claim.
    func testEventSizeClaimLargerThanTheFileAllocatesNothing() throws {
        guard let binlog = CLIPaths.executable?.path else { throw XCTSkip("the binlog executable is not built") }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("claim.000001")
        var bytes: [UInt8] = [0xfe, 0x62, 0x69, 0x6e] + mysqlFormatDescription()
        let statement = Array("INSERT INTO t VALUES (1)".utf8)
        while bytes.count < 200_000 {
            let db = Array("test".utf8)
            let body: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0, UInt8(db.count), 0, 0, 0, 0] + db + [0] + statement
            let size = 19 + body.count + 4
            bytes += withChecksum(header(type: 2, size: size, logPosition: bytes.count + size) + body)
        }
        bytes += header(type: 2, size: (1 << 30) - 1) + [UInt8](repeating: 0x41, count: 300_000)
        try Data(bytes).write(to: file)
        for command in ["dump", "stats", "verify"] {
            let (status, peak) = try runMeasuringPeakRSS(binlog, [command, file.path])
            XCTAssertEqual(status, 1, command)
            XCTAssertLessThan(peak, 40 << 10, "\(command): peak RSS \(peak) KiB")
        }
    }

    /// Every file of the shared corpus (MySQL 5.x–9.x, MariaDB; damaged ones included), through
    /// dump and stats: none takes more than 48 MiB, whatever it holds.
    func testMemoryIsBoundedOnEveryCorpusFile() throws {
        guard Corpus.isPresent else { throw XCTSkip("the shared corpus (../shared/corpus) is absent") }
        guard let binlog = CLIPaths.executable?.path else { throw XCTSkip("the binlog executable is not built") }
        var largest = (peak: 0, what: "")
        for (relative, url) in try Corpus.binlogCandidates() {
            for command in ["dump", "stats"] {
                let (status, peak) = try runMeasuringPeakRSS(binlog, [command, url.path])
                XCTAssertTrue((0...2).contains(status), "\(command) \(relative): exit \(status)")
                XCTAssertLessThan(peak, 48 << 10, "\(command) \(relative): peak RSS \(peak) KiB")
                if peak > largest.peak { largest = (peak, "\(command) \(relative)") }
            }
        }
        print("largest peak RSS over the corpus: \(largest.peak) KiB (\(largest.what))")
    }

    /// A valid 16 MiB LONGBLOB value in one Write_rows_v2 event (MySQL 8.0 layout, built from the
    /// format documentation): dump --format jsonl and stats read it in time and memory linear in
    /// its size (a quadratic step would hang the test): peak RSS under 32 MiB + 6 copies of it.
    func testLargeValidValueIsReadInLinearMemory() throws {
        guard let binlog = CLIPaths.executable?.path else { throw XCTSkip("the binlog executable is not built") }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("large.000001")
        let valueSize = 16 << 20
        var bytes: [UInt8] = [0xfe, 0x62, 0x69, 0x6e] + mysqlFormatDescription()
        func add(type: UInt8, _ body: [UInt8]) {
            let size = 19 + body.count + 4
            bytes += withChecksum(header(type: type, size: size, logPosition: bytes.count + size) + body)
        }
        // Table_map: table_id<6> 1, flags<2>, db "test", table "t", 1 column of type 252 (BLOB)
        // with metadata 4 (a 4-byte length: LONGBLOB), nullable bits 0.
        add(type: 19, [1, 0, 0, 0, 0, 0, 1, 0, 4] + Array("test".utf8) + [0, 1, 0x74, 0, 1, 252, 1, 4, 0])
        // Write_rows_v2: table_id<6> 1, flags<2> STMT_END_F, extra_data_len<2> 2 (none), 1 column,
        // columns present 0x01; the row: null bits 0, length<4>, the value.
        var row: [UInt8] = [1, 0, 0, 0, 0, 0, 1, 0, 2, 0, 1, 0x01, 0]
        row += (0..<4).map { UInt8(truncatingIfNeeded: valueSize >> (8 * $0)) }
        row += [UInt8](repeating: 0x61, count: valueSize)
        add(type: 30, row)
        try Data(bytes).write(to: file)
        for arguments in [["dump", "--format", "jsonl", file.path], ["stats", file.path], ["dump", file.path]] {
            let (status, peak) = try runMeasuringPeakRSS(binlog, arguments)
            print("\(arguments.dropLast().joined(separator: " ")) of a \(valueSize)-byte value: exit \(status), peak RSS \(peak) KiB")
            XCTAssertEqual(status, 0, "\(arguments)")
            XCTAssertLessThan(peak, (32 << 10) + 6 * (valueSize >> 10), "\(arguments): peak RSS \(peak) KiB for a value of \(valueSize >> 10) KiB")
        }
    }
}
