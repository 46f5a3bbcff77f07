// CRC32 of events, computed by zlib over the bytes in place.
import CZlib

public enum CRC32 {
    /// zlib's CRC-32 (the one the servers use) of `bytes`.
    public static func checksum(_ bytes: ArraySlice<UInt8>, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, seed: seed) }
    }

    /// zlib's CRC-32 of the bytes at `raw`.
    public static func checksum(_ raw: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        var crc = UInt(seed)
        var base = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var left = raw.count
        while left > 0, let pointer = base {
            let chunk = min(left, Int(UInt32.max >> 1))
            crc = CZlib.crc32(crc, pointer, uInt(chunk))
            base = pointer + chunk
            left -= chunk
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}
