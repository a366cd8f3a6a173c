/// A protobuf message whose type is known only at run time, by its
/// ``ProtoMessageDescriptor``: what tools that handle any message (a JSON
/// mapping, a command-line probe) use instead of a generated type.
///
/// It holds the fields that are set. Proto3 semantics apply: a singular
/// scalar at its default value encodes as unset, and ``DynamicCodec`` decodes
/// it as unset; a sub-message or a `oneof` member is set or not, whatever
/// its value. ``DynamicCodec`` encodes and decodes it through protobuf-c,
/// with the same limits and checks as generated types.
public struct DynamicMessage: Hashable, Sendable {
    /// The message's type.
    public let descriptor: ProtoMessageDescriptor
    /// The set fields by number; every value fits its field.
    var values: [UInt32: DynamicField] = [:]

    /// A message of `descriptor`'s type with no field set.
    public init(descriptor: ProtoMessageDescriptor) {
        self.descriptor = descriptor
    }

    /// Whether no field is set.
    public var isEmpty: Bool { values.isEmpty }

    /// The set fields with their content, in field-number order.
    public var setFields: [(field: ProtoFieldDescriptor, content: DynamicField)] {
        descriptor.fields.compactMap { field in values[field.number].map { (field, $0) } }
    }

    /// The content of `field`, or nil when unset. Setting a `oneof` member
    /// unsets the other members; setting a map keeps its entries canonical
    /// (see ``DynamicField/map(_:)``).
    ///
    /// - Precondition: `field` belongs to ``descriptor`` and the content fits
    ///   it (``DynamicField/fits(_:)``).
    public subscript(field: ProtoFieldDescriptor) -> DynamicField? {
        get {
            values[field.number]
        }
        set {
            precondition(field.containingMessage == descriptor, "\(field.name) is not a field of \(descriptor.fullName)")
            guard var content = newValue else {
                values[field.number] = nil
                return
            }
            precondition(content.fits(field), "the value does not fit \(descriptor.fullName).\(field.name)")
            if case .map(let entries) = content {
                content = .map(DynamicMapEntry.canonical(entries))
            }
            for member in field.oneofMembers where member.number != field.number {
                values[member.number] = nil
            }
            values[field.number] = content
        }
    }

    /// The content of the field called `name` in the .proto file, or nil
    /// when unset.
    ///
    /// - Precondition: the message declares a field of that name, and the
    ///   content fits it.
    public subscript(fieldNamed name: String) -> DynamicField? {
        get {
            self[namedField(name)]
        }
        set {
            self[namedField(name)] = newValue
        }
    }

    private func namedField(_ name: String) -> ProtoFieldDescriptor {
        guard let field = descriptor.field(named: name) else {
            preconditionFailure("\(descriptor.fullName) has no field \(name)")
        }
        return field
    }
}

extension DynamicMessage {
    /// Decodes a message of `descriptor`'s type from its protobuf binary
    /// encoding; see ``DynamicCodec/decode(_:as:limits:)``.
    public init(
        serializedBytes bytes: some Collection<UInt8>,
        descriptor: ProtoMessageDescriptor,
        limits: ProtoDecodingLimits = .default
    ) throws(ProtoDecodingError) {
        self = try DynamicCodec.decode(bytes, as: descriptor, limits: limits)
    }

    /// The message's protobuf binary encoding; see ``DynamicCodec/encode(_:)``.
    public func serializedBytes() throws(ProtoEncodingError) -> [UInt8] {
        try DynamicCodec.encode(self)
    }
}
