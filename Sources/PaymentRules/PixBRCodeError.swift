/// Why a BR Code could not be built or parsed.
public enum PixBRCodeError: Error, Sendable, Hashable {
    /// A required input is empty.
    case empty(PixBRCodeField)
    /// An input exceeds its maximum length (in characters).
    case tooLong(PixBRCodeField, length: Int, maximum: Int)
    /// An input has characters the field does not allow (non-ASCII, control characters, or for
    /// `txid` anything but ASCII letters and digits).
    case invalidCharacters(PixBRCodeField)
    /// An input is well-formed text but not an acceptable value (an amount that is not positive,
    /// a category code that is not four digits, a location URL with a scheme).
    case invalidValue(PixBRCodeField)
    /// Amount and txid must not be filled in a dynamic code; the payload JSON carries them.
    case notAllowedInDynamicCode(PixBRCodeField)
    /// An encoded data object (for example the whole `26` template) would exceed 99 characters.
    case fieldTooLong(id: String, length: Int)
    /// The payload contains a character outside printable ASCII.
    case nonASCIIPayload
    /// The TLV structure breaks at this character offset.
    case malformed(offset: Int)
    /// A mandatory field is absent. Nested fields are written as `template-sub`, e.g. `26-00`.
    case missingField(id: String)
    /// `00` is not the first field or `63` is not the last one.
    case misplacedField(id: String)
    /// A field ID appears twice at the same level.
    case duplicateField(id: String)
    /// A field has a value the Pix standard does not allow there.
    case unexpectedValue(id: String, value: String)
    /// The CRC in field `63` does not match the payload.
    case crcMismatch(expected: String, found: String)
}

extension PixBRCodeError: CustomStringConvertible {
    /// A human-readable explanation, safe to log.
    public var description: String {
        switch self {
        case .empty(let field):
            "\(field.rawValue) must not be empty"
        case .tooLong(let field, let length, let maximum):
            "\(field.rawValue) has \(length) characters; the maximum is \(maximum)"
        case .invalidCharacters(let field):
            "\(field.rawValue) has characters that are not allowed"
        case .invalidValue(let field):
            "\(field.rawValue) has an invalid value"
        case .notAllowedInDynamicCode(let field):
            "\(field.rawValue) must not be set in a dynamic BR Code"
        case .fieldTooLong(let id, let length):
            "field \(id) would be \(length) characters long; the maximum is 99"
        case .nonASCIIPayload:
            "the payload contains characters outside printable ASCII"
        case .malformed(let offset):
            "the TLV structure is malformed at offset \(offset)"
        case .missingField(let id):
            "mandatory field \(id) is missing"
        case .misplacedField(let id):
            id == "00" ? "field 00 must come first" : "field \(id) must come last"
        case .duplicateField(let id):
            "field \(id) appears more than once"
        case .unexpectedValue(let id, let value):
            "field \(id) has unexpected value \"\(value)\""
        case .crcMismatch(let expected, let found):
            "CRC mismatch: computed \(expected), payload has \(found)"
        }
    }
}

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
