import Foundation
import Synchronization

/// Hashes and verifies passwords on a small pool of threads it owns, never on
/// Swift's cooperative pool or an event loop (see ``HashingThreadPool``).
///
/// Callers suspend until their turn comes and the work is done: Login-class
/// work first, then Register-class work, first in first out within a class
/// (see ``HashingPriority``). When too many wait, new work is refused at once
/// (see ``HashingQueueLimits``).
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
    init(iterations: Int, threadCount: Int, queueLimits: HashingQueueLimits = HashingQueueLimits()) throws {
        precondition((1...PasswordHash.maxIterations).contains(iterations), "iterations out of range")
        self.iterations = iterations
        self.pool = try HashingThreadPool(threadCount: threadCount, limits: queueLimits, name: "bigshop-pwhash")
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
    ///
    /// - Parameters:
    ///   - priority: ``HashingPriority/register`` for a new account,
    ///     ``HashingPriority/login`` for a rehash after a successful Login.
    ///   - admission: ``HashingThreadPool/Admission/unbounded`` only for the
    ///     startup admin.
    /// - Throws: ``PasswordHasherError/queueFull(retryAfter:)``, ``PasswordHasherError/closed``,
    ///   or `CancellationError`.
    func hash(
        _ password: String,
        priority: HashingPriority,
        admission: HashingThreadPool.Admission = .bounded
    ) async throws -> PasswordHash {
        let bytes = Self.bytes(of: password)
        let iterations = self.iterations
        return try await run(priority: priority, admission: admission) {
            self.derivations.add(1, ordering: .relaxed)
            return try PasswordHash.make(password: bytes, iterations: iterations)
        }
    }

    /// Whether `password` matches `stored`, derived with `stored`'s own
    /// iteration count and compared in constant time. Login class.
    func verify(_ password: String, against stored: PasswordHash) async throws -> Bool {
        let bytes = Self.bytes(of: password)
        return try await run(priority: .login) {
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

    /// Calls waiting for a hashing thread, by class, and calls hashing now.
    var depth: HashingQueueDepth {
        pool.depth
    }

    /// Refuses new work; queued work still completes.
    func close() {
        pool.close()
    }

    /// Runs `body` on a hashing thread and returns its result.
    ///
    /// A caller cancelled while queued gets `CancellationError` at once and
    /// the work is withdrawn. A full queue (for `priority`) refuses the work
    /// at once with ``PasswordHasherError/queueFull(retryAfter:)``.
    func run<Value: Sendable>(
        priority: HashingPriority = .login,
        admission: HashingThreadPool.Admission = .bounded,
        _ body: @escaping @Sendable () throws -> Value
    ) async throws -> Value {
        let job = PoolJob(body)
        let pool = self.pool
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard job.attach(continuation) else { return }
                switch pool.submit({ job.execute() }, priority: priority, admission: admission) {
                case .queued(let ticket):
                    if !job.queued(as: ticket) { pool.withdraw(ticket) }
                case .full(let retryAfter):
                    job.fail(PasswordHasherError.queueFull(retryAfter: retryAfter))
                case .closed:
                    job.fail(PasswordHasherError.closed)
                }
            }
        } onCancel: {
            if let ticket = job.cancel() { pool.withdraw(ticket) }
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
