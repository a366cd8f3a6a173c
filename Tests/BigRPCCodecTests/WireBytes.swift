/// Hand-built protobuf wire encodings, for inputs no encoder would write.
enum WireBytes {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    static func key(_ field: UInt64, wireType: UInt64) -> [UInt8] {
        varint(field << 3 | wireType)
    }

    /// A length-delimited field (wire type 2).
    static func field(_ field: UInt64, _ payload: [UInt8]) -> [UInt8] {
        key(field, wireType: 2) + varint(UInt64(payload.count)) + payload
    }

    /// An `AllTypes` whose `child` (field 60) nests `depth` levels deep, built
    /// back to front so that deep inputs take linear time.
    static func nestedChildren(depth: Int) -> [UInt8] {
        var reversed: [UInt8] = []
        for _ in 0..<depth {
            let length = UInt64(reversed.count)
            reversed.append(contentsOf: varint(length).reversed())
            reversed.append(contentsOf: key(60, wireType: 2).reversed())
        }
        return reversed.reversed()
    }
}
