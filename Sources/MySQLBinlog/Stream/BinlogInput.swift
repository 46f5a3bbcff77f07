// Opens what the command line names: a binlog, a relay log, `-`, an index file, or a .gz/.zst copy.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where an input's bytes come from when they are not in a local file: a server, say. Each
/// ``open()`` reads the input again from its start.
public protocol BinlogInputOpener: AnyObject, Sendable {
    func open() throws -> any ByteSource
    /// The input's size in bytes, when known (for progress).
    var size: UInt64? { get }
}

/// One input file, resolved.
public struct BinlogInput: Sendable, Hashable {
    /// The path as given (or as listed in an index file), `-` for standard input; for an input
    /// with an ``opener``, its name (a server's binlog, say).
    public var path: String
    /// Where the bytes are read from when not from `path`: a copy of standard input in a
    /// temporary file, for readers that need to read it twice. Messages still name `path`.
    public var copy: String?
    /// Opens the bytes when they are not a local file's.
    public var opener: (any BinlogInputOpener)?

    public init(path: String) { self.path = path }

    /// An input named `name` whose bytes `opener` gives.
    public init(name: String, opener: any BinlogInputOpener) {
        self.path = name
        self.opener = opener
    }

    public static func == (lhs: BinlogInput, rhs: BinlogInput) -> Bool {
        lhs.path == rhs.path && lhs.copy == rhs.copy && lhs.opener.map(ObjectIdentifier.init) == rhs.opener.map(ObjectIdentifier.init)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(copy)
        hasher.combine(opener.map(ObjectIdentifier.init))
    }

    /// An input named `path` whose bytes are read from the file `copy`.
    public init(path: String, copy: String) {
        self.path = path
        self.copy = copy
    }

    /// Opens the byte source, decompressing gzip and zstd by their magic numbers.
    public func open() throws -> any ByteSource {
        if let opener { return try opener.open() }
        let raw: FileDescriptorSource = copy != nil ? try FileDescriptorSource(path: copy!)
            : path == "-" ? FileDescriptorSource(fd: 0, ownsDescriptor: false) : try FileDescriptorSource(path: path)
        var peeked = PeekingSource(raw)
        let head = try peeked.peek(4)
        if head.count >= 2 && head[0] == 0x1f && head[1] == 0x8b {
            return try GzipSource(peeked)
        }
        if head == [0x28, 0xb5, 0x2f, 0xfd] {
            return try ZstdSource(peeked)
        }
        return peeked
    }

    /// The size of the binlog bytes this input holds, when it is a plain regular file (not
    /// standard input, not compressed): what progress is measured against.
    public func plainSize() -> UInt64? {
        if let opener { return opener.size }
        guard path != "-", let source = try? FileDescriptorSource(path: path), let size = source.size else { return nil }
        var head = [UInt8](repeating: 0, count: 2)
        let count = (try? head.withUnsafeMutableBytes { try source.read(into: $0) }) ?? 0
        if count == 2 && ((head[0] == 0x1f && head[1] == 0x8b) || (head[0] == 0x28 && head[1] == 0xb5)) { return nil }
        return size
    }

    /// Expands index files (`mysql-bin.index`: one file name per line, relative to the index's
    /// directory) into the files they list; other paths stand for themselves.
    public static func expand(_ paths: [String]) throws -> [BinlogInput] {
        var result: [BinlogInput] = []
        for path in paths {
            if path != "-", let listed = try indexEntries(path) {
                result.append(contentsOf: listed.map(BinlogInput.init(path:)))
            } else {
                result.append(BinlogInput(path: path))
            }
        }
        return result
    }

    /// The files an index lists, or `nil` when `path` is not an index file.
    static func indexEntries(_ path: String) throws -> [String]? {
        let source = try FileDescriptorSource(path: path)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count <= 1 << 20 {
            let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        if bytes.count > 1 << 20 { return nil }
        if bytes.starts(with: binlogMagic) || bytes.isEmpty { return nil }
        // An index is printable text, one file name per line.
        guard bytes.allSatisfy({ $0 == 10 || $0 == 13 || $0 == 9 || ($0 >= 32 && $0 != 127) }) else { return nil }
        let directory: String
        if let slash = path.lastIndex(of: "/") { directory = String(path[...slash]) } else { directory = "" }
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return nil }
        let resolved = lines.map { line -> String in
            if line.hasPrefix("/") { return line }
            // Servers write entries like ./mysql-bin.000001: resolve against the index's directory.
            let relative = line.hasPrefix("./") ? String(line.dropFirst(2)) : line
            if let slash = relative.lastIndex(of: "/"), !directory.isEmpty {
                // A server-relative path: the file is expected beside the index.
                return directory + relative[relative.index(after: slash)...]
            }
            return directory + relative
        }
        // A text file is an index when it is named like one or every line names an existing file;
        // anything else is left to fail as "not a binlog".
        let allExist = resolved.allSatisfy { entry in
            var info = stat()
            return stat(entry, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
        return path.hasSuffix(".index") || allExist ? resolved : nil
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}

/// A source that can look at its first bytes without consuming them.
struct PeekingSource: ByteSource {
    var inner: any ByteSource
    var pending: [UInt8] = []

    init(_ inner: any ByteSource) { self.inner = inner }

    mutating func peek(_ count: Int) throws -> [UInt8] {
        while pending.count < count {
            var chunk = [UInt8](repeating: 0, count: count - pending.count)
            let read = try chunk.withUnsafeMutableBytes { try inner.read(into: $0) }
            if read == 0 { break }
            pending.append(contentsOf: chunk[0..<read])
        }
        return Array(pending.prefix(count))
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if buffer.isEmpty { return 0 }
        if !pending.isEmpty {
            let count = min(pending.count, buffer.count)
            pending.withUnsafeBytes { raw in
                buffer.baseAddress!.copyMemory(from: raw.baseAddress!, byteCount: count)
            }
            pending.removeFirst(count)
            return count
        }
        return try inner.read(into: buffer)
    }
}
