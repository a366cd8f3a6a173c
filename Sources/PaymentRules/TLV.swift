/// One EMV QRCPS data object: a two-digit ID, a two-digit length and a value.
///
/// BR Code payloads are printable ASCII, so lengths are byte counts of the UTF-8 text.
struct TLV: Sendable, Hashable {
    /// The largest value length a two-digit length indicator can express.
    static let maximumLength = 99

    let id: String
    let value: String
    /// Position of `value` inside the whole payload.
    let valueOffset: Int

    /// Encodes `id`, the zero-padded length of `value`, and `value`.
    ///
    /// - Throws: ``PixBRCodeError/fieldTooLong(id:length:)`` when `value` exceeds 99 characters.
    static func encode(_ id: String, _ value: String) throws(PixBRCodeError) -> String {
        let length = value.utf8.count
        guard length <= maximumLength else {
            throw .fieldTooLong(id: id, length: length)
        }
        return id + (length < 10 ? "0" : "") + String(length) + value
    }

    /// Splits a run of concatenated data objects.
    ///
    /// - Parameters:
    ///   - bytes: ASCII bytes holding nothing but data objects.
    ///   - offset: Position of `bytes` inside the whole payload, used in error reports.
    /// - Throws: ``PixBRCodeError/malformed(offset:)`` at the first object whose ID or length is
    ///   not two digits, whose length is zero, or whose value runs past the end.
    static func split(_ bytes: ArraySlice<UInt8>, offset: Int) throws(PixBRCodeError) -> [TLV] {
        var objects: [TLV] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let position = offset + (index - bytes.startIndex)
            guard bytes.endIndex - index >= 4,
                let id = twoDigits(bytes, at: index),
                let length = Int(twoDigits(bytes, at: index + 2) ?? ""),
                length > 0,
                bytes.endIndex - (index + 4) >= length
            else {
                throw .malformed(offset: position)
            }
            let valueStart = index + 4
            let value = String(decoding: bytes[valueStart..<(valueStart + length)], as: UTF8.self)
            objects.append(TLV(id: id, value: value, valueOffset: position + 4))
            index = valueStart + length
        }
        return objects
    }

    /// Splits this object's value as a template of nested data objects.
    func nested() throws(PixBRCodeError) -> [TLV] {
        try TLV.split(Array(value.utf8)[...], offset: valueOffset)
    }

    private static func twoDigits(_ bytes: ArraySlice<UInt8>, at index: Int) -> String? {
        let pair = bytes[index..<(index + 2)]
        guard pair.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return String(decoding: pair, as: UTF8.self)
    }
}

/// CRC-16/CCITT-FALSE, the checksum used by EMV QR codes and the Pix BR Code (field `63`).
///
/// Parameters: polynomial `0x1021`, initial value `0xFFFF`, no input or output reflection,
/// final XOR `0x0000`. The standard check value is `checksum("123456789") == 0x29B1`.
public enum CRC16 {
    /// Computes the CRC-16/CCITT-FALSE of a byte sequence.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }

    /// Computes the CRC-16/CCITT-FALSE of the UTF-8 bytes of `text`.
    public static func checksum(_ text: String) -> UInt16 {
        checksum(text.utf8)
    }

    /// Formats a checksum as exactly four uppercase hexadecimal digits, as field `63` requires.
    public static func hexString(_ value: UInt16) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }
}
