// Binlogs read from a server instead of files (`--read-from-remote-server`): each input is one of
// the server's binlogs, streamed with COM_BINLOG_DUMP each time it is opened.
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

/// A server to read binlogs from, and how to reach it.
final class RemoteServer: Sendable {
    let configuration: ConnectionConfiguration
    let password: [UInt8]
    let connectTimeout: Int
    /// The server id the first connection registers with; later ones add 100000 each, so that
    /// two streams open at once (a file read twice) do not make the server drop the first.
    let serverID: UInt32
    private let connections = Counter()

    init(configuration: ConnectionConfiguration, password: [UInt8], connectTimeout: Int, serverID: UInt32?) {
        self.configuration = configuration
        self.password = password
        self.connectTimeout = connectTimeout
        self.serverID = serverID ?? (4_000_000_000 + UInt32(getpid() % 100_000))
    }

    /// A server id for the next stream.
    func nextServerID() -> UInt32 {
        serverID &+ UInt32(connections.next() % 2_000) &* 100_000
    }

    /// Where the server is, for messages.
    var name: String {
        switch configuration.address {
        case .tcp(let host, let port): return "\(host):\(port)"
        case .unixSocket(let path): return path
        }
    }

    /// The inputs `files` name: those binlogs of the server, or with `toLastLog` every binlog
    /// from the first named (the server's first when none is) to its last. Connects once to list
    /// them; warnings (an unencrypted session) go to `warn`.
    func inputs(files: [String], toLastLog: Bool, warn: @escaping @Sendable (String) -> Void) throws -> [BinlogInput] {
        if files.isEmpty && !toLastLog {
            throw CLIError(.usage, "--read-from-remote-server needs the server's binlog to read (a FILE), or --to-last-log for all of them")
        }
        let configuration = configuration
        let logs: [(name: String, size: UInt64?)]
        do {
            logs = try waitForAsync { [self] in
                try await MySQLConnection.withConnection(configuration, password: password, connectTimeout: .seconds(Int64(connectTimeout))) { session in
                    if let warning = ConnectionOptions.unencryptedWarning(configuration, encrypted: session.isEncrypted) { warn(warning) }
                    return try await ReplicationStream.binaryLogs(session)
                }
            }
        } catch let error as ConnectionError {
            throw CLIError(.connection, error.message)
        } catch let error as ServerError {
            throw CLIError(.dataProblem, "\(name): SHOW BINARY LOGS failed: \(error)")
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.connection, "\(name): \(error)")
        }
        guard !logs.isEmpty else { throw CLIError(.dataProblem, "\(name): the server has no binlogs (log_bin is off)") }
        let sizes = Dictionary(logs.map { ($0.name, $0.size) }, uniquingKeysWith: { first, _ in first })
        for file in files where sizes[file] == nil {
            throw CLIError(.usage, "\(file): not one of the server's binlogs (\(logs.first!.name) to \(logs.last!.name))")
        }
        var names = files
        if toLastLog {
            let first = files.first.flatMap { file in logs.firstIndex(where: { $0.name == file }) } ?? 0
            names = logs[first...].map(\.name)
        }
        return names.map { BinlogInput(name: $0, opener: RemoteBinlogFile(server: self, name: $0, size: sizes[$0] ?? nil)) }
    }

    /// A thread-safe counter.
    private final class Counter: @unchecked Sendable {
        private let lock = DispatchSemaphore(value: 1)
        private var value = 0
        func next() -> Int {
            lock.wait()
            defer { lock.signal() }
            value += 1
            return value - 1
        }
    }
}

/// One of a server's binlogs as an input: each ``open()`` streams it from its start.
final class RemoteBinlogFile: BinlogInputOpener {
    let server: RemoteServer
    let name: String
    let size: UInt64?

    init(server: RemoteServer, name: String, size: UInt64?) {
        self.server = server
        self.name = name
        self.size = size
    }

    func open() throws -> any ByteSource { RemoteBinlogSource(server: server, file: name) }
}

/// The bytes of one server binlog as its file has them: the magic number, then each event the
/// stream brings that is in the file (not the server's artificial Rotate and Format_description,
/// not heartbeats), up to the file's own Rotate or Stop, or to the end of the server's last
/// binlog. A session on another task reads the stream ahead, at most a few MiB.
final class RemoteBinlogSource: ByteSource {
    private let channel = StreamChannel(limit: 4 << 20)
    private var chunk: [UInt8] = []
    private var position = 0
    private var ended = false

    init(server: RemoteServer, file: String) {
        let channel = channel
        let serverID = server.nextServerID()
        Task { await RemoteBinlogSource.produce(server: server, file: file, serverID: serverID, into: channel) }
    }

    deinit { channel.cancel() }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while position == chunk.count {
            if ended { return 0 }
            switch channel.take() {
            case .bytes(let bytes):
                chunk = bytes
                position = 0
            case .end:
                ended = true
                return 0
            case .failure(let error):
                ended = true
                throw error
            }
        }
        let count = min(buffer.count, chunk.count - position)
        chunk.withUnsafeBytes { raw in base.copyMemory(from: raw.baseAddress! + position, byteCount: count) }
        position += count
        return count
    }

    private static func produce(server: RemoteServer, file: String, serverID: UInt32, into channel: StreamChannel) async {
        var received: UInt64 = 0
        do {
            try await MySQLConnection.withConnection(server.configuration, password: server.password,
                                                     connectTimeout: .seconds(Int64(server.connectTimeout))) { session in
                try await ReplicationStream.begin(session, file: file, position: 4, serverID: serverID, heartbeatSeconds: 0, nonBlocking: true)
                guard await channel.send(binlogMagic) else { return }
                received = 4
                while true {
                    guard case .event(let event) = try await ReplicationStream.next(session) else { return }
                    if event.isHeartbeat { continue }
                    if event.artificial {
                        // The stream starts with a Rotate naming this file; one naming another
                        // means this file has ended (the server went on to its next binlog).
                        if let (name, _) = event.rotate, name != file { return }
                        continue
                    }
                    if event.endPosition != 0 && UInt64(event.endPosition) != received + UInt64(event.bytes.count) {
                        throw CLIError(.dataProblem, "\(server.name): \(file): the server's event ending at \(event.endPosition) does not follow the \(received) bytes before it")
                    }
                    guard await channel.send(event.bytes) else { return }
                    received += UInt64(event.bytes.count)
                    if event.closesFile { return }
                }
            }
            channel.finish(nil)
        } catch let error as CLIError {
            channel.finish(error)
        } catch let error as ServerError {
            channel.finish(CLIError(.dataProblem, "\(server.name): \(file): the server refused the binlog stream after \(received) bytes: \(error)"))
        } catch {
            let what = received == 0 ? "cannot read from the server" : "the stream broke after \(received) bytes"
            channel.finish(CLIError(.connection, "\(server.name): \(file): \(what): \(error)"))
        }
    }
}

/// The chunks a producing task hands a reading thread: bounded to `limit` bytes queued (the
/// producer waits, without blocking a thread, while more are), then one end or failure.
final class StreamChannel: @unchecked Sendable {
    enum Item {
        case bytes([UInt8])
        case end
        case failure(CLIError)
    }

    private let lock = DispatchSemaphore(value: 1)
    private let available = DispatchSemaphore(value: 0)
    private var items: [Item] = []
    private var head = 0
    private var queuedBytes = 0
    private let limit: Int
    private var cancelled = false
    private var waitingProducer: CheckedContinuation<Void, Never>?

    init(limit: Int) { self.limit = limit }

    /// Producer: queues `bytes`, then waits while more than `limit` bytes are queued; false when
    /// the reader has gone (stop producing).
    func send(_ bytes: [UInt8]) async -> Bool {
        lock.wait()
        if cancelled {
            lock.signal()
            return false
        }
        items.append(.bytes(bytes))
        queuedBytes += bytes.count
        lock.signal()
        available.signal()
        while true {
            lock.wait()
            if cancelled {
                lock.signal()
                return false
            }
            if queuedBytes <= limit {
                lock.signal()
                return true
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waitingProducer = continuation
                lock.signal()
            }
        }
    }

    /// Producer: the last item, the end (`nil`) or a failure.
    func finish(_ failure: CLIError?) {
        lock.wait()
        items.append(failure.map(Item.failure) ?? .end)
        lock.signal()
        available.signal()
    }

    /// Reader: the next item, waiting for it.
    func take() -> Item {
        available.wait()
        lock.wait()
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        if case .bytes(let bytes) = item { queuedBytes -= bytes.count }
        var resumed: CheckedContinuation<Void, Never>?
        if queuedBytes <= limit {
            resumed = waitingProducer
            waitingProducer = nil
        }
        lock.signal()
        resumed?.resume()
        return item
    }

    /// Reader: done reading; the producer stops at its next send.
    func cancel() {
        lock.wait()
        cancelled = true
        let resumed = waitingProducer
        waitingProducer = nil
        lock.signal()
        resumed?.resume()
    }
}

/// Runs async work from synchronous code (a subcommand's) and waits for its result.
func waitForAsync<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
    let done = DispatchSemaphore(value: 0)
    let box = AsyncResultBox<Value>()
    Task {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class AsyncResultBox<Value>: @unchecked Sendable {
    var result: Result<Value, any Error>?
}
