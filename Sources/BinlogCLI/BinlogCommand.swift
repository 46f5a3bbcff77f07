// The root `binlog` command: lists the subcommands, and maps errors to the documented exit codes.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct BinlogCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "binlog",
        abstract: "Read, filter and check MySQL and MariaDB binary logs.",
        discussion: """
            Exit codes: 0 success; 1 the data has problems; 2 usage or input error \
            (bad option, unreadable file, not a binlog); 3 cannot reach or authenticate to the server.
            """,
        version: "0.1.0",
        subcommands: BinlogCommand.subcommands
    )

    #if BINLOG_NO_NETWORK
    // The fuzzer's build (Package.swift): no client, so no replay or pull.
    static var subcommands: [ParsableCommand.Type] { [Dump.self, Filter.self, Verify.self, Stats.self, Flashback.self, GTIDCommand.self] }
    #else
    static var subcommands: [ParsableCommand.Type] {
        [Dump.self, Filter.self, Verify.self, Stats.self, Replay.self, Flashback.self, Pull.self, GTIDCommand.self]
    }
    #endif

    public init() {}

    /// Parses the command line and runs the subcommand. Usage errors exit with 2, as the
    /// command-line contract says (swift-argument-parser's own code for them is 64).
    public static func runMain(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Glibc.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                writeStandardError(fullMessage(for: error))
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}
