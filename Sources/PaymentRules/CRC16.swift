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
