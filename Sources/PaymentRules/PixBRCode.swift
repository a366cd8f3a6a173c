/// A validated Pix BR Code ("Pix Copia e Cola") and its payload string.
///
/// Follows the Banco Central do Brasil's *Manual de Padrões para Iniciação do Pix* (EMV QRCPS
/// Merchant-Presented Mode). Fields are emitted in this order:
///
/// | ID | Content |
/// |----|---------|
/// | 00 | Payload Format Indicator `01` |
/// | 01 | Point of Initiation Method `12` (dynamic codes only, as in the manual's example) |
/// | 26 | Merchant Account Information: `00` GUI `br.gov.bcb.pix`, then `01` key and optional `02` description (static) or `25` location URL (dynamic) |
/// | 52 | Merchant Category Code (`0000` by default) |
/// | 53 | Transaction Currency `986` |
/// | 54 | Transaction Amount, e.g. `480.00` (omitted for open amounts and dynamic codes) |
/// | 58 | Country Code `BR` |
/// | 59 | Merchant Name (≤ 25) |
/// | 60 | Merchant City (≤ 15) |
/// | 62 | Additional Data Field Template: `05` Reference Label = txid, or `***` when there is none |
/// | 63 | CRC-16/CCITT-FALSE over everything before it, including `6304` |
///
/// Text is validated but never rewritten; use ``PixText/normalize(_:maxLength:)`` for names and
/// cities that may contain accents.
public struct PixBRCode: Sendable, Hashable {
    /// Where the payer's app finds the receiving account.
    public enum Account: Sendable, Hashable {
        /// A static code: a Pix key formatted as in the DICT (e-mail, `+5561912345678`, CPF/CNPJ
        /// digits, or a random key with hyphens), and an optional description (`infoAdicional`).
        case key(String, additionalInfo: String? = nil)
        /// A dynamic code: the payload location returned by the PSP, without `https://`.
        case location(String)
    }

    /// The Pix Globally Unique Identifier (case-insensitive when parsing).
    public static let gui = "br.gov.bcb.pix"
    /// The Reference Label that means "no transaction identifier".
    public static let noTxid = "***"
    /// Maximum length of a Pix key (sub-field `26-01`).
    public static let maximumKeyLength = 77
    /// Maximum length of the description (sub-field `26-02`).
    public static let maximumAdditionalInfoLength = 72
    /// Maximum length of a location URL (sub-field `26-25`).
    public static let maximumLocationLength = 77
    /// Maximum length of the merchant name (field `59`).
    public static let maximumMerchantNameLength = 25
    /// Maximum length of the merchant city (field `60`).
    public static let maximumMerchantCityLength = 15
    /// Maximum length of a txid in a BR Code (sub-field `62-05`).
    public static let maximumTxidLength = 25

    /// The receiving account.
    public let account: Account
    /// The amount in centavos, or `nil` for an open amount the payer types in.
    public let amount: Int64?
    /// Merchant Name, field `59`.
    public let merchantName: String
    /// Merchant City, field `60`.
    public let merchantCity: String
    /// The transaction identifier, or `nil` to send `***`.
    public let txid: String?
    /// Merchant Category Code, field `52`.
    public let merchantCategoryCode: String
    /// The complete payload ("copia e cola" text), CRC included.
    public let payload: String

    /// Validates the inputs and builds the payload.
    ///
    /// - Parameters:
    ///   - account: A Pix key (static) or a payload location (dynamic).
    ///   - amount: Centavos (`48000` is R$ 480,00); must be positive. `nil` leaves the amount open.
    ///     Must be `nil` for dynamic codes.
    ///   - merchantName: 1–25 printable ASCII characters.
    ///   - merchantCity: 1–15 printable ASCII characters.
    ///   - txid: 1–25 ASCII letters or digits, or `nil` for `***`. Must be `nil` for dynamic codes.
    ///   - merchantCategoryCode: Four digits; `0000` when not informed.
    /// - Throws: ``PixBRCodeError`` naming the offending field.
    public init(
        account: Account,
        amount: Int64?,
        merchantName: String,
        merchantCity: String,
        txid: String?,
        merchantCategoryCode: String = "0000"
    ) throws(PixBRCodeError) {
        try Self.validate(account)
        if case .location = account {
            if amount != nil { throw .notAllowedInDynamicCode(.amount) }
            if txid != nil { throw .notAllowedInDynamicCode(.txid) }
        }
        if let amount, amount <= 0 { throw .invalidValue(.amount) }
        try Self.checkText(merchantName, .merchantName, maximum: Self.maximumMerchantNameLength)
        try Self.checkText(merchantCity, .merchantCity, maximum: Self.maximumMerchantCityLength)
        if let txid { try Self.checkTxid(txid) }
        guard merchantCategoryCode.utf8.count == 4,
            merchantCategoryCode.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else {
            throw .invalidValue(.merchantCategoryCode)
        }

        self.account = account
        self.amount = amount
        self.merchantName = merchantName
        self.merchantCity = merchantCity
        self.txid = txid
        self.merchantCategoryCode = merchantCategoryCode
        self.payload = try Self.encode(
            account: account, amount: amount, merchantName: merchantName,
            merchantCity: merchantCity, txid: txid, merchantCategoryCode: merchantCategoryCode)
    }

    private static func encode(
        account: Account, amount: Int64?, merchantName: String, merchantCity: String,
        txid: String?, merchantCategoryCode: String
    ) throws(PixBRCodeError) -> String {
        var accountInfo = try TLV.encode("00", gui)
        var payload = try TLV.encode("00", "01")
        switch account {
        case .key(let key, let additionalInfo):
            accountInfo += try TLV.encode("01", key)
            if let additionalInfo {
                accountInfo += try TLV.encode("02", additionalInfo)
            }
        case .location(let url):
            accountInfo += try TLV.encode("25", url)
            payload += try TLV.encode("01", "12")
        }
        payload += try TLV.encode("26", accountInfo)
        payload += try TLV.encode("52", merchantCategoryCode)
        payload += try TLV.encode("53", "986")
        if let amount {
            let text = PixAmount.format(centavos: amount)
            guard text.count <= PixAmount.maximumLength else {
                throw .tooLong(.amount, length: text.count, maximum: PixAmount.maximumLength)
            }
            payload += try TLV.encode("54", text)
        }
        payload += try TLV.encode("58", "BR")
        payload += try TLV.encode("59", merchantName)
        payload += try TLV.encode("60", merchantCity)
        payload += try TLV.encode("62", TLV.encode("05", txid ?? noTxid))
        payload += "6304"
        return payload + CRC16.hexString(CRC16.checksum(payload))
    }

    private static func validate(_ account: Account) throws(PixBRCodeError) {
        switch account {
        case .key(let key, let additionalInfo):
            try checkText(key, .key, maximum: maximumKeyLength)
            if key.contains(" ") { throw .invalidCharacters(.key) }
            if let additionalInfo {
                try checkText(additionalInfo, .additionalInfo, maximum: maximumAdditionalInfoLength)
            }
        case .location(let url):
            try checkText(url, .locationURL, maximum: maximumLocationLength)
            if url.contains(" ") { throw .invalidCharacters(.locationURL) }
            if url.contains("://") { throw .invalidValue(.locationURL) }
        }
    }

    /// Non-empty, at most `maximum` characters, printable ASCII only.
    private static func checkText(
        _ text: String, _ field: PixBRCodeField, maximum: Int
    ) throws(PixBRCodeError) {
        if text.isEmpty { throw .empty(field) }
        guard text.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            throw .invalidCharacters(field)
        }
        if text.utf8.count > maximum {
            throw .tooLong(field, length: text.utf8.count, maximum: maximum)
        }
    }

    /// 1–25 ASCII letters or digits (manual §2.6.2).
    private static func checkTxid(_ txid: String) throws(PixBRCodeError) {
        if txid.isEmpty { throw .empty(.txid) }
        guard txid.unicodeScalars.allSatisfy(PixTxid.alphabetContains) else {
            throw .invalidCharacters(.txid)
        }
        if txid.utf8.count > maximumTxidLength {
            throw .tooLong(.txid, length: txid.utf8.count, maximum: maximumTxidLength)
        }
    }
}
