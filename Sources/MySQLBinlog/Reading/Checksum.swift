// CRC32 of events, computed over the bytes in place (CBinlogKernels: carry-less multiplication
// where the CPU has it, several times zlib's speed on long events; the run predictor below uses
// zlib's algebra).
import CBinlogKernels
import CZlib

public enum CRC32 {
    /// zlib's CRC-32 (the one the servers use) of `bytes`.
    public static func checksum(_ bytes: ArraySlice<UInt8>, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    /// zlib's CRC-32 of the bytes at `raw`.
    public static func checksum(_ raw: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = raw.baseAddress, raw.count > 0 else { return seed }
        return binlog_crc32(seed, base.assumingMemoryBound(to: UInt8.self), raw.count)
    }
}

/// Predicts the CRC32 of a run of events that all carry correct checksums, so a whole run can
/// be checked with one zlib pass instead of one call per event (short events make zlib's
/// per-call cost dominate: about 1.4 GB/s per event against 4 GB/s over a whole chunk).
///
/// The CRC32 of an event followed by its own little-endian CRC32 is the same for every event
/// (``residue``), and zlib's `crc32_combine` gives the CRC32 of a concatenation from the parts'.
/// So if every event of a run is intact, the CRC32 of the run is a function of the event
/// lengths alone. When the real one differs, at least one event is damaged and the caller
/// checks them one by one; two damaged events cancelling out has a 2^-32 chance.
public struct CRC32RunPredictor {
    /// zlib's CRC32 of any byte string followed by its own CRC32 (little-endian).
    public static let residue: UInt32 = {
        var bytes: [UInt8] = [0x62, 0x69, 0x6e]
        let crc = CRC32.checksum(bytes[...])
        bytes += [UInt8(crc & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc >> 16 & 0xff), UInt8(crc >> 24)]
        return CRC32.checksum(bytes[...])
    }()

    /// Lengths below this get a cached multiplier; longer ones ask zlib each time.
    static let cachedLengths = 1 << 16
    /// At most this many multipliers are cached (512 bytes each).
    static let maximumSlots = 2048

    private var slotForLength: [Int32] = []
    /// For each cached length, zlib's shift operator for that many bytes as 8 tables of 16
    /// entries, one per 4-bit digit of the CRC being shifted.
    private var tables: [UInt32] = []

    public init() {}

    /// The CRC32 of `run` followed by an intact event of `length` bytes, given the CRC32 of `run`.
    @inline(__always)
    public mutating func extend(_ crc: UInt32, byIntactEventOf length: Int) -> UInt32 {
        if length < CRC32RunPredictor.cachedLengths {
            if slotForLength.isEmpty { slotForLength = [Int32](repeating: -1, count: CRC32RunPredictor.cachedLengths) }
            var slot = Int(slotForLength[length])
            if slot < 0 && tables.count / 128 < CRC32RunPredictor.maximumSlots {
                slot = tables.count / 128
                let op = CZlib.crc32_combine_gen(length)
                for digit in 0..<8 {
                    for value in 0..<16 {
                        tables.append(UInt32(truncatingIfNeeded: CZlib.crc32_combine_op(UInt(value) << (4 * digit), 0, op)))
                    }
                }
                slotForLength[length] = Int32(slot)
            }
            if slot >= 0 {
                return tables.withUnsafeBufferPointer { table in
                    let base = slot * 128
                    var shifted: UInt32 = 0
                    for digit in 0..<8 {
                        shifted ^= table[base + digit * 16 + Int((crc >> (4 * UInt32(digit))) & 0xf)]
                    }
                    return shifted ^ CRC32RunPredictor.residue
                }
            }
        }
        let op = CZlib.crc32_combine_gen(length)
        return UInt32(truncatingIfNeeded: CZlib.crc32_combine_op(UInt(crc), UInt(CRC32RunPredictor.residue), op))
    }
}
