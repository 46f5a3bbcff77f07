// Errors the command line reports, each with its documented exit code.
import ArgumentParser

/// A failure of a subcommand; `exitCode` follows the contract in CLI.md.
public struct CLIError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        /// 1: the data has problems.
        case dataProblem
        /// 2: usage or input error.
        case usage
        /// 3: cannot reach or authenticate to the server.
        case connection
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var exitCode: Int32 {
        switch kind {
        case .dataProblem: return 1
        case .usage: return 2
        case .connection: return 3
        }
    }

    public var description: String { message }

    /// Says what went wrong and gives the exit code: a CLIError's own, 2 for anything else.
    static func report(_ error: any Error, to diagnostics: (String) -> Void) -> Int32 {
        if let error = error as? CLIError {
            diagnostics(error.message)
            return error.exitCode
        }
        diagnostics("\(error)")
        return 2
    }
}
