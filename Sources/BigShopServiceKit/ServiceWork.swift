public import BigRPC
import ServiceLifecycle
import Synchronization
import Tracing

/// The work a shop service owns: its background loops and the calls that
/// must run to their end even when the caller goes away (a payment, a
/// checkout, a saga flow). Both run as child tasks of ``run(loops:)``, which
/// the service's `run()` calls, so the service's database closes only after
/// the last of them has ended.
///
/// At a graceful shutdown (or cancellation) the loops are cancelled and no
/// new work is taken (``perform(_:)`` then fails with UNAVAILABLE); work
/// already taken runs to its end, or with ``Shutdown/cancel`` is cancelled,
/// as a crash would stop it.
public final class ServiceWork: Sendable {
    /// What a shutdown does to work already taken.
    public enum Shutdown: Sendable {
        /// Lets it finish.
        case finish
        /// Cancels it: for work a later recovery resumes.
        case cancel
    }

    typealias Job = @Sendable () async -> Void

    private enum Intake {
        case open(queued: [Job], waiter: CheckedContinuation<[Job]?, Never>?)
        case closed(queued: [Job])
    }

    private let intake = Mutex(Intake.open(queued: [], waiter: nil))
    private let shutdown: Shutdown

    public init(onShutdown shutdown: Shutdown = .finish) {
        self.shutdown = shutdown
    }

    /// Runs `body` as work of the service and returns its result. The
    /// caller's cancellation does not reach `body`. Work taken before the
    /// service runs starts once it does.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let taken = start {
                do {
                    continuation.resume(returning: try await body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !taken { continuation.resume(throwing: Self.stopped) }
        }
    }

    /// Starts `body` as work of the service without waiting for it. Returns
    /// false, and does not run `body`, once the service is shutting down.
    ///
    /// The work runs in the caller's trace (its `ServiceContext`), so the
    /// spans it starts are children of the caller's span.
    @discardableResult
    public func start(_ body: @escaping @Sendable () async -> Void) -> Bool {
        let body: Job =
            if let context = ServiceContext.current {
                { await ServiceContext.withValue(context) { await body() } }
            } else {
                body
            }
        return intake.withLock { intake in
            switch intake {
            case .open(let queued, let waiter?):
                // A waiter means the queue was handed out; take it along
                // all the same rather than trap on a request's path.
                intake = .open(queued: [], waiter: nil)
                waiter.resume(returning: queued + [body])
            case .open(let queued, nil):
                intake = .open(queued: queued + [body], waiter: nil)
            case .closed:
                return false
            }
            return true
        }
    }

    /// Runs `loops` and the work taken until a graceful shutdown or
    /// cancellation, then cancels the loops and returns once every child has
    /// ended.
    public func run(loops: [@Sendable () async -> Void] = []) async {
        await withDiscardingTaskGroup { group in
            for loop in loops {
                group.addTask { await cancelWhenGracefulShutdown { await loop() } }
            }
            await withTaskCancellationOrGracefulShutdownHandler {
                while let jobs = await nextJobs() {
                    for job in jobs { group.addTask { await job() } }
                }
            } onCancelOrGracefulShutdown: {
                self.close()
            }
            if shutdown == .cancel { group.cancelAll() }
        }
    }

    /// The work taken since the last call; nil once closed and all handed out.
    private func nextJobs() async -> [Job]? {
        await withCheckedContinuation { continuation in
            intake.withLock { intake in
                switch intake {
                case .open(let queued, _) where !queued.isEmpty:
                    intake = .open(queued: [], waiter: nil)
                    continuation.resume(returning: queued)
                case .open:
                    intake = .open(queued: [], waiter: continuation)
                case .closed(let queued):
                    intake = .closed(queued: [])
                    continuation.resume(returning: queued.isEmpty ? nil : queued)
                }
            }
        }
    }

    private func close() {
        intake.withLock { intake in
            guard case .open(let queued, let waiter) = intake else { return }
            intake = .closed(queued: queued)
            waiter?.resume(returning: nil)
        }
    }

    /// What work offered once the shutdown began fails with.
    public static let stopped = RPCError(.unavailable, "the service is shutting down")
}
