// The C kernels (CBinlogKernels): their fast paths against their portable code and against
// independent implementations (zlib's crc32, Foundation's base64).
import CBinlogKernels
import CZlib
import Foundation
import XCTest

final class KernelTests: XCTestCase {
    private var generator = SystemRandomNumberGenerator()

    private func randomBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    private func zlibCRC(_ seed: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(truncatingIfNeeded: crc32(UInt(seed), $0.baseAddress, uInt($0.count))) }
    }

    func testCRC32EqualsZlibAtEveryLengthAlignmentAndSeed() {
        if binlog_crc32_accelerated() == 0 { print("KernelTests: this CPU has no PCLMULQDQ; only the portable CRC-32 is tested") }
        let data = randomBytes(70_000)
        // Every length through 600 (the folding loop's edges: 64, 128, multiples of 16 and the
        // bytes after them), then large ones; start offsets 0 to 15 for alignment.
        var lengths = Array(0...600)
        lengths += [1023, 4096, 4097, 65_535, 69_984]
        for (index, length) in lengths.enumerated() {
            let start = index % 16
            let slice = data[start..<(start + length)]
            let seed: UInt32 = index % 3 == 0 ? 0 : UInt32.random(in: 0...UInt32.max, using: &generator)
            let expected = zlibCRC(seed, slice)
            let fast = slice.withUnsafeBufferPointer { binlog_crc32(seed, $0.baseAddress, $0.count) }
            let portable = slice.withUnsafeBufferPointer { binlog_crc32_portable(seed, $0.baseAddress, $0.count) }
            XCTAssertEqual(fast, expected, "length \(length) from \(start), seed \(seed)")
            XCTAssertEqual(portable, expected, "portable, length \(length) from \(start), seed \(seed)")
        }
    }

    func testCRC32OfAllZerosAndAllOnes() {
        // Inputs that make every fold's product degenerate.
        for byte: UInt8 in [0, 0xff] {
            for length in [64, 80, 1000, 4096] {
                let bytes = [UInt8](repeating: byte, count: length)
                XCTAssertEqual(bytes.withUnsafeBufferPointer { binlog_crc32(0, $0.baseAddress, $0.count) }, zlibCRC(0, bytes[...]))
            }
        }
    }

    /// Foundation's base64 cut into lines of 76 characters: the layout of BINLOG statements.
    private func referenceLines(_ bytes: [UInt8]) -> String {
        let reference = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var rest = Substring(reference)
        while !rest.isEmpty {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        return lines.joined(separator: "\n")
    }

    func testBase64LinesEqualFoundationAtEveryLength() {
        if binlog_base64_accelerated() == 0 { print("KernelTests: this CPU has no AVX2; only the portable base64 is tested") }
        var lengths = Array(0...400)
        lengths += [57 * 64 - 1, 57 * 64, 57 * 64 + 1, 10_000]
        for length in lengths {
            let input = randomBytes(length)
            let expected = referenceLines(input)
            let size = binlog_base64_lines_length(length)
            var fast = [UInt8](repeating: 0, count: size + 64)
            var portable = fast
            let fastCount = input.withUnsafeBufferPointer { i in fast.withUnsafeMutableBufferPointer { binlog_base64_lines(i.baseAddress, length, $0.baseAddress) } }
            let portableCount = input.withUnsafeBufferPointer { i in portable.withUnsafeMutableBufferPointer { binlog_base64_lines_portable(i.baseAddress, length, $0.baseAddress) } }
            XCTAssertEqual(fastCount, size, "length \(length)")
            XCTAssertEqual(portableCount, size, "length \(length)")
            XCTAssertEqual(String(decoding: fast.prefix(fastCount), as: UTF8.self), expected, "length \(length)")
            XCTAssertEqual(String(decoding: portable.prefix(portableCount), as: UTF8.self), expected, "portable, length \(length)")
            // Nothing written past the end.
            XCTAssertTrue(fast[size...].allSatisfy { $0 == 0 }, "length \(length)")
        }
    }

    func testBase64UsesEveryCharacterOfTheAlphabet() {
        // 48 bytes whose 6-bit fields run 0...63: one AVX2 step's worth and more.
        var bits: [Bool] = []
        for value in 0..<64 { for bit in (0..<6).reversed() { bits.append(value >> bit & 1 == 1) } }
        var input: [UInt8] = []
        for start in stride(from: 0, to: bits.count, by: 8) {
            input.append(bits[start..<(start + 8)].reduce(0) { $0 << 1 | ($1 ? 1 : 0) })
        }
        input += input + input
        var output = [UInt8](repeating: 0, count: binlog_base64_lines_length(input.count))
        let count = input.withUnsafeBufferPointer { i in output.withUnsafeMutableBufferPointer { binlog_base64_lines(i.baseAddress, i.count, $0.baseAddress) } }
        XCTAssertEqual(String(decoding: output.prefix(count), as: UTF8.self), referenceLines(input))
        XCTAssertTrue(String(decoding: output, as: UTF8.self).hasPrefix("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))
    }
}
