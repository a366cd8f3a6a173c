/// Call metadata: request headers or trailers, as string pairs.
///
/// Keys are lowercase ASCII on the wire; this type lowercases them on the way
/// in so lookups never depend on the caller's casing.
public struct Metadata: Hashable, Sendable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    private var storage: [String: String]

    public init() {
        storage = [:]
    }

    public init(_ pairs: [String: String]) {
        storage = [:]
        storage.reserveCapacity(pairs.count)
        for (key, value) in pairs { storage[key.lowercased()] = value }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }

    public subscript(key: String) -> String? {
        get { storage[key.lowercased()] }
        set { storage[key.lowercased()] = newValue }
    }

    public var isEmpty: Bool { storage.isEmpty }
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

    public func makeIterator() -> Dictionary<String, String>.Iterator {
        storage.makeIterator()
    }

    public var description: String {
        "[" + storage.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }

    /// Whether `key` is acceptable on the wire: non-empty lowercase ASCII
    /// letters, digits, `-`, `_` and `.`.
    public static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy {
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
    /// `retry-after-ms`: with RESOURCE_EXHAUSTED from rate limiting, when to retry.
    public static let retryAfterKey = "retry-after-ms"
    /// `reason`: machine-readable error reason, e.g. `SOLD_OUT`.
    public static let reasonKey = "reason"
}
