/// Card data as received from the checkout, before validation.
///
/// This is the only type in the module that holds a full card number and CVV; pass it straight
/// to ``Card/validate(_:now:)`` or ``AcquirerSimulator/authorize(_:amount:now:)`` and do not
/// store it. Its `description`, `debugDescription` and mirror redact the number, CVV and holder
/// name, so `print`, string interpolation, `dump` and test failure messages never reveal them.
public struct CardInput: Sendable {
    /// The card number as typed; spaces and dashes are allowed.
    public let number: String
    /// Expiry month, 1–12.
    public let expMonth: Int
    /// Expiry year: four digits, or two digits meaning 20xx.
    public let expYear: Int
    /// Card verification value.
    public let cvv: String
    /// Cardholder name as printed on the card.
    public let holder: String
    /// Number of installments; 0 means 1.
    public let installments: Int

    /// Creates an input.
    public init(
        number: String, expMonth: Int, expYear: Int, cvv: String, holder: String,
        installments: Int = 1
    ) {
        self.number = number
        self.expMonth = expMonth
        self.expYear = expYear
        self.cvv = cvv
        self.holder = holder
        self.installments = installments
    }

    private static let redacted = "<redacted>"
}

extension CardInput: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A log-safe rendering with number, CVV and holder redacted.
    public var description: String {
        "CardInput(number: \(Self.redacted), expMonth: \(expMonth), expYear: \(expYear), "
            + "cvv: \(Self.redacted), holder: \(Self.redacted), installments: \(installments))"
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror with the same redactions, used by `dump` and by test frameworks.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "number": Self.redacted,
                "expMonth": expMonth,
                "expYear": expYear,
                "cvv": Self.redacted,
                "holder": Self.redacted,
                "installments": installments,
            ],
            displayStyle: .struct)
    }
}
