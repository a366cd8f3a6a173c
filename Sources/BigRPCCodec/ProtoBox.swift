/// Immutable heap storage for a message field whose type can contain the
/// message itself (a Swift struct cannot contain itself directly). Generated
/// code replaces the box on every assignment, so value semantics hold.
public final class ProtoBox<Value: Hashable & Sendable>: Hashable, Sendable {
    public let value: Value

    public init(_ value: Value) {
        self.value = value
    }

    public static func == (lhs: ProtoBox, rhs: ProtoBox) -> Bool {
        lhs.value == rhs.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}
