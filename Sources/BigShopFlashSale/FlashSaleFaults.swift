/// Faults the flash sale commits on purpose. **For tests only**: each one
/// breaks a promise of docs/FLASHSALE.md, so that a test can show that a
/// checker (`bigprobe rehearse`) catches it. Only ``ShopAssembly`` code
/// sets them (a test's); the `bigshop` executable has no flag, setting or
/// environment variable that reaches them, and a module opened with any of
/// them on says so in its log at start.
public struct FlashSaleFaults: Hashable, Sendable {
    /// Oversell: the first Reserve that finds a drop sold out is granted a
    /// unit anyway (one past the campaign's last unit), so the drop grants
    /// one hold more than it has units.
    public var oversellOneUnitPerDrop: Bool

    public init(oversellOneUnitPerDrop: Bool = false) {
        self.oversellOneUnitPerDrop = oversellOneUnitPerDrop
    }

    /// Whether any fault is on.
    public var any: Bool { oversellOneUnitPerDrop }
}
