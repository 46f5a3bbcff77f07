// The work of `binlog replay`: the mysqlbinlog script of the selection, sent statement by
// statement over one session, with the last committed transaction recorded as it goes.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import MySQLBinlog
import MySQLClient
import MySQLWire

/// The statements of one event, and where the event is.
struct ReplayItem: Sendable {
    var statements: [[UInt8]]
    var file: String
    var offset: UInt64
    var endOffset: UInt64
    /// The event starts a transaction / is its last event (or a statement outside any).
    var opens = false
    var closes = false
    var gtid: String?
}

enum ReplayMessage: Sendable {
    case item(ReplayItem)
    /// The reading ended: its exit code and what it said.
    case end(code: Int32, diagnostics: [String])
}

/// Between the reading (DumpFrontend, on its own thread) and the sending: the text printer of the
/// file's dialect writes each event's lines into a buffer, which is split into statements and
/// handed over with the event's position.
final class ReplayPrinter: TextPrinter {
    private let inner: any TextPrinter
    private let sink: OutputSink
    private let queue: HandoffQueue<ReplayMessage>
    private var splitter = ScriptSplitter()
    private var span = TransactionSpan()
    private var file = ""
    /// The GTID of the transaction being read (from its first event to its last).
    private var gtid: String?
    private(set) var cancelled = false

    init(inner: any TextPrinter, sink: OutputSink, queue: HandoffQueue<ReplayMessage>) {
        self.inner = inner
        self.sink = sink
        self.queue = queue
    }

    var warnings: [String] { inner.warnings }
    var printsFormatDescriptionBeforeStartInEveryMode: Bool { inner.printsFormatDescriptionBeforeStartInEveryMode }
    func usePrecomputedBase64(_ text: ArraySlice<UInt8>?) { inner.usePrecomputedBase64(text) }

    private func handOver(_ item: ReplayItem) throws {
        var item = item
        item.statements = splitter.feed(sink.buffer[...])
        sink.buffer.removeAll(keepingCapacity: true)
        guard !item.statements.isEmpty || item.closes || item.opens else { return }
        if queue.put(.item(item)) == nil {
            cancelled = true
            throw CLIError(.dataProblem, "replay stopped")
        }
    }

    func preamble() {
        inner.preamble()
        try? handOver(ReplayItem(statements: [], file: "", offset: 0, endOffset: 0))
    }

    func beginFile() { inner.beginFile() }

    func beginFile(named name: String) {
        file = name
        span = TransactionSpan()
        inner.beginFile(named: name)
        try? handOver(ReplayItem(statements: [], file: name, offset: 0, endOffset: 4))
    }

    func print(_ event: BinlogEvent, formatDescription: FormatDescriptionEvent) throws {
        let step = span.feed(type: event.header.type.rawValue, payload: event.payload)
        try inner.print(event, formatDescription: formatDescription)
        if step.opens { gtid = TransactionCuts.gtidText(event) }
        var item = ReplayItem(statements: [], file: file, offset: event.offset, endOffset: event.endOffset)
        item.opens = step.opens
        item.closes = step.closes
        item.gtid = gtid
        if step.closes { gtid = nil }
        try handOver(item)
    }

    func endFile() {
        inner.endFile()
        try? handOver(ReplayItem(statements: [], file: file, offset: 0, endOffset: 0))
    }

    func trailer() {
        inner.trailer()
        try? handOver(ReplayItem(statements: [], file: "", offset: 0, endOffset: 0))
    }

    func finishAfterError() {
        inner.finishAfterError()
        sink.buffer.removeAll()
    }
}

/// Where the replay is: the last transaction the server committed.
struct ReplayCheckpoint: Equatable {
    var file: String
    var position: UInt64
    var gtid: String?

    var text: String { "file=\(file)\nposition=\(position)\n" + (gtid.map { "gtid=\($0)\n" } ?? "") }

    init(file: String, position: UInt64, gtid: String?) {
        self.file = file
        self.position = position
        self.gtid = gtid
    }

    init(parsing text: String, path: String) throws {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        guard let file = values["file"], let position = values["position"].flatMap(UInt64.init) else {
            throw CLIError(.usage, "\(path): not a replay checkpoint (file= and position= lines expected)")
        }
        self.file = file
        self.position = position
        gtid = values["gtid"]
    }

    /// Written to a temporary file beside `path`, synced, then renamed over it.
    func write(to path: String) throws {
        try ReplayCheckpoint.writeAtomically(text, to: path)
    }

    /// `text` into a temporary file beside `path`, synced, then renamed over it.
    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError(.usage, "\(temporary): cannot create: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            throw CLIError(.usage, "\(path): cannot write: \(String(cString: strerror(errno)))")
        }
    }
}

struct ReplayFrontend {
    var options: ReplayOptions
    var files: [String]
    /// With -R: reads the inputs' names from the source server (each input then streams from it).
    var remoteInputs: (@Sendable () throws -> [BinlogInput])?
    /// Whether a progress line may be shown (when standard error is a terminal); off in tests.
    var showsProgress = false

    func runToStandardOutput() -> Int32 {
        var frontend = self
        frontend.showsProgress = true
        return waitForAsyncRun { [frontend] in
            await frontend.run(diagnostics: { writeStandardError("binlog: " + $0) }, output: { text in
                var bytes = Array(text.utf8)
                _ = bytes.withUnsafeMutableBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            })
        }
    }

    /// Replays; returns the exit code (1: a server error or damaged data, 2: usage, 3: cannot connect).
    func run(diagnostics: @escaping @Sendable (String) -> Void, output: @escaping @Sendable (String) -> Void) async -> Int32 {
        var dumpOptions: DumpOptions
        do {
            dumpOptions = try DumpOptions.reading(options.selection, noVerifyChecksum: options.noVerifyChecksum, quiet: options.quiet)
        } catch {
            diagnostics("\(error)")
            return 2
        }
        dumpOptions.skipGtids = options.skipGtids
        dumpOptions.idempotent = options.idempotent
        if options.rowsAs == .sql {
            if options.idempotent {
                diagnostics("--idempotent is for --rows-as binlog (it sets how BINLOG statements are applied)")
                return 2
            }
            dumpOptions.format = .sql
        }
        var inputs = files
        // With -R, the source's binlogs (listed now; each streamed when the reader opens it).
        var remote: [BinlogInput]?
        do {
            remote = try remoteInputs?()
        } catch {
            return CLIError.report(error, to: diagnostics)
        }
        // --resume: from the checkpoint's file, at its position.
        if options.resume {
            guard let path = options.checkpoint else {
                diagnostics("--resume needs --checkpoint FILE")
                return 2
            }
            if access(path, F_OK) != 0 {
                if !options.quiet { diagnostics("note: \(path) does not exist yet: the replay starts at the beginning") }
            } else {
                do {
                    let checkpoint = try ReplayCheckpoint(parsing: try LocalFile.readText(path), path: path)
                    let expanded = try remote ?? BinlogInput.expand(files)
                    guard let index = expanded.firstIndex(where: { $0.path == checkpoint.file }) else {
                        diagnostics("\(path): the checkpoint is in \(checkpoint.file), which is not among the files given")
                        return 2
                    }
                    inputs = expanded[index...].map(\.path)
                    if remote != nil { remote = Array(expanded[index...]) }
                    if let size = expanded[index].plainSize(), checkpoint.position >= size {
                        inputs.removeFirst()
                        if remote != nil { remote?.removeFirst() }
                        if inputs.isEmpty {
                            if !options.quiet { diagnostics("note: \(path): everything up to the end of \(checkpoint.file) is replayed already") }
                            return 0
                        }
                    } else {
                        dumpOptions.selection.startPosition = checkpoint.position
                    }
                    if !options.quiet { diagnostics("note: resuming after \(checkpoint.file):\(checkpoint.position)" + (checkpoint.gtid.map { " (GTID \($0))" } ?? "")) }
                } catch let error as CLIError {
                    diagnostics(error.message)
                    return error.exitCode
                } catch {
                    diagnostics("\(error)")
                    return 2
                }
            }
        }
        var connection: (configuration: ConnectionConfiguration, password: [UInt8], warnings: [String])?
        if !options.dryRun {
            do {
                connection = try options.connection.resolve()
            } catch let error as CLIError {
                diagnostics(error.message)
                return error.exitCode
            } catch {
                diagnostics("\(error)")
                return 2
            }
            if !options.quiet { connection?.warnings.forEach { diagnostics("warning: " + $0) } }
        }
        // LOAD DATA files go to a directory of this run; only its files are sent to the server.
        // In TMPDIR, as the other outputs' LOAD DATA files.
        var base = "/tmp/"
        if let tmp = getenv("TMPDIR"), let dir = String(validatingCString: tmp), !dir.isEmpty { base = dir.hasSuffix("/") ? dir : dir + "/" }
        var template = Array((base + "binlog-replay-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            diagnostics("cannot create a temporary directory: \(String(cString: strerror(errno)))")
            return 2
        }
        let loadDirectory = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } + "/"
        defer { removeDirectory(loadDirectory) }

        let queue = HandoffQueue<ReplayMessage>(depth: 64)
        let reader = ReaderThread(options: dumpOptions, files: inputs, remote: remote, queue: queue, loadDirectory: loadDirectory)
        reader.start()
        if options.dryRun {
            output("DELIMITER /*!*/;\n")
            while true {
                switch queue.take() {
                case .item(let item):
                    if !item.statements.isEmpty && !item.file.isEmpty && item.endOffset > 4 { output("# \(item.file) at \(item.offset)\n") }
                    for statement in item.statements { output(String(decoding: statement, as: UTF8.self) + "\n/*!*/;\n") }
                case .end(let code, let said):
                    output("DELIMITER ;\n")
                    said.forEach(diagnostics)
                    return code
                }
            }
        }
        guard let connection else { return 2 }
        var configuration = connection.configuration
        configuration.allowsLocalFiles = true
        configuration.allowsMultiStatements = true
        // The bytes to read, for the progress line (unknown for standard input and compressed copies).
        let sizes = (remote ?? (try? BinlogInput.expand(inputs)) ?? []).map { $0.plainSize() }
        let total: UInt64? = sizes.isEmpty || sizes.contains(where: { $0 == nil }) ? nil : sizes.reduce(0) { $0 + ($1 ?? 0) }
        let progress = Progress(total: total, enabled: !options.quiet && showsProgress && isatty(2) != 0, unit: "transactions")
        var tally = ReplayTally()
        let sendLocalFile: (String) -> [UInt8]? = { name in name.hasPrefix(loadDirectory) ? try? LocalFile.readBytes(name) : nil }
        do {
            let code = try await MySQLConnection.withConnection(configuration, password: connection.password,
                                                                connectTimeout: .seconds(Int64(options.connection.connectTimeout))) { session -> Int32 in
                if !options.quiet, let warning = ConnectionOptions.unencryptedWarning(configuration, encrypted: session.isEncrypted) {
                    diagnostics("warning: " + warning)
                }
                var inTransaction = false
                var last: ReplayItem?
                // The transactions the target has already, found once: those are reported and
                // skipped, not applied twice.
                var target = TargetGTIDs()
                if !options.skipGtids {
                    target = await TargetGTIDs.read(from: session)
                }
                // Skipping the rest of a transaction: the target has it, or (--force) it failed.
                var skipping = false
                var file = ""
                var fileBase: UInt64 = 0
                var lastEnd: UInt64 = 0
                // Statements go in batches, one COM_QUERY each (one round trip): a transaction's
                // statements together, up to 4 MiB, each with the event it came from.
                var batch: [[UInt8]] = []
                var owners: [ReplayItem] = []
                var batchBytes = 0

                /// Sends the batch: .sent; .leftOut (--force: a statement failed, its transaction was
                /// rolled back and listed); .stop (a server error ends the replay, reported already).
                func flush() async throws -> FlushResult {
                    defer {
                        batch.removeAll(keepingCapacity: true)
                        owners.removeAll(keepingCapacity: true)
                        batchBytes = 0
                    }
                    guard !batch.isEmpty else { return .sent }
                    do {
                        try await session.queryBatch(batch, localFile: sendLocalFile)
                        tally.statements += batch.count
                        return .sent
                    } catch let failure as BatchFailure {
                        let statement = batch[failure.index]
                        let item = owners[failure.index]
                        tally.statements += failure.index
                        let text = String(decoding: statement.prefix(200), as: UTF8.self)
                        let place = "\(item.file) at \(item.offset)" + (item.gtid.map { " (GTID \($0))" } ?? "")
                        diagnostics("\(place): the server refused \(text)\(statement.count > 200 ? "…" : ""): \(failure.error)")
                        if inTransaction { _ = try? await session.query("ROLLBACK") }
                        guard options.force else {
                            if let last, let path = options.checkpoint {
                                diagnostics("the checkpoint \(path) stays after \(last.file):\(last.endOffset)")
                            }
                            return .stop
                        }
                        // --force: the rest of the transaction is left out, and the replay goes on.
                        tally.failed.append("\(place): \(failure.error)")
                        let closed = owners.last?.closes ?? false
                        inTransaction = false
                        skipping = !closed
                        if closed, let path = options.checkpoint, let end = owners.last {
                            try ReplayCheckpoint(file: end.file, position: end.endOffset, gtid: end.gtid).write(to: path)
                        }
                        return .leftOut
                    }
                }

                while true {
                    switch queue.take() {
                    case .item(let item):
                        if !item.file.isEmpty && item.file != file {
                            if !file.isEmpty { fileBase += lastEnd }
                            file = item.file
                            lastEnd = 0
                        }
                        lastEnd = max(lastEnd, item.endOffset)
                        if item.opens, let gtid = item.gtid, target.contains(gtid) {
                            skipping = true
                            tally.present += 1
                            if !options.quiet { diagnostics("note: \(item.file) at \(item.offset): GTID \(gtid) is on the server already (\(target.source)): skipped") }
                        }
                        if skipping {
                            // The session settings a skipped transaction carries (USE, SET TIMESTAMP,
                            // SET @@session...) are still sent: the next transaction's script counts on
                            // them, as the printer writes each only when it changes.
                            for statement in item.statements where ReplayFrontend.isSessionSetting(statement) {
                                batch.append(statement)
                                owners.append(item)
                                batchBytes += statement.count
                            }
                            if item.closes {
                                skipping = false
                                guard try await flush() != .stop else {
                                    queue.cancelAndWait()
                                    return Int32(1)
                                }
                                if let path = options.checkpoint {
                                    try ReplayCheckpoint(file: item.file, position: item.endOffset, gtid: item.gtid).write(to: path)
                                }
                            }
                            continue
                        }
                        if item.opens { inTransaction = true }
                        for statement in item.statements {
                            batch.append(statement)
                            owners.append(item)
                            batchBytes += statement.count
                        }
                        guard item.closes || batchBytes >= 4 << 20 else { continue }
                        switch try await flush() {
                        case .stop:
                            queue.cancelAndWait()
                            return Int32(1)
                        case .leftOut:
                            continue
                        case .sent:
                            break
                        }
                        guard item.closes else { continue }
                        inTransaction = false
                        tally.transactions += 1
                        last = item
                        if let path = options.checkpoint {
                            try ReplayCheckpoint(file: item.file, position: item.endOffset, gtid: item.gtid).write(to: path)
                        }
                        progress.advance(to: fileBase + lastEnd, count: tally.transactions)
                    case .end(let code, let said):
                        if code == 0 {
                            guard try await flush() != .stop else { return Int32(1) }
                        } else {
                            batch.removeAll()
                        }
                        progress.finish()
                        said.forEach(diagnostics)
                        if code != 0 && inTransaction { _ = try? await session.query("ROLLBACK") }
                        tally.bytes = fileBase + lastEnd
                        return code
                    }
                }
            }
            progress.finish()
            if !options.quiet && (code == 0 || !tally.failed.isEmpty) {
                diagnostics(tally.summary(seconds: Progress.now() - progress.started))
            }
            if !tally.failed.isEmpty {
                diagnostics("--force: \(tally.failed.count) transaction\(tally.failed.count == 1 ? " was" : "s were") left out:")
                tally.failed.forEach { diagnostics("  " + $0) }
                return code == 0 ? 1 : code
            }
            return code
        } catch let error as ConnectionError {
            progress.finish()
            queue.cancelAndWait()
            diagnostics(error.message)
            return 3
        } catch let error as CLIError {
            progress.finish()
            queue.cancelAndWait()
            diagnostics(error.message)
            return error.exitCode
        } catch {
            progress.finish()
            queue.cancelAndWait()
            diagnostics("\(error)")
            return 3
        }
    }

    /// A statement that only sets up the session for those after it: `use`, `SET TIMESTAMP`,
    /// `SET @@session.…` (not a GTID assignment), with or without a `/*!NNNNN … */` wrapper.
    /// `SET INSERT_ID`, `LAST_INSERT_ID`, `RAND_SEED` and user variables belong to their statement.
    static func isSessionSetting(_ statement: [UInt8]) -> Bool {
        var text = Substring(String(decoding: statement.prefix(200), as: UTF8.self))
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        if text.hasPrefix("/*!") || text.hasPrefix("/*M!") {
            text = text.drop(while: { $0 != " " }).dropFirst()
        }
        let lower = text.lowercased()
        if lower.hasPrefix("use ") || lower.hasPrefix("use`") || lower.hasPrefix("set timestamp=") { return true }
        return lower.hasPrefix("set @@session.") && !lower.contains("gtid_seq_no") && !lower.contains("server_id")
            && !lower.contains("gtid_domain_id")
    }

    /// `d-s-n,d-s-n…` (MariaDB's gtid_binlog_pos): the sequence number of each domain.
    static func mariaDBPositions(_ text: String) -> [UInt32: UInt64] {
        var positions: [UInt32: UInt64] = [:]
        for entry in text.split(separator: ",") {
            if let (domain, sequence) = mariaDBGTID(String(entry)) { positions[domain] = max(positions[domain] ?? 0, sequence) }
        }
        return positions
    }

    /// A MariaDB GTID `domain-server-sequence`; nil for anything else (a MySQL GTID).
    static func mariaDBGTID(_ text: String) -> (domain: UInt32, sequence: UInt64)? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let domain = UInt32(parts[0]), UInt32(parts[1]) != nil, let sequence = UInt64(parts[2]) else { return nil }
        return (domain, sequence)
    }

    private func removeDirectory(_ path: String) {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(path + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }
}

/// Reads the selection on its own thread (DumpFrontend with a ReplayPrinter) into the queue.
final class ReaderThread: @unchecked Sendable {
    let options: DumpOptions
    let files: [String]
    /// With -R: the source's binlogs, read instead of `files`.
    let remote: [BinlogInput]?
    let queue: HandoffQueue<ReplayMessage>
    let loadDirectory: String

    init(options: DumpOptions, files: [String], remote: [BinlogInput]?, queue: HandoffQueue<ReplayMessage>, loadDirectory: String) {
        self.options = options
        self.files = files
        self.remote = remote
        self.queue = queue
        self.loadDirectory = loadDirectory
    }

    func start() {
        DispatchQueue(label: "binlog.replay.reader").async { [self] in
            var frontend = DumpFrontend(options: options, files: files)
            if let remote { frontend.remoteInputs = { remote } }
            var printer: ReplayPrinter?
            let queue = self.queue
            frontend.loadDataDirectory = loadDirectory
            frontend.wrapPrinter = { out, inner in
                let made = ReplayPrinter(inner: inner, sink: out, queue: queue)
                printer = made
                return made
            }
            var said: [String] = []
            let code = frontend.run(out: OutputSink(), diagnostics: { said.append($0) })
            // After a cancel the consumer is gone: nothing more is handed over.
            if printer?.cancelled != true { _ = queue.put(.end(code: code, diagnostics: said)) }
            queue.markFinished()
        }
    }
}

enum FlushResult { case sent, leftOut, stop }

/// What a replay did, for its summary.
struct ReplayTally {
    var transactions = 0
    var statements = 0
    var bytes: UInt64 = 0
    /// Transactions the target had already.
    var present = 0
    /// --force: the transactions left out, each with the server's error.
    var failed: [String] = []

    func summary(seconds: Double) -> String {
        var text = "replayed \(transactions) transaction\(transactions == 1 ? "" : "s") (\(statements) statements"
        if bytes > 0 { text += ", " + Progress.line(done: bytes, total: nil, events: 0, seconds: 0) }
        text += ") in \(TextFormatting.cFormat("%.1f", seconds)) s"
        if seconds > 0 && transactions > 0 { text += ", \(Int(Double(transactions) / seconds)) transactions/s" }
        if present > 0 { text += "; \(present) already on the server, skipped" }
        if !failed.isEmpty { text += "; \(failed.count) left out after errors (--force)" }
        return text
    }
}

/// The transactions the target server has already: MariaDB's `gtid_binlog_pos` (per domain, the
/// last sequence number in its binlog) or MySQL's `gtid_executed`.
struct TargetGTIDs {
    var mariaDB: [UInt32: UInt64] = [:]
    var mySQL = MySQLGTIDSet()
    /// The variable they were read from, for messages.
    var source = ""

    static func read(from session: MySQLSession) async -> TargetGTIDs {
        var gtids = TargetGTIDs()
        if session.serverVersion.contains("MariaDB") {
            if let text = try? await session.query("SELECT @@global.gtid_binlog_pos").textRows.first?.first ?? nil {
                gtids.mariaDB = ReplayFrontend.mariaDBPositions(text)
                gtids.source = "its gtid_binlog_pos"
            }
        } else if let text = try? await session.query("SELECT @@global.gtid_executed").textRows.first?.first ?? nil {
            gtids.mySQL = (try? MySQLGTIDSet(parsing: text.replacingNewlines())) ?? MySQLGTIDSet()
            gtids.source = "its gtid_executed"
        }
        return gtids
    }

    /// Whether the transaction with this GTID (`d-s-n` or `uuid[:tag]:n`) is on the target.
    func contains(_ gtid: String) -> Bool {
        if let (domain, sequence) = ReplayFrontend.mariaDBGTID(gtid) {
            return mariaDB[domain].map { sequence <= $0 } ?? false
        }
        guard !mySQL.isEmpty, let single = try? MySQLGTIDSet(parsing: gtid) else { return false }
        return mySQL.isSuperset(of: single)
    }
}

extension String {
    /// gtid_executed comes with a newline after each comma.
    fileprivate func replacingNewlines() -> String { String(filter { $0 != "\n" }) }
}

/// Runs an async subcommand body from synchronous `run()` (ArgumentParser's) and waits for its exit code.
func waitForAsyncRun(_ body: @escaping @Sendable () async -> Int32) -> Int32 {
    (try? waitForAsync(body)) ?? 2
}
