// Authentication plugins as pure functions: the password and the server's scramble in, the
// bytes of the client's answer out.
import Crypto
import _CryptoExtras

public enum AuthPlugin {
    /// `mysql_native_password`: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))), the
    /// scramble's first 20 bytes; an empty password answers with no bytes.
    public static func nativePassword(_ password: [UInt8], scramble: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Array(Insecure.SHA1.hash(data: password))
        let stage2 = Array(Insecure.SHA1.hash(data: stage1))
        var hasher = Insecure.SHA1()
        hasher.update(data: scramble.prefix(20))
        hasher.update(data: stage2)
        let mask = Array(hasher.finalize())
        return zip(stage1, mask).map { $0 ^ $1 }
    }

    /// `caching_sha2_password`'s fast path: SHA256(password) XOR SHA256(SHA256(SHA256(password)) + scramble).
    public static func cachingSHA2(_ password: [UInt8], scramble: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Array(SHA256.hash(data: password))
        let stage2 = Array(SHA256.hash(data: stage1))
        var hasher = SHA256()
        hasher.update(data: stage2)
        hasher.update(data: scramble.prefix(20))
        let mask = Array(hasher.finalize())
        return zip(stage1, mask).map { $0 ^ $1 }
    }

    /// `caching_sha2_password`'s full path, and `mysql_clear_password`: the password and a NUL.
    /// Only ever sent over TLS or a unix socket (the caller's decision).
    public static func clearText(_ password: [UInt8]) -> [UInt8] { password + [0] }

    /// `caching_sha2_password`'s full path over an unencrypted TCP connection: the password and a
    /// NUL, XORed with the scramble (repeated), encrypted with the server's RSA public key (PEM,
    /// PKCS#1 or SubjectPublicKeyInfo) using OAEP padding (SHA-1, as MySQL 8.0.5 and later expect).
    public static func rsaEncryptedPassword(_ password: [UInt8], scramble: [UInt8], publicKeyPEM: String) throws -> [UInt8] {
        var plain = clearText(password)
        if !scramble.isEmpty {
            for index in plain.indices { plain[index] ^= scramble[index % scramble.count] }
        }
        let key = try _RSA.Encryption.PublicKey(pemRepresentation: publicKeyPEM.trimmingNULs())
        return Array(try key.encrypt(plain, padding: .PKCS1_OAEP))
    }

    /// The first answer for a plugin the server names; nil for plugins this client cannot speak.
    /// `secureTransport`: TLS or a unix socket (clear-text passwords are sent only then).
    public static func response(plugin: String, password: [UInt8], scramble: [UInt8], secureTransport: Bool) -> [UInt8]? {
        switch plugin {
        case "mysql_native_password", "": return nativePassword(password, scramble: scramble)
        case "caching_sha2_password": return cachingSHA2(password, scramble: scramble)
        case "mysql_clear_password": return secureTransport ? clearText(password) : nil
        default: return nil
        }
    }
}

extension String {
    /// The server sends its PEM key with a trailing NUL in some versions.
    fileprivate func trimmingNULs() -> String {
        var text = self
        while text.last == "\0" { text.removeLast() }
        return text
    }
}
