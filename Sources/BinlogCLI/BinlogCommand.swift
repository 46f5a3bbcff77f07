// The root `binlog` command: lists the subcommands.
import ArgumentParser

public struct BinlogCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "binlog",
        abstract: "Read, filter and check MySQL and MariaDB binary logs.",
        discussion: """
            Exit codes: 0 success; 1 the data has problems; 2 usage or input error \
            (bad option, unreadable file, not a binlog); 3 cannot reach or authenticate to the server.
            """,
        version: "0.1.0",
        subcommands: [Dump.self]
    )

    public init() {}
}
