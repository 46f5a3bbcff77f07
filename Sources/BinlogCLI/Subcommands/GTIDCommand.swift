// `binlog gtid union|subtract|contains`: GTID set arithmetic, in MySQL's and MariaDB's syntax.
import ArgumentParser
import MySQLBinlog

struct GTIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gtid",
        abstract: "GTID set arithmetic in MySQL (uuid[:tag]:n-m) and MariaDB (domain-server-seq) syntax.",
        discussion: """
            MySQL sets: sources separated by commas, each a server UUID followed by colon-separated \
            transaction numbers or ranges, and tags (MySQL 8.3+) that apply to the numbers after them: \
            3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:7,3e11fa47-71ca-11e1-9e33-c80aa9429562:pay:1-3. \
            MariaDB lists: domain-server-seq positions separated by commas, at most one per domain; a \
            position stands for its domain's transactions up to that sequence number (as gtid_slave_pos), \
            so a union keeps each domain's later position. The two kinds cannot be mixed; an empty \
            argument is the empty set of either kind. A malformed set exits with 2, saying what is wrong.
            """,
        subcommands: [GTIDUnion.self, GTIDSubtract.self, GTIDContains.self]
    )
}

/// A GTID set in either server's syntax.
enum AnyGTIDSet: Equatable {
    case mysql(MySQLGTIDSet)
    case mariaDB(MariaDBGTIDList)
    /// The empty text: the empty set of whichever kind the others are.
    case empty

    init(parsing text: String) throws(CLIError) {
        do {
            if text.allSatisfy(\.isWhitespace) {
                self = .empty
            } else if text.contains(":") {
                self = .mysql(try MySQLGTIDSet(parsing: text))
            } else {
                self = .mariaDB(try MariaDBGTIDList(parsing: text))
            }
        } catch {
            throw CLIError(.usage, "malformed GTID set: \(error.message)")
        }
    }

    /// The sets, all of one kind; `nil` for all empty.
    static func sameKind(_ sets: [AnyGTIDSet]) throws(CLIError) -> (mysql: [MySQLGTIDSet], mariaDB: [MariaDBGTIDList])? {
        var mysql: [MySQLGTIDSet] = []
        var mariaDB: [MariaDBGTIDList] = []
        for set in sets {
            switch set {
            case .mysql(let value): mysql.append(value)
            case .mariaDB(let value): mariaDB.append(value)
            case .empty: break
            }
        }
        if !mysql.isEmpty && !mariaDB.isEmpty {
            throw CLIError(.usage, "MySQL GTID sets (uuid:n-m) and MariaDB GTID lists (domain-server-seq) cannot be mixed")
        }
        if mysql.isEmpty && mariaDB.isEmpty { return nil }
        // Empty arguments become empty sets of the kind given, in their places.
        if !mysql.isEmpty {
            return (sets.map { set in if case .mysql(let value) = set { return value }; return MySQLGTIDSet() }, [])
        }
        return ([], sets.map { set in if case .mariaDB(let value) = set { return value }; return MariaDBGTIDList() })
    }

    static func parseAll(_ texts: [String]) throws -> (mysql: [MySQLGTIDSet], mariaDB: [MariaDBGTIDList])? {
        do {
            return try sameKind(texts.map { (text) throws(CLIError) in try AnyGTIDSet(parsing: text) })
        } catch {
            throw ValidationError(error.message)
        }
    }
}

struct GTIDUnion: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "union", abstract: "Print the union of the sets.")

    @Argument(help: ArgumentHelp("GTID sets, all MySQL or all MariaDB.", valueName: "set"))
    var sets: [String]

    func run() throws {
        guard let parsed = try AnyGTIDSet.parseAll(sets) else { return print("") }
        if !parsed.mysql.isEmpty {
            var result = MySQLGTIDSet()
            for set in parsed.mysql { result.formUnion(set) }
            print(result)
        } else {
            print(parsed.mariaDB.reduce(MariaDBGTIDList()) { $0.union($1) })
        }
    }
}

struct GTIDSubtract: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "subtract", abstract: "Print the first set without the GTIDs of the others.")

    @Argument(help: ArgumentHelp("The set to subtract from, then the sets to subtract.", valueName: "set"))
    var sets: [String]

    func validate() throws {
        guard !sets.isEmpty else { throw ValidationError("subtract needs at least one set") }
    }

    func run() throws {
        guard let parsed = try AnyGTIDSet.parseAll(sets) else { return print("") }
        if !parsed.mysql.isEmpty {
            print(parsed.mysql.dropFirst().reduce(parsed.mysql[0]) { $0.subtracting($1) })
        } else {
            print(parsed.mariaDB.dropFirst().reduce(parsed.mariaDB[0]) { $0.subtracting($1) })
        }
    }
}

struct GTIDContains: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contains",
        abstract: "Whether the first set contains every GTID of the others: prints yes (exit 0) or no (exit 1).")

    @Argument(help: ArgumentHelp("The containing set, then the sets it must contain.", valueName: "set"))
    var sets: [String]

    func validate() throws {
        guard sets.count >= 2 else { throw ValidationError("contains needs two sets or more") }
    }

    func run() throws {
        var contains = true
        if let parsed = try AnyGTIDSet.parseAll(sets) {
            if !parsed.mysql.isEmpty {
                contains = parsed.mysql.dropFirst().allSatisfy { parsed.mysql[0].isSuperset(of: $0) }
            } else {
                contains = parsed.mariaDB.dropFirst().allSatisfy { parsed.mariaDB[0].isSuperset(of: $0) }
            }
        }
        print(contains ? "yes" : "no")
        if !contains { throw ExitCode(1) }
    }
}
