/// Opaque identifiers: a short type prefix and 128 random bits, e.g.
/// `ord_3f9c0a…`. Unguessable, so knowing one order id says nothing about
/// another customer's.
public enum ShopID {
    public static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return prefix + "_" + hex(high) + hex(low)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
