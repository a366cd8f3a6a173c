import PaymentRules

/// The tunables of the payments service: who receives Pix payments, and the
/// shop's time zone for card expiry dates.
public struct PaymentsSettings: Sendable, Hashable {
    /// The merchant's Pix key (BR Code sub-field `26-01`): an e-mail, a
    /// phone number (`+55…`), CPF/CNPJ digits or a random key.
    public var pixKey: String
    /// The merchant name of field `59`: uppercase ASCII, at most 25 characters.
    public var merchantName: String
    /// The merchant city of field `60`: uppercase ASCII, at most 15 characters.
    public var merchantCity: String
    /// The shop's offset from UTC in minutes, for the month a card must not
    /// have expired before. Default −180 (Brasília time).
    public var utcOffsetMinutes: Int

    /// Creates settings. The merchant name and city are normalized as Pix
    /// expects (``PixText/normalize(_:maxLength:)``: accents removed,
    /// uppercased, truncated), so "São Paulo" becomes "SAO PAULO".
    public init(
        pixKey: String = "pix@bigshop.example",
        merchantName: String = "BigShop",
        merchantCity: String = "São Paulo",
        utcOffsetMinutes: Int = -180
    ) {
        self.pixKey = pixKey
        self.merchantName = PixText.normalize(merchantName, maxLength: PixBRCode.maximumMerchantNameLength)
        self.merchantCity = PixText.normalize(merchantCity, maxLength: PixBRCode.maximumMerchantCityLength)
        self.utcOffsetMinutes = utcOffsetMinutes
    }
}
