// The work of `binlog verify`: scan every file, run every check, report all findings and a summary.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLBinlog

struct VerifyFrontend {
    var options: VerifyOptions
    var files: [String]
    /// With -R: reads the inputs' names from the server (each input then streams from it).
    var remoteInputs: (@Sendable () throws -> [BinlogInput])?
    /// Whether a progress line may be shown (when standard error is a terminal); off in tests.
    var showsProgress = false
    /// How scanning is cut up between the threads (tests vary it).
    var tuning = EventScanner.Tuning()

    /// Runs against standard output and standard error; returns the exit code.
    func runToStandardOutput() -> Int32 {
        #if canImport(Glibc)
        // The reading thread allocates each 1 MiB chunk and this thread frees it. With an arena
        // per thread, glibc never hands the freed chunks back to the reader, which keeps faulting
        // in fresh pages: one shared arena makes verify about 15% faster (measured on the
        // benchmark binlog; dump shows no difference either way).
        _ = glibcMallopt(-8 /* M_ARENA_MAX */, 1)
        #endif
        var frontend = self
        frontend.showsProgress = true
        return runOnStandardOutput(chunkSize: 1 << 16) { frontend.run(out: $0, diagnostics: $1) }
    }

    /// What the summary says of one file.
    struct FileSummary {
        var file: String
        var bytes: UInt64 = 0
        var events: UInt64 = 0
        /// `crc32`, `none`, or `unknown` (no Format_description read).
        var checksum = "unknown"
        var serverVersion: String?
        var counts: [VerifyFinding.Severity: Int] = [:]
    }

    /// Verifies `files` and writes the report to `out`; returns 0 (no errors), 1 (errors found)
    /// or 2 (a file could not be read, or is not a binlog).
    func run(out: OutputSink, diagnostics: (String) -> Void) -> Int32 {
        let selection = options.selection
        var refused: [String] = []
        if selection.includeGtids != nil { refused.append("--include-gtids") }
        if selection.excludeGtids != nil { refused.append("--exclude-gtids") }
        if selection.serverId != nil { refused.append("--server-id") }
        if selection.database != nil { refused.append("--database") }
        if !(selection.doDb.isEmpty && selection.ignoreDb.isEmpty && selection.doTable.isEmpty && selection.ignoreTable.isEmpty
             && selection.wildDoTable.isEmpty && selection.wildIgnoreTable.isEmpty) { refused.append("the replica rules") }
        if !selection.rewriteDb.isEmpty { refused.append("--rewrite-db") }
        if !refused.isEmpty {
            diagnostics("verify takes a range (--start-position, --stop-position, --start-datetime, --stop-datetime), not \(refused.joined(separator: ", ")): a damaged event stops a restore whatever they select, so every event of the range is checked")
            return 2
        }
        var range: VerifyRange
        do {
            let (start, stop) = try selection.datetimes()
            range = VerifyRange(startPosition: selection.startPosition, stopPosition: selection.stopPosition,
                                startDatetime: start?.seconds, stopDatetime: stop?.seconds,
                                transactionBoundaries: selection.transactionBoundaries)
        } catch {
            diagnostics(error.message)
            return 2
        }
        // An index that cannot be read is a finding like an unreadable binlog: the rest is still checked.
        var inputs: [BinlogInput] = []
        var unreadable: [Int: [VerifyFinding]] = [:]
        if let remoteInputs {
            do {
                inputs = try remoteInputs()
            } catch {
                return CLIError.report(error, to: diagnostics)
            }
        }
        for path in files where remoteInputs == nil {
            do {
                inputs += try BinlogInput.expand([path])
            } catch {
                unreadable[inputs.count, default: []].append(VerifyFinding(.error, .unreadable, file: path, "\(error)"))
            }
        }
        let report: VerifyReport = options.json ? JSONVerifyReport(out: out) : TextVerifyReport(out: out)
        var summaries: [FileSummary] = inputs.map { FileSummary(file: $0.path) }
        var indexByName: [String: Int] = [:]
        for (index, input) in inputs.enumerated() where indexByName[input.path] == nil { indexByName[input.path] = index }
        var filesRead = inputs.count
        var totals: [VerifyFinding.Severity: Int] = [:]
        var inputFailed = false
        // Begun with the first finding reported (or at the end), so that a bad --start-position
        // is said before any output.
        var begun = false
        var fileIndex = 0
        let record: (VerifyFinding) -> Void = { finding in
            if !range.reports(finding, file: fileIndex) { return }
            if !begun {
                report.begin()
                begun = true
            }
            totals[finding.severity, default: 0] += 1
            if let index = indexByName[finding.file] { summaries[index].counts[finding.severity, default: 0] += 1 }
            if finding.kind == .unreadable || finding.kind == .notABinlog { inputFailed = true }
            report.finding(finding)
        }
        let checker = VerifyChecker(backwardsTolerance: options.backwardsTolerance, report: record)
        let total = inputs.reduce(UInt64(0)) { $0 + ($1.plainSize() ?? 0) }
        let progress = Progress(total: total > 0 ? total : nil, enabled: !options.quiet && showsProgress && isatty(2) != 0)
        let decoding = DecodingOptions()
        reading: for (index, input) in inputs.enumerated() {
            fileIndex = index
            filesRead = index + 1
            range.beginFile(index, isLast: index == inputs.count - 1)
            for finding in unreadable[index] ?? [] { record(finding) }
            var source: any ByteSource
            do {
                source = try input.open()
                try PrefetchingEventReader.readMagic(from: &source, name: input.path)
            } catch let error as BinlogDecodingError {
                switch error.reason {
                case .encrypted:
                    record(VerifyFinding(.error, .encrypted, file: input.path, offset: 0, "\(error.description.dropFirst(input.path.count + 2))"))
                default:
                    record(VerifyFinding(.error, .notABinlog, file: input.path, offset: 0, "\(error.description.dropFirst(input.path.count + 2))"))
                }
                continue
            } catch {
                record(VerifyFinding(.error, .unreadable, file: input.path, "\(error)"))
                continue
            }
            summaries[index].bytes = 4
            checker.beginFile(input.path)
            let scanner = EventScanner(source: source, name: input.path, fileSize: input.plainSize(), options: decoding, tuning: tuning)
            var complete = true
            var events: UInt64 = 0
            var end: UInt64 = 4
            func take(_ finding: VerifyFinding) {
                switch finding.kind {
                case .truncatedEvent, .zeroTail, .unframeable, .unreadable: complete = false
                default: break
                }
                if checker.encryptedFrom == nil { record(finding) }
            }
            var stopped = false
            scanning: while let batch = scanner.next() {
                let failedChecksums = checker.encryptedFrom == nil ? batch.failedChecksums() : [:]
                var nextFinding = 0
                for (index, event) in batch.events.enumerated() {
                    while nextFinding < batch.findings.count && batch.findings[nextFinding].before == index {
                        take(batch.findings[nextFinding].finding)
                        nextFinding += 1
                    }
                    if range.isActive {
                        let timestamp = UInt32(batch.chunk[event.start]) | UInt32(batch.chunk[event.start + 1]) << 8
                            | UInt32(batch.chunk[event.start + 2]) << 16 | UInt32(batch.chunk[event.start + 3]) << 24
                        switch range.see(offset: event.offset, size: event.count, timestamp: timestamp, type: event.type,
                                         openTransaction: checker.openTransactionStart) {
                        case .inside:
                            break
                        case .stop:
                            // The rest is outside the range: neither checked nor counted.
                            stopped = true
                            break scanning
                        case .notABoundary(let message):
                            diagnostics("\(input.path): \(message)")
                            return 2
                        }
                        for held in range.takeReleased() { record(held) }
                    }
                    events += 1
                    end = event.offset + UInt64(event.count)
                    progress.advance(bytes: event.count)
                    if checker.encryptedFrom != nil { continue }
                    var mismatch: (stored: UInt32, computed: UInt32)?
                    switch event.check {
                    case .none, .passed:
                        break
                    case .failed(let stored, let computed):
                        mismatch = (stored, computed)
                    case .deferred:
                        if !failedChecksums.isEmpty { mismatch = failedChecksums[index] }
                    }
                    if let mismatch {
                        record(VerifyFinding(.error, .checksumMismatch, file: input.path, offset: event.offset, eventType: event.type,
                                             "the stored CRC32 is 0x\(VerifyFrontend.hex8(mismatch.stored)), the event's bytes give 0x\(VerifyFrontend.hex8(mismatch.computed))"))
                    }
                    if event.sizeRecovered {
                        // Decoded with the size field repaired, so the checks after it stay in step.
                        var repaired = Array(batch.chunk[event.start..<(event.start + event.count)])
                        for i in 0..<4 { repaired[9 + i] = UInt8(truncatingIfNeeded: event.count >> (8 * i)) }
                        checker.event(in: repaired, start: 0, count: event.count, at: event.offset, type: event.type,
                                      checksumFailed: mismatch != nil)
                    } else {
                        checker.event(in: batch.chunk, start: event.start, count: event.count, at: event.offset, type: event.type,
                                      checksumFailed: mismatch != nil)
                    }
                }
                for (_, finding) in batch.findings[nextFinding...] { take(finding) }
            }
            checker.endFile(complete: complete, atStop: stopped)
            summaries[index].events = events
            summaries[index].bytes = end
            if let description = checker.formatDescription {
                summaries[index].serverVersion = description.serverVersion
                switch description.checksumAlgorithm {
                case .some(.crc32): summaries[index].checksum = "crc32"
                case .some(.off), .none: summaries[index].checksum = "none"
                default: summaries[index].checksum = "unknown"
                }
            }
            if stopped { break reading }
        }
        for finding in unreadable[inputs.count] ?? [] { record(finding) }
        progress.finish()
        if !begun { report.begin() }
        report.end(files: Array(summaries.prefix(filesRead)), totals: totals)
        if !options.quiet {
            for warning in range.unreached() { diagnostics("warning: " + warning) }
        }
        if inputFailed { return 2 }
        return (totals[.error] ?? 0) > 0 ? 1 : 0
    }

    static func hex8(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

#if canImport(Glibc)
/// glibc's `mallopt` (malloc.h is not part of the Glibc module).
@_silgen_name("mallopt")
func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
