// The progress line long runs show on a terminal's standard error: bytes done, events per second, time left.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reports progress on standard error, at most twice a second, only when it is a terminal.
final class Progress {
    private let total: UInt64?
    private let enabled: Bool
    private let unit: String
    private let start: Double
    private var lastShown: Double
    private var shown = false
    private var done: UInt64 = 0
    private var events: UInt64 = 0
    private var checkCountdown = 0

    /// `total` is the bytes to read when known; `enabled` false makes every call a no-op.
    init(total: UInt64?, enabled: Bool, unit: String = "events") {
        self.total = total
        self.enabled = enabled
        self.unit = unit
        start = Progress.now()
        lastShown = start
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Called for every event; looks at the clock only every few thousand events.
    @inline(__always)
    func advance(bytes: Int) {
        guard enabled else { return }
        done += UInt64(bytes)
        events += 1
        checkCountdown -= 1
        if checkCountdown > 0 { return }
        checkCountdown = 4096
        let now = Progress.now()
        // Nothing for runs shorter than a couple of seconds, then two updates a second.
        guard now - start >= 2, now - lastShown >= 0.5 else { return }
        lastShown = now
        shown = true
        writeStandardErrorRaw("\r" + Progress.line(done: done, total: total, events: events, seconds: now - start) + "\u{1b}[K")
    }

    /// When the run began (Progress.now()'s clock).
    var started: Double { start }

    /// For callers that know where they are (replay: the bytes up to the last transaction sent,
    /// and how many): shown at most twice a second, after the first two seconds.
    func advance(to bytes: UInt64, count: Int) {
        guard enabled else { return }
        done = bytes
        events = UInt64(count)
        let now = Progress.now()
        guard now - start >= 2, now - lastShown >= 0.5 else { return }
        lastShown = now
        shown = true
        writeStandardErrorRaw("\r" + Progress.line(done: done, total: total, events: events, seconds: now - start, unit: unit) + "\u{1b}[K")
    }

    /// Clears the line so that what follows on the terminal starts clean.
    func finish() {
        if shown {
            shown = false
            writeStandardErrorRaw("\r\u{1b}[K")
        }
    }

    /// `312.4 MB / 550.1 MB (57%), 412345 events/s, 4 s left` (the parts that are known).
    static func line(done: UInt64, total: UInt64?, events: UInt64, seconds: Double, unit: String = "events") -> String {
        func megabytes(_ bytes: UInt64) -> String {
            let tenths = (bytes + 50_000) / 100_000
            return "\(tenths / 10).\(tenths % 10) MB"
        }
        var text = megabytes(done)
        if let total, total > 0 {
            text += " / " + megabytes(total) + " (\(min(100, done * 100 / total))%)"
        }
        if seconds > 0 {
            text += ", \(UInt64(Double(events) / seconds)) \(unit)/s"
            if let total, total > done, done > 0 {
                let left = seconds * Double(total - done) / Double(done)
                text += ", \(Int(left.rounded(.up))) s left"
            }
        }
        return text
    }
}

/// Writes to standard error without adding a newline.
func writeStandardErrorRaw(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        _ = Glibc.write(2, bytes.baseAddress, bytes.count)
    }
}
