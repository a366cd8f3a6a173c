internal import CProtobufC

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// protobuf-c descriptors built at run time from `FileDescriptorProto`s (as
/// reflection serves them), for messages no generated code describes:
/// ``DynamicCodec`` encodes and decodes with them exactly as with protoc-c's.
///
/// The pool lays out a C struct for each message (every field its own slot,
/// `oneof` members sharing one), and owns all the C memory: descriptors,
/// tables and names are allocated here and freed in `deinit`. Every
/// ``ProtoMessageDescriptor`` and ``ProtoEnumDescriptor`` it hands out keeps
/// it alive.
public final class ProtoDescriptorPool: @unchecked Sendable {
    // @unchecked Sendable: every allocation is written in `init` only and
    // read-only afterwards; `deinit` frees them when nothing refers to the pool.

    /// The files the pool was built from.
    public let files: [ProtoFileDescription]
    private var messages: [String: UnsafeMutablePointer<ProtobufCMessageDescriptor>] = [:]
    private var enums: [String: UnsafeMutablePointer<ProtobufCEnumDescriptor>] = [:]
    private var allocations: [UnsafeMutableRawPointer] = []

    /// Builds descriptors for every message and enum of `fileDescriptorProtos`
    /// (serialized `google.protobuf.FileDescriptorProto`s), which must
    /// together declare every type their fields use.
    public init(fileDescriptorProtos: [[UInt8]]) throws(ProtoDescriptorError) {
        do {
            files = try fileDescriptorProtos.map { bytes throws(ProtoDecodingError) in try ProtoFileDescription(serializedBytes: bytes) }
        } catch {
            throw ProtoDescriptorError("\(error)")
        }
        // Allocate every descriptor first: fields refer to any of them.
        for file in files {
            for type in file.enums { enums[type.name] = allocate(ProtobufCEnumDescriptor.self) }
            for type in file.messages { messages[type.name] = allocate(ProtobufCMessageDescriptor.self) }
        }
        for file in files {
            for type in file.enums { fill(enums[type.name]!, type, package: file.package) }
            for type in file.messages { try fill(messages[type.name]!, type, file) }
        }
    }

    deinit {
        for allocation in allocations { free(allocation) }
    }

    /// The message type called `fullName` (`bigrpc.health.v1.HealthCheckRequest`).
    public func message(named fullName: String) -> ProtoMessageDescriptor? {
        messages[fullName].map { ProtoMessageDescriptor(UnsafePointer($0), owner: self) }
    }

    /// The enum type called `fullName`.
    public func enumeration(named fullName: String) -> ProtoEnumDescriptor? {
        enums[fullName].map { ProtoEnumDescriptor(UnsafePointer($0), owner: self) }
    }

    // MARK: Building

    private func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        guard let memory = calloc(max(count, 1), MemoryLayout<T>.stride) else {
            fatalError("BigRPCCodec: out of memory building descriptors")
        }
        allocations.append(memory)
        return memory.bindMemory(to: T.self, capacity: max(count, 1))
    }

    private func cString(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8CString)
        let memory = allocate(CChar.self, count: utf8.count)
        memory.initialize(from: utf8, count: utf8.count)
        return UnsafePointer(memory)
    }

    private func fill(_ descriptor: UnsafeMutablePointer<ProtobufCEnumDescriptor>, _ type: ProtoFileDescription.Enumeration, package: String) {
        // protoc-c's tables: values by number (one per number), names sorted, number ranges.
        var byNumber: [(name: String, number: Int32)] = []
        for value in type.values.sorted(by: { $0.number < $1.number }) where byNumber.last?.number != value.number {
            byNumber.append(value)
        }
        let values = allocate(ProtobufCEnumValue.self, count: byNumber.count)
        for (i, value) in byNumber.enumerated() {
            values[i] = ProtobufCEnumValue(name: cString(value.name), c_name: cString(value.name), value: value.number)
        }
        let sortedNames = byNumber.indices.sorted { byNumber[$0].name.utf8.lexicographicallyPrecedes(byNumber[$1].name.utf8) }
        let byName = allocate(ProtobufCEnumValueIndex.self, count: byNumber.count)
        for (i, index) in sortedNames.enumerated() {
            byName[i] = ProtobufCEnumValueIndex(name: values[index].name, index: UInt32(index))
        }
        let ranges = numberRanges(byNumber.map { Int($0.number) })
        descriptor.pointee.magic = UInt32(PROTOBUF_C__ENUM_DESCRIPTOR_MAGIC)
        descriptor.pointee.name = cString(type.name)
        descriptor.pointee.short_name = cString(String(type.name.split(separator: ".").last ?? ""))
        descriptor.pointee.c_name = descriptor.pointee.name
        descriptor.pointee.package_name = cString(package)
        descriptor.pointee.n_values = UInt32(byNumber.count)
        descriptor.pointee.values = UnsafePointer(values)
        descriptor.pointee.n_value_names = UInt32(byNumber.count)
        descriptor.pointee.values_by_name = UnsafePointer(byName)
        descriptor.pointee.n_value_ranges = UInt32(ranges.count - 1)
        descriptor.pointee.value_ranges = ranges.pointer
    }

    private func fill(
        _ descriptor: UnsafeMutablePointer<ProtobufCMessageDescriptor>,
        _ type: ProtoFileDescription.Message,
        _ file: ProtoFileDescription
    ) throws(ProtoDescriptorError) {
        var layout = StructLayout()
        var oneofSlots: [Int: (caseOffset: Int, valueOffset: Int)] = [:]
        // Each real oneof: its case, then one slot as large as any member.
        for field in type.fields {
            guard let oneof = field.oneofIndex, !field.isProto3Optional, oneofSlots[oneof] == nil else { continue }
            let size = type.fields.filter { $0.oneofIndex == oneof }.map { Self.size(ofType: $0.type) }.max() ?? 8
            oneofSlots[oneof] = (layout.add(4), layout.add(size))
        }
        let sorted = type.fields.sorted { $0.number < $1.number }
        guard Set(sorted.map(\.number)).count == sorted.count, sorted.allSatisfy({ $0.number > 0 }) else {
            throw ProtoDescriptorError("\(type.name): field numbers must be positive and distinct")
        }
        let fields = allocate(ProtobufCFieldDescriptor.self, count: sorted.count)
        for (i, field) in sorted.enumerated() {
            var c = ProtobufCFieldDescriptor()
            c.name = cString(field.name)
            c.id = field.number
            guard let cType = Self.cType(field.type) else {
                throw ProtoDescriptorError("\(type.name).\(field.name): field type \(field.type) is not supported")
            }
            c.type = cType
            if cType == PROTOBUF_C_TYPE_MESSAGE || cType == PROTOBUF_C_TYPE_ENUM {
                let target: UnsafeRawPointer? =
                    cType == PROTOBUF_C_TYPE_MESSAGE
                    ? messages[field.typeName].map { UnsafeRawPointer($0) }
                    : enums[field.typeName].map { UnsafeRawPointer($0) }
                guard let target else {
                    throw ProtoDescriptorError("\(type.name).\(field.name): unknown type \(field.typeName)")
                }
                c.descriptor = target
            }
            let size = Self.size(ofType: field.type)
            if let oneof = field.oneofIndex, !field.isProto3Optional, let slot = oneofSlots[oneof] {
                c.label = PROTOBUF_C_LABEL_NONE
                c.flags = UInt32(PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue)
                c.quantifier_offset = UInt32(slot.caseOffset)
                c.offset = UInt32(slot.valueOffset)
            } else if field.label == 3 {
                c.label = PROTOBUF_C_LABEL_REPEATED
                c.quantifier_offset = UInt32(layout.add(MemoryLayout<Int>.size))
                c.offset = UInt32(layout.add(MemoryLayout<UnsafeRawPointer>.size))
                let packable = cType != PROTOBUF_C_TYPE_STRING && cType != PROTOBUF_C_TYPE_BYTES && cType != PROTOBUF_C_TYPE_MESSAGE
                if packable && (field.packedOption ?? file.isProto3) {
                    c.flags = UInt32(PROTOBUF_C_FIELD_FLAG_PACKED.rawValue)
                }
            } else if field.isProto3Optional || (!file.isProto3 && field.label == 1) {
                c.label = PROTOBUF_C_LABEL_OPTIONAL
                if cType != PROTOBUF_C_TYPE_STRING && cType != PROTOBUF_C_TYPE_MESSAGE {
                    c.quantifier_offset = UInt32(layout.add(MemoryLayout<protobuf_c_boolean>.size))
                }
                c.offset = UInt32(layout.add(size))
            } else {
                c.label = field.label == 2 ? PROTOBUF_C_LABEL_REQUIRED : PROTOBUF_C_LABEL_NONE
                c.offset = UInt32(layout.add(size))
            }
            fields[i] = c
        }
        let byName = allocate(UInt32.self, count: sorted.count)
        for (i, index) in sorted.indices.sorted(by: { sorted[$0].name.utf8.lexicographicallyPrecedes(sorted[$1].name.utf8) }).enumerated() {
            byName[i] = UInt32(index)
        }
        let ranges = numberRanges(sorted.map { Int($0.number) })
        descriptor.pointee.magic = UInt32(PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC)
        descriptor.pointee.name = cString(type.name)
        descriptor.pointee.short_name = cString(String(type.name.split(separator: ".").last ?? ""))
        descriptor.pointee.c_name = descriptor.pointee.name
        descriptor.pointee.package_name = cString(file.package)
        descriptor.pointee.sizeof_message = layout.size
        descriptor.pointee.n_fields = UInt32(sorted.count)
        descriptor.pointee.fields = UnsafePointer(fields)
        descriptor.pointee.fields_sorted_by_name = UnsafePointer(byName)
        descriptor.pointee.n_field_ranges = UInt32(ranges.count - 1)
        descriptor.pointee.field_ranges = ranges.pointer
        // No init function: protobuf-c and ProtoWriter zero the struct and
        // set its descriptor when there is none.
        descriptor.pointee.message_init = nil
    }

    /// protobuf-c's number ranges over sorted `numbers`: (first number, its
    /// index) for each run of consecutive numbers, then (0, count).
    private func numberRanges(_ numbers: [Int]) -> (pointer: UnsafePointer<ProtobufCIntRange>, count: Int) {
        var ranges: [ProtobufCIntRange] = []
        for (i, number) in numbers.enumerated() where i == 0 || numbers[i - 1] + 1 != number {
            ranges.append(ProtobufCIntRange(start_value: Int32(number), orig_index: UInt32(i)))
        }
        ranges.append(ProtobufCIntRange(start_value: 0, orig_index: UInt32(numbers.count)))
        let memory = allocate(ProtobufCIntRange.self, count: ranges.count)
        memory.initialize(from: ranges, count: ranges.count)
        return (UnsafePointer(memory), ranges.count)
    }

    /// The bytes a singular value of `FieldDescriptorProto.Type` takes in a C struct.
    private static func size(ofType type: Int) -> Int {
        switch type {
        case 1, 3, 4, 6, 16, 18: 8  // double, int64, uint64, fixed64, sfixed64, sint64
        case 9, 11: MemoryLayout<UnsafeRawPointer>.size  // string, message
        case 12: MemoryLayout<ProtobufCBinaryData>.size  // bytes
        default: 4  // float, int32, fixed32, bool, uint32, enum, sfixed32, sint32
        }
    }

    private static func cType(_ type: Int) -> ProtobufCType? {
        switch type {
        case 1: PROTOBUF_C_TYPE_DOUBLE
        case 2: PROTOBUF_C_TYPE_FLOAT
        case 3: PROTOBUF_C_TYPE_INT64
        case 4: PROTOBUF_C_TYPE_UINT64
        case 5: PROTOBUF_C_TYPE_INT32
        case 6: PROTOBUF_C_TYPE_FIXED64
        case 7: PROTOBUF_C_TYPE_FIXED32
        case 8: PROTOBUF_C_TYPE_BOOL
        case 9: PROTOBUF_C_TYPE_STRING
        case 11: PROTOBUF_C_TYPE_MESSAGE
        case 12: PROTOBUF_C_TYPE_BYTES
        case 13: PROTOBUF_C_TYPE_UINT32
        case 14: PROTOBUF_C_TYPE_ENUM
        case 15: PROTOBUF_C_TYPE_SFIXED32
        case 16: PROTOBUF_C_TYPE_SFIXED64
        case 17: PROTOBUF_C_TYPE_SINT32
        case 18: PROTOBUF_C_TYPE_SINT64
        default: nil  // groups
        }
    }
}

/// The offsets of a C struct that starts with a `ProtobufCMessage`, each
/// member aligned to its size (at most 8).
private struct StructLayout {
    private var end = MemoryLayout<ProtobufCMessage>.size
    /// The struct's size, padded to 8 bytes.
    var size: Int { (end + 7) / 8 * 8 }

    /// Appends a member of `bytes` bytes and returns its offset.
    mutating func add(_ bytes: Int) -> Int {
        let alignment = min(bytes, 8)
        let offset = (end + alignment - 1) / alignment * alignment
        end = offset + bytes
        return offset
    }
}

/// Why ``ProtoDescriptorPool`` could not build descriptors.
public struct ProtoDescriptorError: Error, Hashable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
