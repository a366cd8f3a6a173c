public import BigRPC

/// Reserve's refusals (flashsale.proto), worded once: the flash sale's owner
/// answers them, and a gateway answering for it (admission) must answer
/// exactly the same.
public enum FlashSaleRefusal {
    /// No drop open: before the first, or after the last.
    public static let noActiveDrop = RPCError.refused("NO_ACTIVE_DROP", "no drop of this campaign is open")
    /// The pool is empty.
    public static let soldOut = RPCError.refused("SOLD_OUT", "this drop is sold out")
    /// The customer holds the drop's per-customer limit already.
    public static let limitReached = RPCError.refused(
        "LIMIT_REACHED", "you already hold this drop's limit", code: .alreadyExists)

    /// Whether `error` is the owner's SOLD_OUT.
    public static func isSoldOut(_ error: any Error) -> Bool {
        (error as? RPCError)?.metadata["reason"] == soldOut.metadata["reason"]
    }
}
