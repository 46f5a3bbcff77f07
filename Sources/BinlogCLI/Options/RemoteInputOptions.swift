// `-R` / `--read-from-remote-server` for dump, verify, stats and replay: FILE names a server's binlog.
import ArgumentParser
import MySQLBinlog

/// dump, verify and stats: the connection options name the server read from.
struct RemoteInputOptions: ParsableArguments {
    @Flag(name: [.customShort("R"), .customLong("read-from-remote-server")],
          help: "Read the binlogs FILE names from a server (the replication protocol, as a replica), not from local files.")
    var readFromRemoteServer = false

    @Flag(help: "With -R: go on from FILE through every later binlog of the server, to the end of its last.")
    var toLastLog = false

    @Option(help: ArgumentHelp("With -R: the server id to register with (default: one derived from the process id, from 4000000000 up).", valueName: "id"))
    var connectionServerId: UInt32?

    @OptionGroup(title: "Connection (with -R)") var connection: ConnectionOptions

    /// What reads the inputs from the server, or nil for local files.
    func inputs(files: [String], quiet: Bool, diagnostics: @escaping @Sendable (String) -> Void) throws -> (@Sendable () throws -> [BinlogInput])? {
        guard readFromRemoteServer else {
            if toLastLog { throw CLIError(.usage, "--to-last-log is for -R (--read-from-remote-server)") }
            return nil
        }
        return try RemoteServer.inputsReader(connection: connection, files: files, toLastLog: toLastLog, serverID: connectionServerId,
                                             quiet: quiet, diagnostics: diagnostics)
    }
}

/// replay: its connection options name the server replayed to; the server read from is in an option file.
struct RemoteSourceOptions: ParsableArguments {
    @Flag(name: [.customShort("R"), .customLong("read-from-remote-server")],
          help: "Read the binlogs FILE names from the server --source-defaults-file describes (as a replica), not from local files.")
    var readFromRemoteServer = false

    @Option(help: ArgumentHelp("With -R: the option file ([client] group: host, port or socket, user, password, ssl-mode, ssl-ca...) of the server to read from.", valueName: "file"))
    var sourceDefaultsFile: String?

    @Flag(help: "With -R: go on from FILE through every later binlog of the source, to the end of its last.")
    var toLastLog = false

    @Option(help: ArgumentHelp("With -R: the server id to register with at the source (default: one derived from the process id, from 4000000000 up).", valueName: "id"))
    var connectionServerId: UInt32?

    func inputs(files: [String], quiet: Bool, diagnostics: @escaping @Sendable (String) -> Void) throws -> (@Sendable () throws -> [BinlogInput])? {
        guard readFromRemoteServer else {
            if toLastLog || sourceDefaultsFile != nil {
                throw CLIError(.usage, "\(toLastLog ? "--to-last-log" : "--source-defaults-file") is for -R (--read-from-remote-server)")
            }
            return nil
        }
        guard let sourceDefaultsFile else {
            throw CLIError(.usage, "-R needs --source-defaults-file: the connection options name the server replayed to")
        }
        let source: ConnectionOptions
        do {
            source = try ConnectionOptions.parse(["--defaults-file", sourceDefaultsFile])
        } catch {
            throw CLIError(.usage, "--source-defaults-file \(sourceDefaultsFile): \(ConnectionOptions.message(for: error))")
        }
        return try RemoteServer.inputsReader(connection: source, files: files, toLastLog: toLastLog, serverID: connectionServerId,
                                             quiet: quiet, diagnostics: diagnostics)
    }
}

/// The remote-input options of dump, verify, stats (RemoteInputOptions) and replay (RemoteSourceOptions).
protocol RemoteInputChoice {
    func inputs(files: [String], quiet: Bool, diagnostics: @escaping @Sendable (String) -> Void) throws -> (@Sendable () throws -> [BinlogInput])?
}

extension RemoteInputOptions: RemoteInputChoice {}
extension RemoteSourceOptions: RemoteInputChoice {}

extension RemoteInputChoice {
    /// ``inputs(files:quiet:diagnostics:)`` for a subcommand's `run()`: an error is said on
    /// standard error and ends the run with its exit code.
    func inputsOrExit(files: [String], quiet: Bool) throws -> (@Sendable () throws -> [BinlogInput])? {
        do {
            return try inputs(files: files, quiet: quiet, diagnostics: { writeStandardError("binlog: " + $0) })
        } catch let error as CLIError {
            writeStandardError("binlog: " + error.message)
            throw ExitCode(error.exitCode)
        }
    }
}

extension RemoteServer {
    /// Checks the names and resolves the connection now; the returned closure connects and lists
    /// the server's binlogs when the frontend asks for its inputs.
    static func inputsReader(connection: ConnectionOptions, files: [String], toLastLog: Bool, serverID: UInt32?, quiet: Bool,
                             diagnostics: @escaping @Sendable (String) -> Void) throws -> @Sendable () throws -> [BinlogInput] {
        if let local = files.first(where: { $0 == "-" || $0.contains("/") }) {
            throw CLIError(.usage, "\(local): with -R, FILE is the name of one of the server's binlogs, not a path")
        }
        let resolved = try connection.resolve()
        if !quiet { resolved.warnings.forEach { diagnostics("warning: " + $0) } }
        let server = RemoteServer(configuration: resolved.configuration, password: resolved.password,
                                  connectTimeout: connection.connectTimeout, serverID: serverID)
        return { try server.inputs(files: files, toLastLog: toLastLog, warn: { if !quiet { diagnostics("warning: " + $0) } }) }
    }
}
