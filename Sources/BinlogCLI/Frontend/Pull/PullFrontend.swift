// The work of `binlog pull`: a replica's binlog stream written to files named as on the server.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import MySQLBinlog
import MySQLClient
import MySQLWire
import NIOCore

/// The binlog files being written: the current one, its size, and the record of where a run
/// stopped (`DIR/.binlog-pull`).
final class PullWriter {
    static let magic: [UInt8] = [0xfe, 0x62, 0x69, 0x6e]
    let directory: String
    private(set) var name: String?
    private(set) var size: UInt64 = 0
    /// The file holds the server's bytes from position 4 on, so each event's end position must
    /// equal the file's size after it (false for a file started mid-way, by GTID or position).
    private(set) var mirrors = true
    /// The next file opened starts mid-way on the server (a GTID start): its positions are not checked.
    var nextStartsMidway = false
    private var fd: Int32 = -1
    private(set) var events: UInt64 = 0
    private(set) var bytes: UInt64 = 0
    private(set) var files: [String] = []

    init(directory: String) {
        self.directory = directory.hasSuffix("/") ? directory : directory + "/"
    }

    var statePath: String { directory + ".binlog-pull" }

    /// The file the last run was writing, from the state file.
    func savedFile() -> String? {
        guard let text = try? LocalFile.readText(statePath) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("file=") {
            let name = String(line.dropFirst(5))
            return PullWriter.isPlainName(name) ? name : nil
        }
        return nil
    }

    /// A name the server may give a file: no directories, not `.` or `..`, not our state file.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\0") && name != ".binlog-pull"
            && name.utf8.count <= 255
    }

    /// Where the next event goes: `name` at `position` (the server's artificial Rotate, or the
    /// real Rotate that closes a file, or a reconnection).
    func switchTo(_ name: String, position: UInt64) throws {
        guard PullWriter.isPlainName(name) else {
            throw CLIError(.dataProblem, "the server names a binlog '\(name)', which is not a plain file name")
        }
        if name == self.name && position == size && fd >= 0 { return }
        try close()
        let path = directory + name
        if position <= 4 {
            fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CLIError(.usage, "\(path): cannot create: \(String(cString: strerror(errno)))") }
            try append(PullWriter.magic)
            size = 4
            mirrors = !nextStartsMidway
            nextStartsMidway = false
        } else if let existing = PullWriter.fileSize(path), existing == position {
            // Not O_APPEND: pwrite must be able to clear the in-use flag at the start.
            fd = open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0, lseek(fd, 0, SEEK_END) >= 0 else { throw CLIError(.usage, "\(path): cannot open: \(String(cString: strerror(errno)))") }
            size = existing
            mirrors = true
        } else {
            // Mid-file, with no copy of what comes before: a file of its own, positions not the server's.
            fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw CLIError(.usage, "\(path): cannot create: \(String(cString: strerror(errno)))") }
            try append(PullWriter.magic)
            size = 4
            mirrors = false
        }
        self.name = name
        if files.last != name { files.append(name) }
        try ReplayCheckpoint.writeAtomically("file=\(name)\n", to: statePath)
    }

    /// `LOG_EVENT_BINLOG_IN_USE_F`, in the flags of a file's Format_description (byte 21).
    static let inUseFlag: UInt8 = 0x01
    static let inUseOffset: off_t = 4 + 17

    /// Writes one event (header to checksum) whole.
    ///
    /// The server's file has the in-use flag set in its Format_description until the server
    /// closes it (the checksum is computed without it); the stream has it cleared. So the copy
    /// sets it when it writes the Format_description at position 4, and clears it when the file's
    /// end (Rotate or Stop) is written: at every moment the copy's bytes are the server's file's.
    func write(event: [UInt8], endPosition: UInt32) throws {
        guard fd >= 0, let name else { throw CLIError(.dataProblem, "the server sent an event before naming its binlog (no Rotate)") }
        if mirrors && endPosition != 0 && UInt64(endPosition) != size + UInt64(event.count) {
            throw CLIError(.dataProblem, "\(name): the server's event ending at \(endPosition) does not follow the copy's \(size) bytes")
        }
        var event = event
        if event[4] == 15 && size == 4 && mirrors { event[17] |= PullWriter.inUseFlag }
        try append(event)
        if event[4] == 4 || event[4] == 3 {
            // The server closed this file: so does the copy.
            var flags: UInt8 = 0
            var type: UInt8 = 0
            if pread(fd, &type, 1, 4 + 4) == 1, type == 15, pread(fd, &flags, 1, PullWriter.inUseOffset) == 1, flags & PullWriter.inUseFlag != 0 {
                flags &= ~PullWriter.inUseFlag
                guard pwrite(fd, &flags, 1, PullWriter.inUseOffset) == 1 else {
                    throw CLIError(.usage, "\(directory)\(name): cannot write: \(String(cString: strerror(errno)))")
                }
            }
        }
        size += UInt64(event.count)
        events += 1
        bytes += UInt64(event.count)
    }

    private func append(_ data: [UInt8]) throws {
        var offset = 0
        while offset < data.count {
            let written = data[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw CLIError(.usage, "\(directory)\(name ?? ""): cannot write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Syncs and closes the current file.
    func close() throws {
        guard fd >= 0 else { return }
        let synced = fsync(fd)
        Glibc.close(fd)
        fd = -1
        if synced != 0 { throw CLIError(.usage, "\(directory)\(name ?? ""): cannot sync: \(String(cString: strerror(errno)))") }
    }

    static func fileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }

    /// Cuts a copy after its last complete event (a crash may have left half of one); returns
    /// the new size, or nil when the file is not there or is not a binlog.
    static func trim(_ path: String) throws -> UInt64? {
        guard let total = fileSize(path) else { return nil }
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError(.usage, "\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        var header = [UInt8](repeating: 0, count: 19)
        guard total >= 4, pread(fd, &header, 4, 0) == 4, Array(header.prefix(4)) == magic else { return nil }
        var offset: UInt64 = 4
        while offset + 19 <= total {
            guard pread(fd, &header, 19, off_t(offset)) == 19 else { break }
            let length = UInt64(header[9]) | UInt64(header[10]) << 8 | UInt64(header[11]) << 16 | UInt64(header[12]) << 24
            guard length >= 19, offset + length <= total else { break }
            offset += length
        }
        if offset < total {
            guard ftruncate(fd, off_t(offset)) == 0, fsync(fd) == 0 else {
                throw CLIError(.usage, "\(path): cannot trim: \(String(cString: strerror(errno)))")
            }
        }
        return offset
    }
}

struct PullFrontend {
    var options: PullOptions
    var file: String?
    var showsProgress = false

    func runToStandardOutput() -> Int32 {
        var frontend = self
        frontend.showsProgress = true
        return waitForAsyncRun { [frontend] in await frontend.run(diagnostics: { writeStandardError("binlog: " + $0) }) }
    }

    private enum Outcome { case finished, dropped(String) }

    func run(diagnostics: @escaping @Sendable (String) -> Void) async -> Int32 {
        let connection: (configuration: ConnectionConfiguration, password: [UInt8], warnings: [String])
        do {
            connection = try options.connection.resolve()
            if let file, !PullWriter.isPlainName(file) { throw CLIError(.usage, "\(file): a binlog's name on the server, not a path") }
            if options.startPosition != nil && file == nil && options.startGtid == nil {
                throw CLIError(.usage, "--start-position needs the FILE it is a position in")
            }
            if options.startGtid != nil && (file != nil || options.startPosition != nil) {
                throw CLIError(.usage, "--start-gtid starts by GTID: give no FILE or --start-position with it")
            }
            if let gtids = options.startGtid, !gtids.split(separator: ",").allSatisfy({ ReplayFrontend.mariaDBGTID(String($0)) != nil }),
               (try? MySQLGTIDSet(parsing: gtids)) == nil {
                throw CLIError(.usage, "--start-gtid \(gtids): MariaDB GTID positions (domain-server-sequence, comma-separated) or a MySQL GTID set (uuid:1-5,...) expected")
            }
            if mkdir(options.outputDirectory, 0o755) != 0 && errno != EEXIST {
                throw CLIError(.usage, "\(options.outputDirectory): cannot create the directory: \(String(cString: strerror(errno)))")
            }
        } catch let error as CLIError {
            diagnostics(error.message)
            return error.exitCode
        } catch {
            diagnostics("\(error)")
            return 2
        }
        if !options.quiet { connection.warnings.forEach { diagnostics("warning: " + $0) } }
        let writer = PullWriter(directory: options.outputDirectory)
        // Where to start: FILE, else where the last run stopped (trimmed), else the server's first binlog.
        var start: (name: String?, position: UInt64)? = nil
        if let file {
            start = (file, UInt64(options.startPosition ?? 4))
        } else if options.startGtid == nil, let saved = writer.savedFile() {
            do {
                if let size = try PullWriter.trim(writer.directory + saved) {
                    start = (saved, size)
                    if !options.quiet { diagnostics("note: continuing \(writer.directory)\(saved) at \(size), where the last pull stopped") }
                }
            } catch let error as CLIError {
                diagnostics(error.message)
                return error.exitCode
            } catch {
                diagnostics("\(error)")
                return 2
            }
        }
        if start == nil && options.startGtid == nil { start = (nil, 4) }
        let serverID = options.connectionServerId ?? (4_000_000_000 + UInt32(getpid() % 100_000))
        let progress = Progress(total: nil, enabled: !options.quiet && showsProgress && isatty(2) != 0)
        var delay: UInt64 = 1
        var connectedOnce = false
        // Without --stop-never, a connection that keeps failing is given up after a few tries.
        var failures = 0
        while true {
            do {
                let outcome = try await MySQLConnection.withConnection(connection.configuration, password: connection.password,
                                                                       connectTimeout: .seconds(Int64(options.connection.connectTimeout))) { session -> Outcome in
                    if !connectedOnce && !options.quiet,
                       let warning = ConnectionOptions.unencryptedWarning(connection.configuration, encrypted: session.isEncrypted) {
                        diagnostics("warning: " + warning)
                    }
                    connectedOnce = true
                    delay = 1
                    failures = 0
                    return try await stream(session, writer: writer, start: &start, serverID: serverID, progress: progress,
                                            diagnostics: diagnostics)
                }
                switch outcome {
                case .finished:
                    try writer.close()
                    progress.finish()
                    if !options.quiet {
                        diagnostics("pulled \(writer.events) events (\(Progress.line(done: writer.bytes, total: nil, events: 0, seconds: 0))) into "
                                    + "\(writer.files.count) file\(writer.files.count == 1 ? "" : "s") in \(writer.directory)"
                                    + (writer.files.isEmpty ? "" : ": " + writer.files.joined(separator: ", ")))
                    }
                    return 0
                case .dropped(let why):
                    throw ConnectionError(why)
                }
            } catch let error as ConnectionError {
                // Refused credentials are not a dropped connection; neither is a first connection
                // that fails without --stop-never.
                if error.serverError?.isAuthenticationFailure == true || (!connectedOnce && !options.stopNever) {
                    progress.finish()
                    diagnostics(error.message)
                    return 3
                }
                try? writer.close()
                failures += 1
                if !options.stopNever && failures > 5 {
                    progress.finish()
                    diagnostics(error.message + " (gave up after 5 tries; --stop-never keeps trying)")
                    return 3
                }
                if let name = writer.name { start = (name, writer.size) }
                if !options.quiet { diagnostics("note: \(error.message); reconnecting in \(delay) s" + (writer.name.map { " to go on at \($0):\(writer.size)" } ?? "")) }
                try? await Task.sleep(nanoseconds: delay * 1_000_000_000)
                delay = min(delay * 2, 30)
            } catch let error as ServerError {
                progress.finish()
                try? writer.close()
                diagnostics("the server refused the binlog stream: \(error)")
                return 1
            } catch let error as CLIError {
                progress.finish()
                try? writer.close()
                diagnostics(error.message)
                return error.exitCode
            } catch {
                // An I/O error of the connection (reset, closed): dropped.
                try? writer.close()
                if !connectedOnce && !options.stopNever {
                    diagnostics("\(error)")
                    return 3
                }
                failures += 1
                if !options.stopNever && failures > 5 {
                    diagnostics("\(error) (gave up after 5 tries; --stop-never keeps trying)")
                    return 3
                }
                if let name = writer.name { start = (name, writer.size) }
                if !options.quiet { diagnostics("note: the connection failed (\(error)); reconnecting in \(delay) s") }
                try? await Task.sleep(nanoseconds: delay * 1_000_000_000)
                delay = min(delay * 2, 30)
            }
        }
    }

    /// One session: set up, ask for the stream, write it.
    private func stream(_ session: MySQLSession, writer: PullWriter, start: inout (name: String?, position: UInt64)?, serverID: UInt32,
                        progress: Progress, diagnostics: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let gtids = start == nil ? options.startGtid : nil
        if gtids != nil { writer.nextStartsMidway = true }
        try await ReplicationStream.begin(session, file: start?.name, position: start?.position ?? 4, gtids: gtids, serverID: serverID,
                                          heartbeatSeconds: options.heartbeat, nonBlocking: !options.stopNever)
        let onlyFirstFile = !options.toLastLog && !options.stopNever
        // The server sends a heartbeat after --heartbeat seconds without events: twice that and
        // 5 s more of silence mean the connection is dead without having been closed.
        let silence: TimeAmount? = options.heartbeat > 0 ? .seconds(Int64(options.heartbeat) * 2 + 5) : nil
        while true {
            let item: ReplicationStream.Item
            do {
                item = try await ReplicationStream.next(session, timeout: silence)
            } catch let error as ConnectionError {
                return .dropped(error.message)
            }
            guard case .event(let event) = item else {
                // A blocking dump ends only when the server goes away (a shutdown sends EOF first).
                return options.stopNever ? .dropped("the server ended the binlog stream (shutting down?)") : .finished
            }
            progress.advance(bytes: event.bytes.count)
            if let (nextName, next) = event.rotate {
                if event.artificial {
                    try writer.switchTo(nextName, position: next)
                    start = (nextName, writer.size)
                } else {
                    try writer.write(event: event.bytes, endPosition: event.endPosition)
                    try writer.close()
                    if onlyFirstFile { return .finished }
                    try writer.switchTo(nextName, position: next)
                    start = (nextName, writer.size)
                }
                continue
            }
            if event.isHeartbeat { continue }
            // Events the server made up for the stream are not written; except a Format_description
            // at the start of a copy that begins mid-way (without it the copy could not be read).
            if event.artificial && !(event.type == 15 && writer.size == 4 && !writer.mirrors) { continue }
            try writer.write(event: event.bytes, endPosition: event.endPosition)
            start = (writer.name, writer.size)
        }
    }
}
