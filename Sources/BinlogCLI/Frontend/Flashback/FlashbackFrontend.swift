// The work of `binlog flashback`: read the selection as dump does, then write its undo, newest first.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

struct FlashbackFrontend {
    var options: FlashbackOptions
    var files: [String]

    func runToStandardOutput() -> Int32 {
        run(diagnostics: { writeStandardError("binlog: " + $0) })
    }

    /// Reads the selection, then writes the undo to `--output` (or standard output for SQL).
    /// Nothing is written when the selection has events that cannot be undone, unless
    /// `--skip-unsafe`.
    func run(diagnostics: (String) -> Void) -> Int32 {
        if options.format == .binlog && (options.output == nil || options.output == "-") {
            diagnostics("--format binlog writes a binlog file: name it with -o FILE")
            return 2
        }
        if options.format == .binlog && !options.selection.rewriteDb.isEmpty {
            diagnostics("--rewrite-db is for --format sql (the binlog output keeps the Table_maps as logged)")
            return 2
        }
        var dumpOptions: DumpOptions
        do {
            dumpOptions = try DumpOptions.reading(options.selection, noVerifyChecksum: options.noVerifyChecksum, quiet: options.quiet)
        } catch {
            diagnostics("\(error)")
            return 2
        }
        let schema: SchemaFilter?
        let rewrite: DatabaseRewrite?
        do {
            schema = try options.selection.schemaFilter()
            rewrite = try options.selection.databaseRewrite()
        } catch {
            diagnostics(error.message)
            return 2
        }
        var directory = "/tmp/"
        if let tmp = getenv("TMPDIR"), let dir = String(validatingCString: tmp), !dir.isEmpty { directory = dir }
        let stack = SpillStack(directory: directory)
        let collector = FlashbackCollector(format: options.format, stack: stack, schema: schema, rewrite: rewrite)
        var frontend = DumpFrontend(options: dumpOptions, files: files)
        frontend.customPrinter = { _, _, _ in collector }
        let code = frontend.run(out: OutputSink(), diagnostics: diagnostics)
        if code != 0 { return code }
        do {
            try collector.finish()
        } catch {
            diagnostics("\(error)")
            return 2
        }
        if collector.unsafeCount > 0 {
            let lines = collector.unsafe.map { "  " + $0 }
                + (collector.unsafeCount > collector.unsafe.count ? ["  … and \(collector.unsafeCount - collector.unsafe.count) more"] : [])
            if !options.skipUnsafe {
                diagnostics("\(collector.unsafeCount) event\(collector.unsafeCount == 1 ? "" : "s") of the selection cannot be undone:\n" + lines.joined(separator: "\n"))
                diagnostics("nothing written: --skip-unsafe leaves them out and undoes the rest")
                return 1
            }
            if !options.quiet {
                diagnostics("warning: left out \(collector.unsafeCount) event\(collector.unsafeCount == 1 ? "" : "s") that cannot be undone (--skip-unsafe):\n" + lines.joined(separator: "\n"))
            }
        }
        do {
            switch options.format {
            case .sql: try writeSQL(collector, stack)
            case .binlog: try writeBinlog(collector, stack, path: options.output!)
            }
        } catch let failure as CLIError {
            diagnostics(failure.message)
            return failure.exitCode
        } catch {
            diagnostics("\(error)")
            return 2
        }
        if !options.quiet && collector.transactions == 0 {
            diagnostics("warning: the selection has no row changes to undo")
        }
        return 0
    }

    private func writeSQL(_ collector: FlashbackCollector, _ stack: SpillStack) throws {
        var fd: Int32 = 1
        if let path = options.output, path != "-" {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw CLIError(.usage, "\(path): cannot create: \(String(cString: strerror(errno)))") }
        }
        defer { if fd != 1 { close(fd) } }
        let out = OutputSink(fd: fd)
        out.write(Array("-- binlog flashback: undoes \(collector.rowChanges) row change\(collector.rowChanges == 1 ? "" : "s") in \(collector.transactions) transaction\(collector.transactions == 1 ? "" : "s"), newest first\n".utf8))
        out.write(Array("SET @@session.sql_mode='NO_AUTO_VALUE_ON_ZERO', @@session.time_zone='+00:00';\n".utf8))
        var lastTable: [UInt8]?
        var prepared = false
        while let record = try stack.pop() {
            switch record.kind {
            case FlashbackCollector.RecordKind.end:
                let label = String(decoding: record.payload.dropFirst(8), as: UTF8.self)
                out.write(Array("-- undoes the transaction of \(label)\nSTART TRANSACTION;\n".utf8))
            case FlashbackCollector.RecordKind.begin:
                out.write(Array("COMMIT;\n".utf8))
            case FlashbackCollector.RecordKind.statement:
                out.write(record.payload)
            case FlashbackCollector.RecordKind.preparedStatement:
                let payload = record.payload
                let keyLength = FlashbackCollector.readLength(payload, at: 0)
                let key = Array(payload[4..<(4 + keyLength)])
                let lookupLength = FlashbackCollector.readLength(payload, at: 4 + keyLength)
                let lookupStart = 8 + keyLength
                if key != lastTable {
                    guard lookupLength > 0 else { throw CLIError(.dataProblem, "internal error: a flashback statement lost its column lookup") }
                    out.write(Array(payload[lookupStart..<(lookupStart + lookupLength)]))
                    lastTable = key
                }
                out.write(Array(payload[(lookupStart + lookupLength)...]))
                prepared = true
            default:
                throw CLIError(.dataProblem, "the temporary file of records is damaged")
            }
        }
        if prepared { out.write(Array("DEALLOCATE PREPARE binlog_stmt;\n".utf8)) }
        out.finish()
        if let failure = out.failed { throw CLIError(.usage, "writing the output failed: \(failure)") }
    }

    private func writeBinlog(_ collector: FlashbackCollector, _ stack: SpillStack, path: String) throws {
        let writer = try BinlogWriter(path: path, removeChecksums: false)
        guard let description = collector.formatDescription else {
            throw CLIError(.usage, "the input has no Format_description: there is nothing to base a binlog on")
        }
        try writer.write(description.bytes[...], inputChecksums: description.hasChecksum, algorithmByte: description.algorithmByte)
        while let record = try stack.pop() {
            switch record.kind {
            case FlashbackCollector.RecordKind.end, FlashbackCollector.RecordKind.begin:
                let timestamp = UInt32(FlashbackCollector.readLength(record.payload, at: 0))
                let serverID = UInt32(FlashbackCollector.readLength(record.payload, at: 4))
                let query = record.kind == FlashbackCollector.RecordKind.end ? "BEGIN" : "COMMIT"
                try writer.write(Self.queryEvent(query, timestamp: timestamp, serverID: serverID,
                                                 postHeaderLength: description.queryPostHeader)[...], inputChecksums: false)
            case FlashbackCollector.RecordKind.events:
                let mapLength = FlashbackCollector.readLength(record.payload, at: 0)
                try writer.write(record.payload[4..<(4 + mapLength)], inputChecksums: false)
                try writer.write(record.payload[(4 + mapLength)...], inputChecksums: false)
            default:
                throw CLIError(.dataProblem, "the temporary file of records is damaged")
            }
        }
        try writer.finish()
    }

    /// A Query event (no status variables, no default database): its header, then
    ///
    /// | Name | Format | Description |
    /// |---|---|---|
    /// | thread_id | int<4> | 0 |
    /// | exec_time | int<4> | 0 |
    /// | db_len | int<1> | 0 |
    /// | error_code | int<2> | 0 |
    /// | status_vars_len | int<2> | 0 (then zeros to the post-header length the Format_description gives) |
    /// | db | string<NUL> | empty |
    /// | query | string<EOF> | |
    ///
    /// The event size and end position are set by ``BinlogWriter``.
    static func queryEvent(_ query: String, timestamp: UInt32, serverID: UInt32, postHeaderLength: Int) -> [UInt8] {
        var event: [UInt8] = []
        func put32(_ value: UInt32) { for i in 0..<4 { event.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(i)))) } }
        put32(timestamp)
        event.append(BinlogEventType.query.rawValue)
        put32(serverID)
        put32(0)
        put32(0)
        event += [0, 0]
        event += [UInt8](repeating: 0, count: max(13, postHeaderLength))
        event.append(0)
        event += Array(query.utf8)
        return event
    }
}
