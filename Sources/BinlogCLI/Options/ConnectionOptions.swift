// Where the server is and how to log in (replay; later pull): as the mysql client takes them.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MySQLClient

struct ConnectionOptions: ParsableArguments {
    @Option(name: [.customShort("h"), .long], help: ArgumentHelp("Server host (TCP).", valueName: "host"))
    var host: String?

    @Option(name: [.customShort("P"), .long], help: ArgumentHelp("TCP port (default 3306).", valueName: "port"))
    var port: Int?

    @Option(name: [.customShort("S"), .long], help: ArgumentHelp("Unix socket of the server.", valueName: "path"))
    var socket: String?

    @Option(name: [.customShort("u"), .long], help: ArgumentHelp("User name (default: the option files', else your login name).", valueName: "user"))
    var user: String?

    @Option(help: ArgumentHelp("Read the password from the first line of this file.", valueName: "file"))
    var passwordFile: String?

    @Option(help: ArgumentHelp("The password itself (visible to other users of this machine: a warning says so).", valueName: "password"))
    var password: String?

    @Flag(name: [.customShort("p"), .customLong("ask-password")], help: "Ask for the password on the terminal, without echo.")
    var askPassword = false

    @Option(help: ArgumentHelp("Read only this option file ([client] group).", valueName: "file"))
    var defaultsFile: String?

    @Option(help: ArgumentHelp("Read this option file after ~/.my.cnf.", valueName: "file"))
    var defaultsExtraFile: String?

    @Flag(help: "Read no option file.")
    var noDefaults = false

    @Option(help: ArgumentHelp("TLS: disabled, preferred (the default: over TCP when the server offers it), required, verify-ca (the server's certificate must be signed by --ssl-ca, else a system CA) or verify-identity (and name the host).", valueName: "mode"))
    var sslMode: String?

    @Option(help: ArgumentHelp("PEM file of the CAs that sign the server's certificate (verify-ca, verify-identity).", valueName: "file"))
    var sslCa: String?

    @Option(help: ArgumentHelp("The client's certificate (PEM), for servers that ask for one.", valueName: "file"))
    var sslCert: String?

    @Option(help: ArgumentHelp("The key of --ssl-cert (PEM).", valueName: "file"))
    var sslKey: String?

    @Option(help: ArgumentHelp("The server's RSA public key (PEM), for caching_sha2_password over unencrypted TCP.", valueName: "file"))
    var serverPublicKeyPath: String?

    @Flag(help: "Ask the server for its RSA public key when caching_sha2_password needs it over unencrypted TCP (trusting what it sends).")
    var getServerPublicKey = false

    @Option(help: ArgumentHelp("Seconds to wait for the connection (default 10).", valueName: "seconds"))
    var connectTimeout: Int = 10

    /// Where to connect and with what password; warnings for the caller to print.
    func resolve() throws -> (configuration: ConnectionConfiguration, password: [UInt8], warnings: [String]) {
        var warnings: [String] = []
        var file: [String: String] = [:]
        if !noDefaults {
            var paths: [String] = []
            if let defaultsFile {
                paths = [defaultsFile]
            } else {
                if let home = getenv("HOME").flatMap({ String(validatingCString: $0) }) { paths.append(home + "/.my.cnf") }
                if let defaultsExtraFile { paths.append(defaultsExtraFile) }
            }
            for path in paths {
                let required = path == defaultsFile || path == defaultsExtraFile
                guard let text = try? LocalFile.readText(path) else {
                    if required { throw CLIError(.usage, "\(path): cannot read the option file") }
                    continue
                }
                for (key, value) in OptionFile.clientGroup(text) { file[key] = value }
            }
        }
        let user = self.user ?? file["user"] ?? (getenv("USER").flatMap { String(validatingCString: $0) } ?? "root")
        var configuration: ConnectionConfiguration
        if let socket = socket ?? (host == nil && port == nil ? file["socket"] : nil) {
            configuration = ConnectionConfiguration(address: .unixSocket(path: socket), user: user)
        } else {
            let host = self.host ?? file["host"] ?? "localhost"
            let port = self.port ?? file["port"].flatMap(Int.init) ?? 3306
            // "localhost" means the default socket to mysql; here it is TCP to 127.0.0.1 unless --socket is given.
            configuration = ConnectionConfiguration(address: .tcp(host: host == "localhost" ? "127.0.0.1" : host, port: port), user: user)
        }
        // TLS: the command line over the option file; mysql's spelling (VERIFY_CA) is taken too.
        let modeText = (sslMode ?? file["ssl-mode"] ?? "preferred").lowercased().replacingUnderscores()
        guard let mode = TLSSettings.Mode(rawValue: modeText) else {
            throw CLIError(.usage, "--ssl-mode \(sslMode ?? modeText): not one of disabled, preferred, required, verify-ca, verify-identity")
        }
        configuration.tls = TLSSettings(mode: mode, caFile: sslCa ?? file["ssl-ca"], certificateFile: sslCert ?? file["ssl-cert"],
                                        keyFile: sslKey ?? file["ssl-key"])
        // "localhost" is reached at 127.0.0.1, and its certificate is checked for the name.
        if case .tcp = configuration.address, (self.host ?? file["host"] ?? "localhost") == "localhost" {
            configuration.tls.serverName = "localhost"
        }
        for (option, path) in [("--ssl-ca", configuration.tls.caFile), ("--ssl-cert", configuration.tls.certificateFile),
                               ("--ssl-key", configuration.tls.keyFile), ("--server-public-key-path", serverPublicKeyPath)] {
            if let path, access(path, R_OK) != 0 {
                throw CLIError(.usage, "\(option) \(path): \(String(cString: strerror(errno)))")
            }
        }
        if (configuration.tls.certificateFile == nil) != (configuration.tls.keyFile == nil) {
            throw CLIError(.usage, "--ssl-cert and --ssl-key go together")
        }
        if mode == .disabled && (sslCa != nil || sslCert != nil) {
            warnings.append("--ssl-mode disabled: --ssl-ca and --ssl-cert are not used")
        }
        if let serverPublicKeyPath {
            configuration.serverPublicKey = try LocalFile.readText(serverPublicKeyPath)
        }
        configuration.requestsServerPublicKey = getServerPublicKey
        var password: [UInt8] = []
        if let given = self.password {
            warnings.append("a password on the command line can be seen by other users of this machine (ps); --password-file or -p are safer")
            password = Array(given.utf8)
        } else if let passwordFile {
            guard let text = try? LocalFile.readText(passwordFile) else { throw CLIError(.usage, "\(passwordFile): cannot read the password file") }
            password = Array((text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").utf8)
        } else if askPassword {
            guard let typed = getpass("Enter password: ") else { throw CLIError(.usage, "no password was read from the terminal") }
            password = Array(String(cString: typed).utf8)
        } else if let environment = getenv("MYSQL_PWD").flatMap({ String(validatingCString: $0) }) {
            warnings.append("MYSQL_PWD is used for the password; it is visible to other processes of this user")
            password = Array(environment.utf8)
        } else if let fromFile = file["password"] {
            password = Array(fromFile.utf8)
        }
        return (configuration, password, warnings)
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}

extension ConnectionOptions {
    /// The warning for a session to another machine that ended up without TLS; nil when it is
    /// encrypted or local (loopback, unix socket).
    static func unencryptedWarning(_ configuration: ConnectionConfiguration, encrypted: Bool) -> String? {
        guard !configuration.isLocal && !encrypted else { return nil }
        return "the connection to \(configuration.addressDescription) is not encrypted"
            + (configuration.tls.mode == .disabled ? " (--ssl-mode disabled)" : " (the server does not offer TLS)")
    }
}

/// The `[client]` group of a MySQL option file (`key = value`, `#`/`;` comments, quoted values).
enum OptionFile {
    static func clientGroup(_ text: String) -> [String: String] {
        func trimmed(_ text: Substring) -> Substring {
            var slice = text
            while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
            while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
            return slice
        }
        var values: [String: String] = [:]
        var inClient = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = trimmed(rawLine)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                inClient = line.lowercased() == "[client]"
                continue
            }
            guard inClient else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map(trimmed)
            let key = String(parts[0].map { $0 == "_" ? "-" : $0 })
            var value = parts.count > 1 ? parts[1] : ""
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            values[key] = String(value)
        }
        return values
    }
}
