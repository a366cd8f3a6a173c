/// A card network, detected from the leading digits of the card number.
///
/// Prefix ranges used, checked in this order (the first match wins, so Elo and Hipercard
/// BINs take precedence over the Visa, Diners and Discover ranges they overlap):
///
/// | Brand | Prefixes |
/// |-------|----------|
/// | Elo | 401178–401179, 431274, 438935, 451416, 457393, 457631–457632, 504175, 506699–506778, 509000–509999, 627780, 636297, 636368, 650031–650033, 650035–650051, 650405–650439, 650485–650538, 650541–650598, 650700–650718, 650720–650727, 650901–650978, 651652–651679, 655000–655019, 655021–655058 |
/// | Hipercard | 606282, 384100, 384140, 384160 |
/// | American Express | 34, 37 |
/// | Diners Club | 300–305, 36, 38, 39 |
/// | JCB | 3528–3589, 2131, 1800 |
/// | Discover | 6011, 644–649, 65 |
/// | Mastercard | 51–55, 2221–2720 |
/// | Visa | 4 |
///
/// Anything else is ``unknown``. Detection does not check length or the Luhn digit.
public enum CardBrand: String, Sendable, Hashable, CaseIterable {
    /// Visa.
    case visa
    /// Mastercard, including the 2-series (2221–2720).
    case mastercard
    /// American Express.
    case americanExpress = "amex"
    /// Elo (Brazil).
    case elo
    /// Hipercard (Brazil).
    case hipercard
    /// Diners Club.
    case dinersClub = "diners"
    /// Discover.
    case discover
    /// JCB.
    case jcb
    /// No known prefix matched.
    case unknown

    /// Detects the brand of `cardNumber`; spaces and dashes are ignored, and any other
    /// non-digit character yields ``unknown``.
    public init(cardNumber: String) {
        let digits = cardNumber.filter { $0 != " " && $0 != "-" }
        guard digits.allSatisfy({ $0.isASCII && $0.isWholeNumber }) else {
            self = .unknown
            return
        }
        let match = Self.prefixRules.first { rule in
            rule.prefixes.contains { prefix in
                digits.count >= prefix.digits
                    && prefix.range.contains(Int(digits.prefix(prefix.digits)) ?? -1)
            }
        }
        self = match?.brand ?? .unknown
    }

    private typealias Prefix = (digits: Int, range: ClosedRange<Int>)

    private static let prefixRules: [(brand: CardBrand, prefixes: [Prefix])] = [
        (
            .elo,
            [
                (6, 401178...401179), (6, 431274...431274), (6, 438935...438935),
                (6, 451416...451416), (6, 457393...457393), (6, 457631...457632),
                (6, 504175...504175), (6, 506699...506778), (6, 509000...509999),
                (6, 627780...627780), (6, 636297...636297), (6, 636368...636368),
                (6, 650031...650033), (6, 650035...650051), (6, 650405...650439),
                (6, 650485...650538), (6, 650541...650598), (6, 650700...650718),
                (6, 650720...650727), (6, 650901...650978), (6, 651652...651679),
                (6, 655000...655019), (6, 655021...655058),
            ]
        ),
        (
            .hipercard,
            [
                (6, 606282...606282), (6, 384100...384100), (6, 384140...384140), (6, 384160...384160),
            ]
        ),
        (.americanExpress, [(2, 34...34), (2, 37...37)]),
        (.dinersClub, [(3, 300...305), (2, 36...36), (2, 38...39)]),
        (.jcb, [(4, 3528...3589), (4, 2131...2131), (4, 1800...1800)]),
        (.discover, [(4, 6011...6011), (3, 644...649), (2, 65...65)]),
        (.mastercard, [(2, 51...55), (4, 2221...2720)]),
        (.visa, [(1, 4...4)]),
    ]
}
