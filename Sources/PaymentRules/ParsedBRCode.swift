/// The fields of a BR Code payload that passed ``PixBRCode/parse(_:)``.
public struct ParsedBRCode: Sendable, Hashable {
    /// A top-level data object, in payload order.
    public struct Field: Sendable, Hashable {
        /// Two-digit ID, e.g. `"59"`.
        public let id: String
        /// The raw value; templates (`26`, `62`, `80`…) keep their nested TLV text.
        public let value: String
    }

    /// Every top-level field in payload order, `63` included.
    public let fields: [Field]
    /// Field `01`: `"11"` (reusable) or `"12"` (single use), if present.
    public let pointOfInitiationMethod: String?
    /// The Pix account from the template (IDs 26–51) whose GUI is `br.gov.bcb.pix`: a key with
    /// optional description (static) or a location (dynamic). `nil` when the template holds only
    /// the GUI, as in a composite code that offers nothing but a recurrence.
    public let account: PixBRCode.Account?
    /// Sub-field `25` of the Pix unreserved template (IDs 80–99): the Pix Automático recurrence
    /// location of a composite code.
    public let recurrenceURL: String?
    /// Field `52`.
    public let merchantCategoryCode: String
    /// Field `53` (always `"986"`, Brazilian real).
    public let transactionCurrency: String
    /// Field `54` converted to centavos, or `nil` when absent.
    public let amount: Int64?
    /// Field `58` (always `"BR"`).
    public let countryCode: String
    /// Field `59`.
    public let merchantName: String
    /// Field `60`.
    public let merchantCity: String
    /// Sub-field `62-05` exactly as written, `***` included; `nil` when absent.
    public let referenceLabel: String?
    /// Field `63`, four hexadecimal digits, already verified.
    public let crc: String

    /// The transaction identifier: ``referenceLabel`` unless it is absent or `***`.
    public var txid: String? {
        referenceLabel == PixBRCode.noTxid ? nil : referenceLabel
    }
}
