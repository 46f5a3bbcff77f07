// The work of `binlog dump`: read the inputs as one stream and print them in the writer's dialect.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

struct DumpFrontend {
    var options: DumpOptions
    var files: [String]
    /// With -R: reads the inputs' names from the server (each input then streams from it).
    var remoteInputs: (@Sendable () throws -> [BinlogInput])?
    /// Whether a progress line may be shown (when standard error is a terminal); off in tests.
    var showsProgress = false
    /// A consumer of the selected events in place of the printer `--format` chooses (flashback,
    /// replay): given the output, the dialect of the first file and the text options.
    var customPrinter: ((OutputSink, TextDialect, TextOutputOptions) -> any TextPrinter)?
    /// Wraps the printer `--format` chooses (replay hands each event's statements over this way).
    var wrapPrinter: ((OutputSink, any TextPrinter) -> any TextPrinter)?
    /// Where LOAD DATA files are written, in place of `$TMPDIR` (replay: a directory of its own).
    var loadDataDirectory: String?

    /// Runs against standard output (or `--result-file`) and standard error; returns the exit code.
    func runToStandardOutput() -> Int32 {
        #if canImport(Glibc)
        // Three threads allocate (reading, formatting, writing) and free each other's buffers: one
        // malloc arena keeps the peak RSS about 3 MiB lower and the run a little faster
        // (benchmark binlog: 32.6 -> 29.0 MiB).
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 1)
        #endif
        var fd: Int32 = 1
        if let path = options.resultFile {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd < 0 {
                writeStandardError("binlog: \(path): cannot create: \(String(cString: strerror(errno)))")
                return 2
            }
        }
        let sink = OutputSink(fd: fd)
        var frontend = self
        frontend.showsProgress = true
        let code = frontend.run(out: sink, diagnostics: { writeStandardError("binlog: " + $0) })
        sink.finish()
        if fd != 1 { close(fd) }
        if let failure = sink.failed {
            writeStandardError("binlog: writing the output failed: \(failure)")
            return 2
        }
        return code
    }

    /// How reading one file ended.
    private enum FileOutcome {
        case endOfFile
        /// `--stop-position` reached: no further files are read.
        case stopped
    }

    /// Prints the dump of `files` to `out`; warnings and errors go to `diagnostics`.
    ///
    /// As mariadb-binlog: each file is framed by `DELIMITER` lines and printed with fresh session
    /// state; a fatal error ends the output where it is (no `DELIMITER ;`, no trailer).
    func run(out: OutputSink, diagnostics: (String) -> Void) -> Int32 {
        var startDatetime: DateTimeArgument?
        var stopDatetime: DateTimeArgument?
        var inputs: [BinlogInput]
        var standardInputCopy: StandardInputCopy?
        do {
            inputs = try remoteInputs?() ?? BinlogInput.expand(files)
            if options.selection.readsTwice { (inputs, standardInputCopy) = try StandardInputCopy.replacing(in: inputs) }
        } catch let error as CLIError {
            diagnostics(error.message)
            return error.exitCode
        } catch {
            diagnostics("\(error)")
            return 2
        }
        defer { standardInputCopy?.remove() }
        var decoding = DecodingOptions()
        decoding.verifyChecksums = !options.noVerifyChecksum
        let selector: TransactionSelector?
        let schema: SchemaFilter?
        do {
            schema = try options.selection.schemaFilter()
            _ = try options.selection.databaseRewrite()
            (startDatetime, stopDatetime) = try options.selection.datetimes()
            selector = try options.selection.gtidFilter().map(TransactionSelector.init)
        } catch {
            diagnostics(error.message)
            return 2
        }
        // The dialect follows the server that wrote the first file: its first event says which.
        var firstReader: PrefetchingEventReader?
        var dialect = TextDialect.mariaDB
        if let first = inputs.first {
            do {
                let reader = try openReader(first, decoding: decoding)
                dialect = TextDialect(firstEvent: try? reader.peek())
                firstReader = reader
            } catch {
                // Reported when the file is read below, after the preamble, as mariadb-binlog does.
            }
        }
        if options.idempotent && dialect == .mariaDB {
            diagnostics("--idempotent sets MySQL's session RBR_EXEC_MODE, which MariaDB does not have; on a MariaDB target use SET GLOBAL slave_exec_mode='IDEMPOTENT' instead")
            return 2
        }
        if options.printTableMetadata && options.format != .text {
            diagnostics("--print-table-metadata is for the text output (jsonl has the columns in its Table_map objects)")
            return 2
        }
        if options.format == .sql, let conflict = sqlConflict {
            diagnostics("\(conflict) is for the text output; --format sql writes plain statements and row changes as INSERT, UPDATE and DELETE")
            return 2
        }
        var printer: any TextPrinter
        if let customPrinter {
            printer = customPrinter(out, dialect, textOptions(schema))
        } else {
            switch options.format {
            case .jsonl:
                printer = JSONLinesPrinter(out: out, schema: schema, rewrite: rewrite, maximumJSONDepth: decoding.maximumJSONDepth)
            case .sql:
                var sql = SQLOutputOptions()
                sql.schema = schema
                sql.rewrite = rewrite
                sql.disableLogBin = options.disableLogBin
                sql.loadDataDirectory = textOptions(schema).loadDataDirectory
                sql.maximumJSONDepth = decoding.maximumJSONDepth
                printer = SQLPrinter(out: out, options: sql)
            case .text:
                printer = dialect.makePrinter(out: out, options: textOptions(schema))
            }
        }
        if let wrapPrinter { printer = wrapPrinter(out, printer) }
        // A progress line on a terminal's standard error (never in the output), unless --quiet.
        let sizes = inputs.map { $0.plainSize() }
        let total: UInt64? = sizes.contains(where: { $0 == nil }) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }
        let progress = Progress(total: total, enabled: !options.quiet && showsProgress && isatty(2) != 0)
        defer { progress.finish() }
        printer.preamble()
        var lastEnd: UInt64 = 0
        var stoppedByDatetime = false
        var currentFile: String?
        // By default position and time cuts move to transaction boundaries: found by a first
        // reading pass, then applied as positions (TransactionCuts).
        var cuts: TransactionCuts?
        do {
            if options.selection.transactionBoundaries {
                let request = TransactionCuts.Request(startPosition: options.selection.startPosition, stopPosition: options.selection.stopPosition,
                                                      startDatetime: startDatetime, stopDatetime: stopDatetime,
                                                      serverID: options.selection.serverId, gtidFilter: selector?.filter)
                if !request.isEmpty {
                    let planned = try TransactionCuts.plan(inputs, request, decoding: decoding)
                    if !options.quiet { for note in planned.notes { diagnostics("note: " + note) } }
                    cuts = planned
                    startDatetime = nil
                }
            }
            for (fileIndex, input) in inputs.enumerated() {
                currentFile = input.path
                let reader = fileIndex == 0 ? firstReader : nil
                var range = FileRange(startAt: fileIndex == 0 ? (options.selection.startPosition ?? 4) : 4,
                                      stopAt: fileIndex == inputs.count - 1 ? options.selection.stopPosition : nil)
                if let cuts {
                    range = FileRange(startAt: 4, stopAt: nil)
                    if let start = cuts.start {
                        if fileIndex < start.file { range.skipsFile = true }
                        if fileIndex == start.file { range.startAt = start.offset }
                    }
                    if let stop = cuts.stop, stop.file == fileIndex { range.stopAt = stop.offset }
                }
                let outcome = try dumpFile(input, opened: reader, range: range,
                                           printer: printer, decoding: decoding, lastEnd: &lastEnd, progress: progress,
                                           startDatetime: &startDatetime, stopDatetime: cuts == nil ? stopDatetime : nil,
                                           selector: selector, diagnostics: diagnostics)
                if case .stopped = outcome {
                    stoppedByDatetime = stopDatetime != nil
                    break
                }
            }
        } catch let failure as CLIError {
            printer.finishAfterError()
            out.flush()
            diagnostics(failure.message)
            return failure.exitCode
        } catch var failure as BinlogDecodingError {
            // Errors from inside an event (a compressed transaction's, say) name the file here.
            if failure.file == nil { failure.file = currentFile }
            printer.finishAfterError()
            out.flush()
            diagnostics("\(failure)")
            if case .notABinlog = failure.reason { return 2 }
            return 1
        } catch {
            printer.finishAfterError()
            out.flush()
            diagnostics("\(error)")
            return 2
        }
        if !options.quiet {
            for warning in printer.warnings { diagnostics("warning: " + warning) }
            // (With transaction boundaries a cut that was reached may stop before it, at a transaction's start.)
            let reached = cuts.map { $0.stop != nil }
            if let stop = options.selection.stopPosition, reached.map({ !$0 }) ?? (stop > lastEnd) {
                diagnostics("warning: did not reach stop position \(stop) before the end of the input")
            }
            if let stop = stopDatetime, reached.map({ !$0 }) ?? !stoppedByDatetime {
                diagnostics("warning: did not reach stop datetime '\(stop.text)' before the end of the input")
            }
        }
        printer.trailer()
        return 0
    }

    /// A text-output option given with `--format sql`, by name.
    private var sqlConflict: String? {
        if options.verbose > 0 { return "-v" }
        if options.printTableMetadata { return "--print-table-metadata" }
        if options.hexdump { return "--hexdump" }
        if options.shortForm { return "--short-form" }
        if options.idempotent { return "--idempotent" }
        if options.base64Output != .auto { return "--base64-output" }
        return nil
    }

    /// `--rewrite-db` (checked in run()).
    private var rewrite: DatabaseRewrite? { (try? options.selection.databaseRewrite()) ?? nil }

    private func textOptions(_ schema: SchemaFilter?) -> TextOutputOptions {
        var text = TextOutputOptions()
        // mariadb-binlog 10.11 prints the same for --base64-output=never and decode-rows.
        text.base64Output = options.base64Output
        text.hexdump = options.hexdump
        text.shortForm = options.shortForm
        text.printPositions = !options.shortForm
        text.printRowCount = !options.shortForm
        text.disableLogBin = options.disableLogBin
        text.skipGTIDs = options.skipGtids
        text.idempotent = options.idempotent
        text.verbose = options.verbose
        text.filtersServerIDs = options.selection.serverId != nil
        text.schema = schema
        text.rewrite = rewrite
        text.printTableMetadata = options.printTableMetadata
        if let loadDataDirectory {
            text.loadDataDirectory = loadDataDirectory
        } else if let tmp = getenv("TMPDIR"), let dir = String(validatingCString: tmp), !dir.isEmpty {
            text.loadDataDirectory = dir.hasSuffix("/") ? dir : dir + "/"
        }
        return text
    }

    private func isUnknown(_ event: BinlogEvent) -> Bool {
        if case .unsupported = event.payload { return true }
        return false
    }

    /// Opens an input, checks its magic number and starts reading ahead on another thread.
    private func openReader(_ input: BinlogInput, decoding: DecodingOptions) throws -> PrefetchingEventReader {
        var source = try input.open()
        try PrefetchingEventReader.readMagic(from: &source, name: input.path)
        // BINLOG statements carry the base64 of Table_map and rows events: the reading thread
        // encodes them, and decodes every event, while this one formats.
        let encode = options.base64Output == .auto && !options.shortForm && options.format == .text && options.selection.rewriteDb.isEmpty
        return PrefetchingEventReader(source: source, name: input.path, options: decoding,
                                      sideWork: encode ? Self.encodeRowsEvents : nil, decodesAhead: true)
    }

    /// Side work for the reading thread: the base64 lines of Table_map and (uncompressed) rows events.
    private static let encodeRowsEvents: PrefetchingEventReader.SideWork = { event, output in
        guard event.count > 4 else { return false }
        switch event[event.startIndex + 4] {
        case 19, 20...25, 30...32:
            Base64.appendLines(event, to: &output)
            return true
        default:
            return false
        }
    }

    /// The events of one file that are printed, by position.
    struct FileRange {
        /// Events before this offset are skipped (Format_description events excepted).
        var startAt: UInt64
        /// The first event at or after this offset stops the run.
        var stopAt: UInt64?
        /// The start is in a later file: every event but the Format_description is skipped.
        var skipsFile = false
    }

    private func dumpFile(_ input: BinlogInput, opened: PrefetchingEventReader?, range: FileRange,
                          printer: any TextPrinter, decoding: DecodingOptions, lastEnd: inout UInt64,
                          progress: Progress, startDatetime: inout DateTimeArgument?, stopDatetime: DateTimeArgument?,
                          selector: TransactionSelector?, diagnostics: (String) -> Void) throws -> FileOutcome {
        let name = input.path
        printer.beginFile(named: input.path)
        let reader = try opened ?? openReader(input, decoding: decoding)
        let startPosition = range.skipsFile ? UInt64.max : range.startAt
        let stopPosition = range.stopAt
        var formatDescription = FormatDescriptionEvent.bootstrap
        var inUse = false
        var endOfEvents: UInt64 = 4
        var warnedPostHeader = Set<UInt8>()
        // Read once: the options are ArgumentParser property wrappers, and reading one copies its group.
        let quiet = options.quiet
        let forceIfOpen = options.forceIfOpen
        let base64Auto = options.base64Output == .auto
        let serverIDFilter = options.selection.serverId
        while let event = try reader.next(inUse: inUse, ended: { failure in
            if !quiet { diagnostics("warning: \(name) is marked in use and ends inside an event: \(failure)") }
        }) {
            endOfEvents = event.endOffset
            progress.advance(bytes: event.bytes.count)
            let type = event.header.type
            if formatDescription.binlogVersion >= 4, !formatDescription.postHeaderLengths.isEmpty, type != .formatDescription,
               formatDescription.postHeaderLength(for: type) == nil, !type.name.hasPrefix("Unknown"),
               warnedPostHeader.insert(type.rawValue).inserted, !quiet {
                // A short table in the Format_description (damage, or a writer of the future): said, not guessed silently.
                diagnostics("warning: \(name): the Format_description lists no post-header length for \(type.name) events (type \(type.rawValue)), first at \(event.offset); they are read with the length the servers use for them")
            }
            // (The type is checked first: matching the payload copies it.)
            let isFormatDescription = type == .formatDescription
            if isFormatDescription, case .formatDescription(let description) = event.payload {
                formatDescription = description
                inUse = event.header.flags.contains(.binlogInUse)
                if inUse && !forceIfOpen {
                    throw CLIError(.dataProblem, "\(name): the binlog is marked in use (still being written, or the server crashed); rerun with --force-if-open to read it anyway")
                }
            }
            if event.offset < startPosition {
                // Before --start-position only the Format_description is printed (mariadb-binlog: in AUTO mode only).
                if event.endOffset > startPosition && !range.skipsFile {
                    throw CLIError(.usage, "\(name): --start-position \(startPosition) is not an event boundary: the nearest are \(event.offset) and \(event.endOffset)")
                }
                if isFormatDescription, base64Auto || printer.printsFormatDescriptionBeforeStartInEveryMode {
                    try printer.print(event, formatDescription: formatDescription)
                }
                continue
            }
            // --include-gtids / --exclude-gtids leave out whole transactions: nothing of them is printed.
            if let selector, selector.skips(type: event.header.type.rawValue, payload: event.payload) { continue }
            // mysqlbinlog's order: --start-datetime skips, then --server-id, then the stop checks.
            // Skipped events print nothing, not even `# at`; Format_description events are never skipped.
            if let start = startDatetime, !isFormatDescription {
                if Int64(event.header.timestamp) < start.seconds { continue }
                // The first event at or after it ends the skipping for the rest of the run.
                startDatetime = nil
            }
            if let id = serverIDFilter, event.header.serverID != id, !isFormatDescription,
               event.header.type != .rotate, !isUnknown(event) {
                continue
            }
            if let stop = stopPosition, event.offset >= stop {
                printer.endFile()
                return .stopped
            }
            if let stop = stopDatetime, Int64(event.header.timestamp) >= stop.seconds {
                printer.endFile()
                return .stopped
            }
            if case .unsupported(let unknown) = event.payload, !quiet {
                // Kept and printed, never dropped; and said, so nobody mistakes it for nothing.
                diagnostics("warning: \(name): event at \(event.offset) has type \(unknown.type.rawValue) (\(unknown.type.name)), which is not decoded; it is printed as the reference tool prints it")
            }
            printer.usePrecomputedBase64(reader.sideWorkResult)
            try printer.print(event, formatDescription: formatDescription)
            if !isFormatDescription { lastEnd = event.endOffset }
        }
        if endOfEvents < startPosition && !range.skipsFile {
            throw CLIError(.usage, "\(name): --start-position \(startPosition) is past the last event, which ends at \(endOfEvents)")
        }
        printer.endFile()
        return .endOfFile
    }
}
