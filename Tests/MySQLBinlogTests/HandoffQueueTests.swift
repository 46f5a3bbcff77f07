// The reading threads' handoff queue: order, bounds, cancelling, and being freed with elements queued.
import Dispatch
import XCTest
@testable import MySQLBinlog

final class HandoffQueueTests: XCTestCase {
    func testElementsArriveInOrderThroughASmallQueue() {
        let queue = HandoffQueue<Int>(depth: 2)
        DispatchQueue.global().async {
            for value in 0..<1000 { guard queue.put(value) != nil else { break } }
            queue.markFinished()
        }
        for expected in 0..<1000 { XCTAssertEqual(queue.take(), expected) }
        queue.cancelAndWait()
    }

    func testCancellingReleasesABlockedProducerAndFreeingWithElementsQueuedIsFine() {
        final class Results: @unchecked Sendable {
            let lock = DispatchSemaphore(value: 1)
            var values: [Int?] = []
            func add(_ value: Int?) { lock.wait(); values.append(value); lock.signal() }
            var all: [Int?] { lock.wait(); defer { lock.signal() }; return values }
        }
        for _ in 0..<20 {
            let results = Results()
            do {
                let queue = HandoffQueue<[UInt8]>(depth: 1)
                DispatchQueue.global().async {
                    // The second put blocks: the queue holds one element and nobody takes it.
                    for _ in 0..<3 {
                        let result = queue.put([1, 2, 3])
                        results.add(result)
                        if result == nil { break }
                    }
                    queue.markFinished()
                }
                usleep(10_000)
                queue.cancelAndWait()
                // The queue is freed here (or on the producer's thread) with an element still in it.
            }
            usleep(5_000)
            XCTAssertEqual(results.all.first, .some(0))
            XCTAssertEqual(results.all.last, .some(nil))
        }
    }
}
