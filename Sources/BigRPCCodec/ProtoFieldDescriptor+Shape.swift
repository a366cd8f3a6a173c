internal import CProtobufC

extension ProtoFieldDescriptor {
    /// The message that declares the field.
    public var containingMessage: ProtoMessageDescriptor {
        ProtoMessageDescriptor(message, owner: owner)
    }

    /// Whether the field is a `map<K, V>`.
    ///
    /// protobuf-c keeps no map flag: a map is the repeated field of a nested
    /// entry message that protoc declares for it, named after the field
    /// (`metadata` → `<Message>.MetadataEntry`) with fields `key = 1` and
    /// `value = 2`. A hand-written message of exactly that name and shape
    /// would read as a map too; protoc reserves the name when a map exists.
    public var isMap: Bool {
        guard isRepeated, let entry = messageType else { return false }
        let fields = entry.fields
        return fields.count == 2 && fields[0].number == 1 && fields[0].name == "key"
            && fields[1].number == 2 && fields[1].name == "value"
            && entry.fullName == containingMessage.fullName + "." + mapEntryName
    }

    /// The key field of a map's entry message; nil when the field is not a map.
    public var mapKey: ProtoFieldDescriptor? {
        isMap ? messageType?.fields[0] : nil
    }

    /// The value field of a map's entry message; nil when the field is not a map.
    public var mapValue: ProtoFieldDescriptor? {
        isMap ? messageType?.fields[1] : nil
    }

    /// The members of the `oneof` the field belongs to, itself included, in
    /// field-number order; empty when it belongs to none.
    ///
    /// protobuf-c keeps no `oneof` names: the members are the fields that
    /// share this one's case slot in the C struct.
    public var oneofMembers: [ProtoFieldDescriptor] {
        guard isOneofMember else { return [] }
        let slot = c.quantifier_offset
        return containingMessage.fields.filter { $0.isOneofMember && $0.c.quantifier_offset == slot }
    }

    /// The field's JSON name: its .proto name in lowerCamelCase, as protoc
    /// derives it (`price_cents` → `priceCents`). protobuf-c does not keep a
    /// custom `json_name`.
    public var jsonName: String {
        var result = ""
        var upperNext = false
        for character in name {
            if character == "_" {
                upperNext = true
            } else if upperNext {
                result += character.uppercased()
                upperNext = false
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// protoc's name for the entry message of a map field: the field name in
    /// UpperCamelCase plus `Entry` (`m_string_string` → `MStringStringEntry`).
    private var mapEntryName: String {
        let camel = jsonName
        return camel.prefix(1).uppercased() + camel.dropFirst() + "Entry"
    }
}
