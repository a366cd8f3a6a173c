/// The content of one set field of a ``DynamicMessage``.
public enum DynamicField: Hashable, Sendable {
    /// A singular field's value.
    case single(DynamicValue)
    /// A repeated field's values, in order.
    case repeated([DynamicValue])
    /// A map field's entries. A ``DynamicMessage`` keeps them canonical:
    /// each key once (the last one wins), sorted by key as generated code
    /// encodes them.
    case map([DynamicMapEntry])

    /// Whether the content can be `field`'s: the right shape (singular,
    /// repeated or map) with values of the field's type.
    public func fits(_ field: ProtoFieldDescriptor) -> Bool {
        switch self {
        case .single(let value):
            return !field.isRepeated && value.fits(field)
        case .repeated(let values):
            return field.isRepeated && !field.isMap && values.allSatisfy { $0.fits(field) }
        case .map(let entries):
            guard let key = field.mapKey, let value = field.mapValue else { return false }
            return entries.allSatisfy { $0.key.fits(key) && $0.value.fits(value) }
        }
    }
}

/// One entry of a map field.
public struct DynamicMapEntry: Hashable, Sendable {
    /// An integer, bool or string, as the map's key type says.
    public var key: DynamicValue
    /// A value of the map's value type.
    public var value: DynamicValue

    /// An entry mapping `key` to `value`.
    public init(key: DynamicValue, value: DynamicValue) {
        self.key = key
        self.value = value
    }

    /// `entries` with each key once (the last occurrence wins), sorted by key.
    static func canonical(_ entries: [DynamicMapEntry]) -> [DynamicMapEntry] {
        var latest: [DynamicValue: DynamicValue] = [:]
        for entry in entries { latest[entry.key] = entry.value }
        return
            latest
            .map { DynamicMapEntry(key: $0.key, value: $0.value) }
            .sorted { DynamicValue.mapKeyPrecedes($0.key, $1.key) }
    }
}
