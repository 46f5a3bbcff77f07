// The work of `binlog stats`: read the selected events of every file, tally them, print the report.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

struct StatsFrontend {
    var options: StatsOptions
    var files: [String]
    /// With -R: reads the inputs' names from the server (each input then streams from it).
    var remoteInputs: (@Sendable () throws -> [BinlogInput])?
    /// Whether a progress line may be shown (when standard error is a terminal); off in tests.
    var showsProgress = false

    /// Runs against standard output and standard error; returns the exit code.
    func runToStandardOutput() -> Int32 {
        var frontend = self
        frontend.showsProgress = true
        return runOnStandardOutput(chunkSize: 1 << 16) { frontend.run(out: $0, diagnostics: $1) }
    }

    /// Tallies `files` and writes the report to `out`; returns 0, 1 (damaged data: the error,
    /// and no report, or rows that cannot be counted) or 2 (usage, unreadable input).
    func run(out: OutputSink, diagnostics: (String) -> Void) -> Int32 {
        let selection = options.selection
        var inputs: [BinlogInput]
        var standardInputCopy: StandardInputCopy?
        defer { standardInputCopy?.remove() }
        var startDatetime: DateTimeArgument?
        var stopDatetime: DateTimeArgument?
        let selector: TransactionSelector?
        do {
            inputs = try remoteInputs?() ?? BinlogInput.expand(files)
            if selection.readsTwice { (inputs, standardInputCopy) = try StandardInputCopy.replacing(in: inputs) }
            (startDatetime, stopDatetime) = try selection.datetimes()
            selector = try selection.gtidFilter().map(TransactionSelector.init)
        } catch let error as CLIError {
            diagnostics(error.message)
            return error.exitCode
        } catch {
            diagnostics("\(error)")
            return 2
        }
        let schema: SchemaFilter?
        let rewrite: DatabaseRewrite?
        do {
            schema = try selection.schemaFilter()
            rewrite = try selection.databaseRewrite()
        } catch {
            diagnostics(error.message)
            return 2
        }
        let collector = StatsCollector(top: options.top, longTransactionSeconds: options.longTransaction, schema: schema, rewrite: rewrite)
        var decoding = DecodingOptions()
        decoding.verifyChecksums = !options.noVerifyChecksum
        let sizes = inputs.map { $0.plainSize() }
        let total: UInt64? = sizes.contains(where: { $0 == nil }) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }
        let progress = Progress(total: total, enabled: !options.quiet && showsProgress && isatty(2) != 0)
        var currentFile: String?
        var reachedStop = false
        // By default position and time cuts move to transaction boundaries (TransactionCuts).
        var cuts: TransactionCuts?
        do {
            if selection.transactionBoundaries {
                let request = TransactionCuts.Request(startPosition: selection.startPosition, stopPosition: selection.stopPosition,
                                                      startDatetime: startDatetime, stopDatetime: stopDatetime,
                                                      serverID: selection.serverId, gtidFilter: selector?.filter)
                if !request.isEmpty {
                    let planned = try TransactionCuts.plan(inputs, request, decoding: decoding)
                    if !options.quiet { for note in planned.notes { diagnostics("note: " + note) } }
                    cuts = planned
                    startDatetime = nil
                    stopDatetime = nil
                    if planned.stop == nil && request.cutsStop && !options.quiet {
                        if let stop = selection.stopPosition {
                            diagnostics("warning: did not reach stop position \(stop) before the end of the input")
                        }
                        if let stop = request.stopDatetime {
                            diagnostics("warning: did not reach stop datetime '\(stop.text)' before the end of the input")
                        }
                    }
                }
            }
            reading: for (index, input) in inputs.enumerated() {
                var source = try input.open()
                try PrefetchingEventReader.readMagic(from: &source, name: input.path)
                let reader = PrefetchingEventReader(source: source, name: input.path, options: decoding)
                collector.beginFile(input.path)
                currentFile = input.path
                var startPosition = index == 0 ? (selection.startPosition ?? 4) : 4
                var stopPosition = index == inputs.count - 1 ? selection.stopPosition : nil
                // The start is in a later file: only the Format_description is counted here.
                var skipsFile = false
                if let cuts {
                    startPosition = 4
                    stopPosition = nil
                    if let start = cuts.start {
                        if index < start.file {
                            skipsFile = true
                            startPosition = .max
                        }
                        if index == start.file { startPosition = start.offset }
                    }
                    if let stop = cuts.stop, stop.file == index { stopPosition = stop.offset }
                }
                var inUse = false
                var end: UInt64 = 4
                var stopped = false
                while true {
                    let event: PrefetchingEventReader.FramedEvent
                    do {
                        guard let next = try reader.nextFramed() else { break }
                        event = next
                    } catch let failure as BinlogDecodingError where inUse && isTruncation(failure) {
                        // A file still being written (or left open by a crash) ends where its bytes end.
                        if !options.quiet {
                            diagnostics("warning: \(input.path) is marked in use and ends inside an event: \(failure)")
                        }
                        break
                    }
                    let bytes = event.bytes
                    let start = bytes.startIndex
                    end = event.offset + UInt64(bytes.count)
                    progress.advance(bytes: bytes.count)
                    let type = bytes[start + 4]
                    let isFormatDescription = type == BinlogEventType.formatDescription.rawValue
                    if isFormatDescription {
                        inUse = bytes[start + 17] & UInt8(EventFlags.binlogInUse.rawValue & 0xff) != 0
                    }
                    // The selection, in mysqlbinlog's order; Format_description events are always counted.
                    if event.offset < startPosition {
                        if end > startPosition && !skipsFile {
                            throw CLIError(.usage, "\(input.path): --start-position \(startPosition) is not an event boundary: the nearest are \(event.offset) and \(end)")
                        }
                        if isFormatDescription { try collector.event(event, reader: reader) }
                        continue
                    }
                    if let selector {
                        // Only the events that tell where transactions are need decoding for it.
                        let payload = TransactionSpan.needsPayload(type) ? try reader.decode(event).payload : nil
                        if selector.skips(type: type, payload: payload) { continue }
                    }
                    let timestamp = Int64(UInt32(bytes[start]) | UInt32(bytes[start + 1]) << 8 | UInt32(bytes[start + 2]) << 16
                                          | UInt32(bytes[start + 3]) << 24)
                    if let first = startDatetime, !isFormatDescription {
                        if timestamp < first.seconds { continue }
                        startDatetime = nil
                    }
                    if let id = selection.serverId, !isFormatDescription, type != BinlogEventType.rotate.rawValue {
                        let serverID = UInt32(bytes[start + 5]) | UInt32(bytes[start + 6]) << 8 | UInt32(bytes[start + 7]) << 16
                            | UInt32(bytes[start + 8]) << 24
                        if serverID != id { continue }
                    }
                    if let stop = stopPosition, event.offset >= stop {
                        stopped = true
                        end = event.offset
                        break
                    }
                    if let stop = stopDatetime, timestamp >= stop.seconds {
                        stopped = true
                        end = event.offset
                        break
                    }
                    try collector.event(event, reader: reader)
                }
                if end < startPosition && !skipsFile {
                    throw CLIError(.usage, "\(input.path): --start-position \(startPosition) is past the last event, which ends at \(end)")
                }
                collector.endFile(bytes: end)
                if stopped {
                    reachedStop = true
                    break reading
                }
            }
        } catch let failure as CLIError {
            diagnostics(failure.message)
            return failure.exitCode
        } catch var failure as BinlogDecodingError {
            // Errors from inside an event (a compressed transaction's, say) name the file here.
            if failure.file == nil { failure.file = currentFile }
            diagnostics("\(failure)")
            if case .notABinlog = failure.reason { return 2 }
            return 1
        } catch {
            diagnostics("\(error)")
            return 2
        }
        progress.finish()
        collector.finish()
        if !options.quiet {
            for warning in collector.warnings { diagnostics("warning: " + warning) }
            if !reachedStop, cuts == nil, let stop = selection.stopPosition {
                diagnostics("warning: did not reach stop position \(stop) before the end of the input")
            }
            if !reachedStop, let stop = stopDatetime {
                diagnostics("warning: did not reach stop datetime '\(stop.text)' before the end of the input")
            }
        }
        let report = StatsReport(collector: collector, options: options)
        if options.json {
            report.writeJSON(to: out)
        } else {
            report.writeText(to: out)
        }
        return collector.damaged > 0 ? 1 : 0
    }

    private func isTruncation(_ failure: BinlogDecodingError) -> Bool {
        switch failure.reason {
        case .truncated: return true
        default: return false
        }
    }
}
