// A buffered byte writer to a file descriptor or to memory, so frontends can be tested directly.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a frontend writes its output: a file descriptor (buffered) or memory (for tests).
public final class OutputSink {
    /// Bytes not yet written; printers append to it directly and call ``flushIfNeeded()``.
    public var buffer: [UInt8] = []
    private let fd: Int32?
    private let flushThreshold: Int

    /// Output kept in memory; read it from ``buffer``.
    public init() {
        fd = nil
        flushThreshold = Int.max
        buffer.reserveCapacity(1 << 16)
    }

    /// Output written to `fd`, in chunks of about `chunkSize` bytes.
    public init(fd: Int32, chunkSize: Int = 1 << 18) {
        self.fd = fd
        flushThreshold = chunkSize
        buffer.reserveCapacity(chunkSize + (1 << 16))
    }

    @inline(__always)
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= flushThreshold { flush() }
    }

    @inline(__always)
    public func write(_ bytes: some Collection<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { flush() }
    }

    public func flushIfNeeded() {
        if buffer.count >= flushThreshold { flush() }
    }

    /// Hands the buffered bytes to the writer thread (at most two buffers are in flight, so
    /// memory stays bounded while formatting and writing overlap).
    public func flush() {
        guard let fd, !buffer.isEmpty else { return }
        let data = buffer
        buffer = []
        buffer.reserveCapacity(flushThreshold + (1 << 16))
        inFlight.wait()
        let state = self.state
        let inFlight = self.inFlight
        writer.async {
            defer { inFlight.signal() }
            if state.failure != nil { return }
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        state.failure = String(cString: strerror(errno))
                        return
                    }
                    offset += written
                }
            }
        }
    }

    /// Waits until everything handed to the writer thread is written.
    public func finish() {
        flush()
        writer.sync {}
    }

    private final class WriterState: @unchecked Sendable {
        var failure: String?
    }

    private let writer = DispatchQueue(label: "binlog.output")
    private let inFlight = DispatchSemaphore(value: 2)
    private let state = WriterState()

    /// Why writing failed, if it did (read after ``finish()``).
    public var failed: String? { writer.sync { state.failure } }

    /// The memory output as text (tests).
    public var text: String { String(decoding: buffer, as: UTF8.self) }
}

/// Writes a line to standard error at once.
func writeStandardError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    line.withUTF8 { bytes in
        _ = Glibc.write(2, bytes.baseAddress, bytes.count)
    }
}

/// Runs a frontend against standard output (chunks of `chunkSize`) and standard error, with
/// messages prefixed `binlog: `; a failed write to standard output makes the exit code 2.
func runOnStandardOutput(chunkSize: Int, _ body: (OutputSink, (String) -> Void) -> Int32) -> Int32 {
    let sink = OutputSink(fd: 1, chunkSize: chunkSize)
    let code = body(sink, { writeStandardError("binlog: " + $0) })
    sink.finish()
    if let failure = sink.failed {
        writeStandardError("binlog: writing the output failed: \(failure)")
        return 2
    }
    return code
}
