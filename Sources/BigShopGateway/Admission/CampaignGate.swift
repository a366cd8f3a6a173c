import BigRPC
import BigShopFlashSaleAPI
import Synchronization

/// One campaign's Reserves at one gateway: what the gateway knows of the
/// drop (``DropView``), how many Reserves are at the owner, and those
/// waiting their turn, in order.
final class CampaignGate: Sendable {
    /// A Reserve waiting for its turn.
    struct Waiter {
        let continuation: CheckedContinuation<Void, any Error>
        let customer: String
        let since: ContinuousClock.Instant
    }

    private struct State {
        var view: DropView
        var inFlight = 0
        var queue = WaiterQueue<Waiter>()
        var lastUsed: ContinuousClock.Instant
        var retired = false
        /// Customers granted a hold through this gateway in drop `holdersDrop`:
        /// asked again once the drop is sold out, the owner tells them
        /// LIMIT_REACHED (its limit comes before its pool), not the gateway
        /// SOLD_OUT.
        var holders: Set<String> = []
        var holdersDrop: Int32 = -1
        /// Callers of WatchDrop served from this gate's feed.
        var watchers: [UInt64: AsyncStream<Bigshop_Flashsale_V1_DropUpdate>.Continuation] = [:]
        var nextWatcher: UInt64 = 0

        /// What to do with `customer`'s Reserve now.
        func verdict(for customer: String, at now: ContinuousClock.Instant, clockMs: Int64) -> DropView.Verdict {
            let verdict = view.verdict(at: now, clockMs: clockMs)
            if verdict == .soldOut, holders.contains(customer) { return .admit(limit: view.settings.minimumInFlight) }
            return verdict
        }
    }

    /// The most customers a gate remembers as holders.
    static let maxHolders = 100_000

    /// Where a waiting call's ticket is; guarded by its own lock, always
    /// taken inside the gate's.
    private enum Ticket {
        case none
        case queued(UInt64)
        case cancelled
    }

    /// What to do with one waiter once the lock is released.
    private typealias Resumption = (continuation: CheckedContinuation<Void, any Error>, refusal: RPCError?)

    let campaignID: String
    private let settings: DropAdmissionSettings
    private let metrics: AdmissionMetrics
    private let clockMs: @Sendable () -> Int64
    private let state: Mutex<State>

    init(
        campaignID: String, settings: DropAdmissionSettings, metrics: AdmissionMetrics, clockMs: @escaping @Sendable () -> Int64,
        now: ContinuousClock.Instant
    ) {
        self.campaignID = campaignID
        self.settings = settings
        self.metrics = metrics
        self.clockMs = clockMs
        state = Mutex(State(view: DropView(settings: settings), lastUsed: now))
    }

    /// Whether an update of the feed is here (fresh or not).
    var hasFeed: Bool { state.withLock { $0.view.update != nil } }

    /// Whether the gate was given up (idle, or its campaign is unknown).
    var isRetired: Bool { state.withLock { $0.retired } }

    // MARK: Calls

    /// Returns when this Reserve may go to the owner, or throws what the
    /// gateway answers instead: NO_ACTIVE_DROP, SOLD_OUT, QUEUE_FULL, or a
    /// cancellation. A return must be matched by one ``leave(customer:granted:ownerSaidSoldOut:)``.
    func enter(customer: String) async throws {
        let now = ContinuousClock.now
        enum Decision {
            case go, wait
            case refuse(RPCError)
        }
        let decision: Decision = state.withLock { state in
            state.lastUsed = now
            switch state.verdict(for: customer, at: now, clockMs: clockMs()) {
            case .noActiveDrop: return .refuse(FlashSaleRefusal.noActiveDrop)
            case .soldOut: return .refuse(FlashSaleRefusal.soldOut)
            case .admit(let limit):
                if state.inFlight < limit, state.queue.isEmpty {
                    state.inFlight += 1
                    return .go
                }
                return state.queue.count >= settings.maxQueued ? .refuse(queueFull()) : .wait
            }
        }
        switch decision {
        case .go:
            metrics.admitted()
            return
        case .refuse(let refusal):
            metrics.refused(refusal)
            throw refusal
        case .wait:
            try await waitForTurn(customer: customer, since: now)
            metrics.queued()
        }
    }

    /// A Reserve let through has its answer: `granted` a hold, or the owner
    /// answered SOLD_OUT (`ownerSaidSoldOut`), so those waiting behind it
    /// are told at once.
    func leave(customer: String, granted: Bool, ownerSaidSoldOut: Bool) {
        let now = ContinuousClock.now
        let resumptions = state.withLock { state in
            state.inFlight -= 1
            if ownerSaidSoldOut { state.view.ownerAnsweredSoldOut(at: now) }
            if granted, state.holders.count < Self.maxHolders { state.holders.insert(customer) }
            return pump(&state, now: now)
        }
        resume(resumptions)
    }

    private func waitForTurn(customer: String, since: ContinuousClock.Instant) async throws {
        let ticket = Mutex(Ticket.none)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumptions: [Resumption]? = state.withLock { state in
                    ticket.withLock { ticket in
                        if case .cancelled = ticket { return nil }
                        ticket = .queued(state.queue.append(Waiter(continuation: continuation, customer: customer, since: since)))
                        // A turn may have come free since the decision to wait.
                        return pump(&state, now: .now)
                    }
                }
                guard let resumptions else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                resume(resumptions)
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                ticket.withLock { ticket in
                    defer { ticket = .cancelled }
                    guard case .queued(let number) = ticket else { return nil }
                    return state.queue.remove(number)
                }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    // MARK: The feed

    /// An update from the owner's WatchDrop.
    func received(_ update: Bigshop_Flashsale_V1_DropUpdate) {
        let now = ContinuousClock.now
        let (resumptions, watchers) = state.withLock { state in
            state.view.received(update, at: now)
            if let drop = update.drop, drop.index != state.holdersDrop {
                state.holders.removeAll()  // a new drop: a new limit
                state.holdersDrop = drop.index
            }
            return (pump(&state, now: now), Array(state.watchers.values))
        }
        resume(resumptions)
        // Outside the lock: a stream ending at this moment runs its
        // termination handler under the stream's own lock, and that handler
        // takes the gate's (see `updates()`), so yielding under the gate's
        // lock could deadlock with it.
        for watcher in watchers { watcher.yield(update) }
    }

    /// The feed ended or failed: decide nothing from it any more.
    func feedLost() {
        let now = ContinuousClock.now
        resume(
            state.withLock { state in
                state.view.feedLost()
                return pump(&state, now: now)
            })
    }

    // MARK: Upkeep

    /// Refuses QUEUE_FULL whoever waited longer than ``DropAdmissionSettings/maxWait``,
    /// and says whether the gate has been idle long enough to give up.
    func sweep(now: ContinuousClock.Instant) -> Bool {
        var refused: [Resumption] = []
        let idle = state.withLock { state in
            while let first = state.queue.first(), now - first.since >= settings.maxWait, let (_, waiter) = state.queue.popFirst() {
                refused.append((waiter.continuation, queueFull()))
            }
            return state.inFlight == 0 && state.queue.isEmpty && state.watchers.isEmpty && now - state.lastUsed >= settings.idleAfter
        }
        resume(refused)
        return idle
    }

    /// Gives the gate up: its waiters go to the owner as if it did not
    /// exist; its watchers' streams end.
    func retire() {
        let (waiters, watchers) = state.withLock { state in
            state.retired = true
            state.inFlight += state.queue.count
            defer { state.watchers.removeAll() }
            return (state.queue.removeAll(), Array(state.watchers.values))
        }
        for waiter in waiters { waiter.continuation.resume() }
        for watcher in watchers { watcher.finish() }
    }

    // MARK: Watchers

    /// The feed's updates from now on (the last one first, if any), for a
    /// WatchDrop caller: many callers, one feed from the owner. Nil once
    /// the gate is retired.
    func updates() -> AsyncStream<Bigshop_Flashsale_V1_DropUpdate>? {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Bigshop_Flashsale_V1_DropUpdate.self, bufferingPolicy: .bufferingNewest(1))
        let id: UInt64? = state.withLock { state in
            guard !state.retired else { return nil }
            let id = state.nextWatcher
            state.nextWatcher += 1
            state.watchers[id] = continuation
            state.lastUsed = .now
            // Under the lock, so that no newer update can come before it. Safe:
            // nobody reads this stream yet and it has no termination handler.
            if let update = state.view.update { continuation.yield(update) }
            return id
        }
        guard let id else { return nil }
        // The stream runs this under its own lock, so it takes the gate's
        // lock inside the stream's: nothing may yield to a watched stream
        // while holding the gate's lock (see `received`).
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.watchers[id] = nil
                state.lastUsed = .now
            }
        }
        return stream
    }

    // MARK: Deciding

    /// Lets waiters through while there is room, or refuses them all when
    /// the drop is known to be sold out or closed. Runs under the lock; the
    /// caller resumes what it returns after releasing it.
    private func pump(_ state: inout State, now: ContinuousClock.Instant) -> [Resumption] {
        guard !state.queue.isEmpty else { return [] }
        var resumptions: [Resumption] = []
        switch state.view.verdict(at: now, clockMs: clockMs()) {
        case .noActiveDrop:
            resumptions = state.queue.removeAll().map { ($0.continuation, FlashSaleRefusal.noActiveDrop) }
        case .soldOut:
            for waiter in state.queue.removeAll() {
                if state.holders.contains(waiter.customer) {
                    state.inFlight += 1  // the owner answers LIMIT_REACHED
                    resumptions.append((waiter.continuation, nil))
                } else {
                    resumptions.append((waiter.continuation, FlashSaleRefusal.soldOut))
                }
            }
        case .admit(let limit):
            while state.inFlight < limit, let (_, waiter) = state.queue.popFirst() {
                state.inFlight += 1
                resumptions.append((waiter.continuation, nil))
            }
        }
        return resumptions
    }

    private func resume(_ resumptions: [Resumption]) {
        for (continuation, refusal) in resumptions {
            if let refusal {
                metrics.refused(refusal)
                continuation.resume(throwing: refusal)
            } else {
                continuation.resume()
            }
        }
    }

    // MARK: Answers

    private func queueFull() -> RPCError {
        RPCError(
            .resourceExhausted, "too many customers are reserving this drop right now; retry after retry-after-ms",
            metadata: ["reason": "QUEUE_FULL", Metadata.retryAfterKey: String(Int.random(in: settings.retryAfterMs))])
    }
}
