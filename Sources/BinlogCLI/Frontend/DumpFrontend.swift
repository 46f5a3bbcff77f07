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

    /// Runs against standard output (or `--result-file`) and standard error; returns the exit code.
    func runToStandardOutput() -> Int32 {
        var fd: Int32 = 1
        if let path = options.resultFile {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd < 0 {
                writeStandardError("binlog: \(path): cannot create: \(String(cString: strerror(errno)))")
                return 2
            }
        }
        let sink = OutputSink(fd: fd)
        let code = run(out: sink, diagnostics: { writeStandardError("binlog: " + $0) })
        sink.flush()
        if fd != 1 { close(fd) }
        if let failure = sink.failed {
            writeStandardError("binlog: writing the output failed: \(failure)")
            return 2
        }
        return code
    }

    /// Prints the dump of `files` to `out`; warnings and errors go to `diagnostics`.
    func run(out: OutputSink, diagnostics: (String) -> Void) -> Int32 {
        let inputs: [BinlogInput]
        do {
            inputs = try BinlogInput.expand(files)
        } catch {
            diagnostics("\(error)")
            return 2
        }
        var decoding = DecodingOptions()
        decoding.verifyChecksums = !options.noVerifyChecksum
        var textOptions = TextOutputOptions()
        textOptions.base64Output = options.base64Output
        textOptions.hexdump = options.hexdump
        textOptions.shortForm = options.shortForm
        textOptions.disableLogBin = options.disableLogBin
        textOptions.skipGTIDs = options.skipGtids
        textOptions.idempotent = options.idempotent
        if let tmp = getenv("TMPDIR"), let dir = String(validatingCString: tmp), !dir.isEmpty {
            textOptions.loadDataDirectory = dir.hasSuffix("/") ? dir : dir + "/"
        }
        let printer = MariaDBTextPrinter(out: out, options: textOptions)
        printer.preamble()
        var exitCode: Int32 = 0
        fileLoop: for (fileIndex, input) in inputs.enumerated() {
            let isFirst = fileIndex == 0
            let isLast = fileIndex == inputs.count - 1
            let name = input.path
            var reader: BinlogEventReader
            do {
                reader = BinlogEventReader(source: try input.open(), name: name, options: decoding)
                try reader.readMagic()
            } catch {
                diagnostics("\(error)")
                exitCode = 2
                break fileLoop
            }
            printer.beginFile()
            defer { printer.endFile() }
            let startPosition = isFirst ? options.startPosition : nil
            var formatDescription = FormatDescriptionEvent.bootstrap
            do {
                while let event = try reader.next() {
                    if case .formatDescription(let description) = event.payload { formatDescription = description }
                    if isLast, let stop = options.stopPosition, event.offset >= stop { break }
                    if let start = startPosition, event.offset < start {
                        // Before the start position only the Format_description is printed.
                        if case .formatDescription = event.payload {
                            if event.endOffset > start {
                                throw CLIError(.usage, "\(name): --start-position \(start) is inside the event at \(event.offset) (next event at \(event.endOffset))")
                            }
                            try printer.print(event, formatDescription: formatDescription)
                        } else if event.endOffset > start {
                            throw CLIError(.usage, "\(name): --start-position \(start) is not an event boundary: the nearest are \(event.offset) and \(event.endOffset)")
                        }
                        continue
                    }
                    if event.offset == 4 || (startPosition != nil && event.offset == startPosition) {
                        if case .formatDescription(let description) = event.payload,
                           event.header.flags.contains(.binlogInUse), !options.quiet {
                            _ = description
                            if options.forceIfOpen {
                                diagnostics("warning: \(name) is marked in use: it is still being written or the server did not close it properly")
                            }
                        }
                    }
                    if case .formatDescription = event.payload, event.header.flags.contains(.binlogInUse), !options.forceIfOpen {
                        throw CLIError(.dataProblem, "\(name): the binlog was not closed properly (still being written, or the server crashed); rerun with --force-if-open to read it anyway")
                    }
                    try printer.print(event, formatDescription: formatDescription)
                }
                if let start = startPosition, reader.offset < start {
                    throw CLIError(.usage, "\(name): --start-position \(start) is past the end of the file (\(reader.offset) bytes)")
                }
            } catch let failure as BinlogDecodingError {
                if case .truncated = failure.reason, failure.field == "event" || failure.field == "header", options.forceIfOpen {
                    if !options.quiet {
                        diagnostics("warning: \(failure.file ?? name): file ends with a truncated event at offset \(failure.offset) (\(reader.bufferedByteCount) bytes of it present)")
                    }
                    continue fileLoop
                }
                diagnostics("\(failure)")
                if case .notABinlog = failure.reason { exitCode = 2 } else { exitCode = 1 }
                break fileLoop
            } catch let failure as CLIError {
                diagnostics(failure.message)
                exitCode = failure.exitCode
                break fileLoop
            } catch {
                diagnostics("\(name): \(error)")
                exitCode = 2
                break fileLoop
            }
        }
        printer.finish()
        if !options.quiet { for warning in printer.warnings { diagnostics("warning: " + warning) } }
        printer.trailer()
        return exitCode
    }
}
