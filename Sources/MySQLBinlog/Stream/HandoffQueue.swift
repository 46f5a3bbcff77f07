// The bounded queue a reading thread hands its batches to the thread that uses them through.
import Dispatch

/// A bounded single-producer, single-consumer queue for a background reading thread.
///
/// The producer blocks while `depth` batches wait (so memory stays bounded); the consumer blocks
/// while none does. Cancelling (when the consumer is done early) releases a blocked producer,
/// which then stops; ``waitUntilFinished()`` waits for it to say it has.
public final class HandoffQueue<Element>: @unchecked Sendable {
    private let mutex = DispatchSemaphore(value: 1)
    private let available = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let finished = DispatchSemaphore(value: 0)
    private var queue: [Element] = []
    private var cancelled = false

    public init(depth: Int) {
        // Created at 0 and raised: libdispatch traps when a semaphore is freed below the value
        // it was created with, which is where `free` is when the consumer stops early with
        // batches still queued.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<max(depth, 1) { free.signal() }
    }

    /// Producer: waits for room and queues `element`. Returns how many elements were waiting
    /// before it, or `nil` when the consumer has cancelled (the element is dropped; stop).
    public func put(_ element: Element) -> Int? {
        free.wait()
        mutex.wait()
        let waiting = queue.count
        let wasCancelled = cancelled
        if !wasCancelled { queue.append(element) }
        mutex.signal()
        if wasCancelled { return nil }
        available.signal()
        return waiting
    }

    /// Consumer: waits for the next element.
    public func take() -> Element {
        available.wait()
        mutex.wait()
        let element = queue.removeFirst()
        mutex.signal()
        free.signal()
        return element
    }

    /// Producer: says it has stopped (call once, last).
    public func markFinished() { finished.signal() }

    /// Consumer: stops the producer (a blocked ``put(_:)`` returns nil) and waits until it has
    /// called ``markFinished()``.
    public func cancelAndWait() {
        mutex.wait()
        cancelled = true
        mutex.signal()
        free.signal()
        finished.wait()
    }
}
