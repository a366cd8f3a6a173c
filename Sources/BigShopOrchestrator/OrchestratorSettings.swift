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
    public init(
        paymentWindow: Duration = .seconds(15 * 60),
        expiryScanInterval: Duration = .seconds(30),
        stepRetry: StepRetry = StepRetry(),
        limits: CheckoutLimits = CheckoutLimits()
    ) {
        precondition(paymentWindow > .zero, "the payment window must be positive")
        precondition(expiryScanInterval >= .milliseconds(1), "the expiry scan interval must be at least 1 ms")
        precondition(limits.problem == nil, limits.problem ?? "")
        self.paymentWindow = paymentWindow
        self.expiryScanInterval = expiryScanInterval
        self.stepRetry = stepRetry
        self.limits = limits
    }

    var paymentWindowMs: Int64 { paymentWindow.wholeMilliseconds }
    var expiryScanIntervalMs: Int64 { expiryScanInterval.wholeMilliseconds }
}
