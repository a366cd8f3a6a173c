import BigRPC

/// The tunables of the orchestrator. Every default is what a real launch
/// would use.
public struct OrchestratorSettings: Sendable, Hashable {
    /// How long a new cart order may stay unpaid before it is cancelled with
    /// reason `PAYMENT_EXPIRED` and its stock returns. Default 15 minutes.
    /// (A flash-sale order is due when its hold expires.)
    public var paymentWindow: Duration
    /// The longest the expiry scanner sleeps between two scans; it also
    /// wakes at the earliest payment due and when a new one comes sooner.
    /// Default 30 s.
    public var expiryScanInterval: Duration
    /// How steps that failed for a reason that may pass are retried.
    public var stepRetry: StepRetry
    /// The per-customer caps and cool-down of cart checkouts.
    public var limits: CheckoutLimits

    /// Creates settings; every argument has the documented default.
    /// Whether this orchestrator is the only one on its database: it then
    /// leads from its start and recovers every saga left between steps at
    /// once. Otherwise (replicas) it leads only while it holds the
    /// `orchestrator-leader` lease, and recovers only sagas untouched for
    /// two minutes, which another replica may still be driving. nil: the only
    /// one on SQLite (one process per file), replicas on PostgreSQL.
    public var soleInstance: Bool?
    /// How long the `orchestrator-leader` lease lasts unrenewed (renewed every
    /// second). Default 3 s.
    public var leaderLeaseTTL: Duration

    public init(
        paymentWindow: Duration = .seconds(15 * 60),
        expiryScanInterval: Duration = .seconds(30),
        stepRetry: StepRetry = StepRetry(),
        limits: CheckoutLimits = CheckoutLimits(),
        soleInstance: Bool? = nil,
        leaderLeaseTTL: Duration = .seconds(3)
    ) {
        precondition(paymentWindow > .zero, "the payment window must be positive")
        precondition(expiryScanInterval >= .milliseconds(1), "the expiry scan interval must be at least 1 ms")
        precondition(limits.problem == nil, limits.problem ?? "")
        self.paymentWindow = paymentWindow
        self.expiryScanInterval = expiryScanInterval
        self.stepRetry = stepRetry
        self.limits = limits
        self.soleInstance = soleInstance
        self.leaderLeaseTTL = leaderLeaseTTL
    }

    var paymentWindowMs: Int64 { paymentWindow.saturatingMilliseconds }
    var expiryScanIntervalMs: Int64 { expiryScanInterval.saturatingMilliseconds }
}
