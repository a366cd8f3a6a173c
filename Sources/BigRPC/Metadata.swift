/// Call metadata: request headers or trailers, as string pairs.
///
/// Keys are lowercase ASCII on the wire; this type lowercases them on the way
/// in so lookups never depend on the caller's casing.
public struct Metadata: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    private var storage: [String: String]

    /// Empty metadata.
    public init() {
        storage = [:]
    }

    /// The pairs of `pairs`, keys lowercased.
    ///
    /// A dictionary has no order, so when `pairs` holds keys that differ
    /// only in case, which of their values is kept is unspecified; use a
    /// literal or the subscript when a later value must win.
    public init(_ pairs: [String: String]) {
        storage = [:]
        storage.reserveCapacity(pairs.count)
        for (key, value) in pairs { storage[key.lowercased()] = value }
    }

    /// The pairs of the literal, keys lowercased. A key given more than once,
    /// in any casing, keeps the value written last.
    public init(dictionaryLiteral elements: (String, String)...) {
        // Lowercased before uniquing: "A" and "a" are the same key, so the
        // later one replaces the earlier in the literal's order.
        storage = [:]
        storage.reserveCapacity(elements.count)
        for (key, value) in elements { storage[key.lowercased()] = value }
    }

    /// The value of `key`, whatever its casing; setting nil removes the key.
    public subscript(key: String) -> String? {
        get { storage[key.lowercased()] }
        set { storage[key.lowercased()] = newValue }
    }

    /// Whether there are no pairs.
    public var isEmpty: Bool { storage.isEmpty }
    /// The number of pairs (distinct lowercase keys).
    public var count: Int { storage.count }

    /// The pairs as a dictionary, keys lowercase.
    public var dictionary: [String: String] { storage }

    /// Adds every pair of `other`, replacing values of keys present in both.
    public mutating func merge(_ other: Metadata) {
        storage.merge(other.storage) { _, new in new }
    }

    /// `self` with every pair of `other` added.
    public func merging(_ other: Metadata) -> Metadata {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// Iterates the pairs, keys lowercase, in no particular order.
    public func makeIterator() -> Dictionary<String, String>.Iterator {
        storage.makeIterator()
    }

    /// The pairs sorted by key, e.g. `[a: 1, b: 2]`.
    public var description: String {
        "[" + storage.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }

    /// Whether `key` is acceptable on the wire: non-empty lowercase ASCII
    /// letters, digits, `-`, `_` and `.`.
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
            }
    }
}

extension Metadata {
    /// `authorization`: `Bearer <session token>`.
    public static let authorizationKey = "authorization"
    /// `x-request-id`: correlation id, echoed in trailers; the server makes one if absent.
    public static let requestIDKey = "x-request-id"
    /// `idempotency-key`: a retried mutating call with the same key gets the same result.
    public static let idempotencyKey = "idempotency-key"
    /// `retry-after-ms`: milliseconds until a retry can succeed; with RESOURCE_EXHAUSTED
    /// (rate limits, full queues) or FAILED_PRECONDITION (a cool-down).
    public static let retryAfterKey = "retry-after-ms"
    /// `reason`: machine-readable error reason, e.g. `SOLD_OUT`.
    public static let reasonKey = "reason"
}
