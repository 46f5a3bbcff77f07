// Where binlog bytes come from: a file descriptor, or a gzip or zstd stream over one.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import CZstd

/// An input error that is not about the binlog's contents.
public struct ByteSourceError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A sequential source of bytes.
public protocol ByteSource {
    /// Fills the start of `buffer`; returns how many bytes were written, 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file descriptor with `read(2)`.
public final class FileDescriptorSource: ByteSource {
    public let fd: Int32
    private let ownsDescriptor: Bool

    public init(fd: Int32, ownsDescriptor: Bool) {
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` for reading.
    public convenience init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ByteSourceError("\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw ByteSourceError("\(path): is a directory")
        }
        self.init(fd: fd, ownsDescriptor: true)
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(fd, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw ByteSourceError("read error: \(String(cString: strerror(errno)))")
        }
    }

    /// Total size when the descriptor is a regular file.
    public var size: UInt64? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }
}

/// Inflates a gzip (or zlib) stream read from another source; concatenated members are read in turn.
public final class GzipSource: ByteSource {
    private var inner: any ByteSource
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputPosition = 0
    private var inputCount = 0
    private var innerAtEnd = false
    private var memberComplete = false

    public init(_ inner: any ByteSource) throws {
        self.inner = inner
        // 15 + 32: any window size, gzip or zlib header detected automatically.
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw ByteSourceError("cannot initialise gzip decompression (zlib error \(status))") }
    }

    deinit { inflateEnd(&stream) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            if inputPosition == inputCount && !innerAtEnd {
                inputCount = try input.withUnsafeMutableBytes { try inner.read(into: $0) }
                inputPosition = 0
                if inputCount == 0 { innerAtEnd = true }
            }
            if inputPosition == inputCount && innerAtEnd {
                if !memberComplete { throw ByteSourceError("gzip stream ends early") }
                return 0
            }
            if memberComplete {
                // Another gzip member follows.
                inflateReset(&stream)
                memberComplete = false
            }
            let available = inputCount - inputPosition
            let status: Int32 = input.withUnsafeMutableBufferPointer { inputBuffer in
                stream.next_in = inputBuffer.baseAddress! + inputPosition
                stream.avail_in = uInt(available)
                stream.next_out = out.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            inputPosition += available - Int(stream.avail_in)
            switch status {
            case Z_STREAM_END: memberComplete = true
            case Z_OK, Z_BUF_ERROR: break
            default: throw ByteSourceError("gzip data is corrupt (zlib error \(status))")
            }
            let produced = buffer.count - Int(stream.avail_out)
            if produced > 0 { return produced }
        }
    }
}

/// Decompresses a zstd stream read from another source.
public final class ZstdSource: ByteSource {
    private var inner: any ByteSource
    private let context: OpaquePointer
    private var input = [UInt8](repeating: 0, count: 1 << 17)
    private var inputPosition = 0
    private var inputCount = 0
    private var innerAtEnd = false
    private var frameComplete = true

    public init(_ inner: any ByteSource) throws {
        self.inner = inner
        guard let context = ZSTD_createDCtx() else { throw ByteSourceError("cannot initialise zstd decompression") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            if inputPosition == inputCount && !innerAtEnd {
                inputCount = try input.withUnsafeMutableBytes { try inner.read(into: $0) }
                inputPosition = 0
                if inputCount == 0 { innerAtEnd = true }
            }
            if inputPosition == inputCount && innerAtEnd {
                if !frameComplete { throw ByteSourceError("zstd stream ends early") }
                return 0
            }
            var output = ZSTD_outBuffer(dst: out, size: buffer.count, pos: 0)
            let result: Int = input.withUnsafeBytes { raw in
                var inBuffer = ZSTD_inBuffer(src: raw.baseAddress, size: inputCount, pos: inputPosition)
                let code = ZSTD_decompressStream(context, &output, &inBuffer)
                inputPosition = inBuffer.pos
                return code
            }
            if ZSTD_isError(result) != 0 {
                throw ByteSourceError("zstd data is corrupt: \(String(cString: ZSTD_getErrorName(result)))")
            }
            frameComplete = result == 0
            if output.pos > 0 { return output.pos }
        }
    }
}
