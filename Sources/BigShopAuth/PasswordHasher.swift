import Foundation
import Synchronization

/// Hashes and verifies passwords on a small pool of threads it owns, never on
/// Swift's cooperative pool or an event loop (see ``HashingThreadPool``).
///
/// Callers suspend until their turn comes (FIFO) and the work is done.
/// Passwords are normalized to Unicode NFKC before hashing (as NIST SP 800-63B
/// advises), so the same password typed on different keyboards or systems
/// matches; the UTF-8 bytes of the normalized form are what PBKDF2 sees.
final class PasswordHasher: Sendable {
    /// The PBKDF2 iteration count of new hashes.
    let iterations: Int
    private let pool: HashingThreadPool
    /// A hash of no password: verified when a login names an unknown email,
    /// so that the answer takes as long as for a known one.
    private let decoy: PasswordHash
    private let derivations = Atomic<Int>(0)

    /// - Throws: ``PasswordHasherError/threadStartFailed(errno:)``.
    init(iterations: Int, threadCount: Int) throws {
        precondition((1...PasswordHash.maxIterations).contains(iterations), "iterations out of range")
        self.iterations = iterations
        self.pool = try HashingThreadPool(threadCount: threadCount, name: "bigshop-pwhash")
        var generator = SystemRandomNumberGenerator()
        func randomBytes(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
        self.decoy = PasswordHash(
            iterations: iterations,
            salt: randomBytes(PasswordHash.saltByteCount),
            hash: randomBytes(PasswordHash.hashByteCount)
        )
    }

    /// A new hash of `password` at ``iterations``, with a fresh salt.
    func hash(_ password: String) async throws -> PasswordHash {
        let bytes = Self.bytes(of: password)
        let iterations = self.iterations
        return try await run {
            self.derivations.add(1, ordering: .relaxed)
            return try PasswordHash.make(password: bytes, iterations: iterations)
        }
    }

    /// Whether `password` matches `stored`, derived with `stored`'s own
    /// iteration count and compared in constant time.
    func verify(_ password: String, against stored: PasswordHash) async throws -> Bool {
        let bytes = Self.bytes(of: password)
        return try await run {
            self.derivations.add(1, ordering: .relaxed)
            return try stored.matches(password: bytes)
        }
    }

    /// Spends the time of a verification at the current cost, for a login
    /// whose email is unknown (or whose stored hash is unreadable).
    func verifyDecoy(_ password: String) async throws {
        _ = try await verify(password, against: decoy)
    }

    /// Whether `stored` is weaker than new hashes: a successful login then
    /// stores a new hash. A stronger stored hash is kept as it is.
    func needsRehash(_ stored: PasswordHash) -> Bool {
        stored.iterations < iterations
    }

    /// PBKDF2 derivations run so far (hashes, verifications and decoys).
    var derivationCount: Int {
        derivations.load(ordering: .relaxed)
    }

    /// Calls waiting for a hashing thread: above zero, logins queue up.
    var pendingCount: Int {
        pool.pendingCount
    }

    /// Refuses new work; queued work still completes.
    func close() {
        pool.close()
    }

    /// Runs `body` on a hashing thread and returns its result. A caller
    /// cancelled while queued gets `CancellationError` and the work is skipped.
    func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        let job = PoolJob(body)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard job.attach(continuation) else { return }
                if !pool.submit({ job.execute() }) {
                    job.fail(PasswordHasherError.closed)
                }
            }
        } onCancel: {
            job.cancel()
        }
    }

    /// The bytes PBKDF2 sees: the UTF-8 of the NFKC form.
    static func bytes(of password: String) -> [UInt8] {
        Array(normalized(password).utf8)
    }

    /// The NFKC form of `password`.
    static func normalized(_ password: String) -> String {
        password.precomposedStringWithCompatibilityMapping
    }
}
