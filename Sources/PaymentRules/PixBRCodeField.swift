/// An input of ``PixBRCode`` that the builder validates, named in ``PixBRCodeError``.
public enum PixBRCodeField: String, Sendable, Hashable, CaseIterable {
    /// The Pix key, sub-field `26-01`.
    case key
    /// The free-text description (`infoAdicional`), sub-field `26-02`.
    case additionalInfo
    /// The dynamic payload location, sub-field `26-25`.
    case locationURL
    /// The transaction amount, field `54`.
    case amount
    /// The merchant name, field `59`.
    case merchantName
    /// The merchant city, field `60`.
    case merchantCity
    /// The merchant category code, field `52`.
    case merchantCategoryCode
    /// The transaction identifier, sub-field `62-05`.
    case txid
}
