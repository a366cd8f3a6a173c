import Crypto
import Foundation
import _CryptoExtras

/// A stored password hash, PBKDF2-HMAC-SHA256, in a self-describing text form:
///
///     pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
///
/// The iteration count travels with each hash, so the cost setting can grow
/// without invalidating existing passwords: a hash is always checked with its
/// own count, and rehashed at the next successful login (see
/// ``PasswordHasher/needsRehash(_:)``).
struct PasswordHash: Hashable, Sendable {
    /// The algorithm tag of the text form.
    static let algorithm = "pbkdf2-sha256"
    /// Bytes of random salt in new hashes.
    static let saltByteCount = 16
    /// Bytes of derived key stored: one SHA-256 block, so PBKDF2 runs its
    /// iterations once.
    static let hashByteCount = 32
    /// The most iterations accepted, in settings and in stored hashes: about
    /// 10 s of one core, so a corrupted row cannot stall a hashing thread for long.
    static let maxIterations = 20_000_000

    var iterations: Int
    var salt: [UInt8]
    var hash: [UInt8]

    init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Parses the text form; nil if it is not one this type writes.
    init?(encoded: String) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == Self.algorithm,
            let iterations = Int(fields[1]), (1...Self.maxIterations).contains(iterations),
            let salt = Data(base64Encoded: String(fields[2])), !salt.isEmpty,
            let hash = Data(base64Encoded: String(fields[3])), hash.count == Self.hashByteCount
        else { return nil }
        self.init(iterations: iterations, salt: Array(salt), hash: Array(hash))
    }

    /// The text form, for the `password_hash` column.
    var encoded: String {
        [Self.algorithm, String(iterations), Data(salt).base64EncodedString(), Data(hash).base64EncodedString()]
            .joined(separator: "$")
    }

    /// Hashes `password` with a fresh random salt. Slow by design: call it on
    /// a ``PasswordHasher`` thread.
    static func make(password: [UInt8], iterations: Int) throws -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let hash = try derive(password: password, salt: salt, iterations: iterations)
        return PasswordHash(iterations: iterations, salt: salt, hash: hash)
    }

    /// Whether `password` is the one this hash was made from, compared in
    /// constant time. Slow by design: call it on a ``PasswordHasher`` thread.
    func matches(password: [UInt8]) throws -> Bool {
        let candidate = try Self.derive(password: password, salt: salt, iterations: iterations)
        return Self.constantTimeEquals(candidate, hash)
    }

    /// PBKDF2-HMAC-SHA256 of `password` and `salt`.
    static func derive(password: [UInt8], salt: [UInt8], iterations: Int, byteCount: Int = hashByteCount) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: .sha256, outputByteCount: byteCount, unsafeUncheckedRounds: iterations
        )
        return key.withUnsafeBytes { Array($0) }
    }

    /// Compares every byte whatever the first difference, so the time taken
    /// says nothing about where the arrays differ. (Lengths are not secret:
    /// derived keys are always ``hashByteCount`` bytes.)
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
