/// Parses JSON text (RFC 8259) into ``JSONValue``s: one document, or a
/// sequence of documents separated by whitespace.
struct JSONParser {
    private let bytes: [UInt8]
    private var offset = 0
    private let maxDepth: Int

    init(_ text: String, maxDepth: Int) {
        bytes = Array(text.utf8)
        self.maxDepth = maxDepth
    }

    /// Every document in the text, in order; none for blank text.
    mutating func parseSequence() throws(ProtoJSONError) -> [JSONValue] {
        var documents: [JSONValue] = []
        skipWhitespace()
        while offset < bytes.count {
            documents.append(try value(depth: 1))
            skipWhitespace()
        }
        return documents
    }

    // MARK: Values

    private mutating func value(depth: Int) throws(ProtoJSONError) -> JSONValue {
        guard depth <= maxDepth else {
            throw ProtoJSONError(.nestingTooDeep(limit: maxDepth), path: "$")
        }
        skipWhitespace()
        guard let byte = peek() else { throw syntax("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw syntax("unexpected character '\(Unicode.Scalar(byte))'")
        }
    }

    private mutating func object(depth: Int) throws(ProtoJSONError) -> JSONValue {
        offset += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw syntax("expected a member name in quotes") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a member name")
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                offset += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}' in an object")
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(ProtoJSONError) -> JSONValue {
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                offset += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']' in an array")
            return .array(elements)
        }
    }

    private mutating func literal(_ word: String) throws(ProtoJSONError) {
        let expected = word.utf8
        guard bytes.count - offset >= expected.count, bytes[offset..<offset + expected.count].elementsEqual(expected) else {
            throw syntax("invalid literal")
        }
        offset += expected.count
    }

    /// A number's text, checked against JSON's grammar.
    private mutating func number() throws(ProtoJSONError) -> String {
        let start = offset
        if peek() == UInt8(ascii: "-") { offset += 1 }
        if peek() == UInt8(ascii: "0") {
            offset += 1
        } else if digits() == 0 {
            throw syntax("invalid number")
        }
        if peek() == UInt8(ascii: ".") {
            offset += 1
            guard digits() > 0 else { throw syntax("invalid number: digits must follow '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            guard digits() > 0 else { throw syntax("invalid number: digits must follow the exponent") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func digits() -> Int {
        let start = offset
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { offset += 1 }
        return offset - start
    }

    private mutating func string() throws(ProtoJSONError) -> String {
        offset += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw syntax("unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &utf8)
            case 0..<0x20:
                throw syntax("control character in a string: escape it")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(ProtoJSONError) {
        guard let byte = peek() else { throw syntax("unterminated string") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var code = try hex4()
            if (0xD800..<0xDC00).contains(code) {
                guard peek() == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw syntax("unpaired UTF-16 surrogate in \\u escape")
                }
                offset += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw syntax("unpaired UTF-16 surrogate in \\u escape") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(code) {
                throw syntax("unpaired UTF-16 surrogate in \\u escape")
            }
            utf8.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
        default:
            throw syntax("invalid escape '\\\(Unicode.Scalar(byte))'")
        }
    }

    private mutating func hex4() throws(ProtoJSONError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw syntax("truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntax("invalid \\u escape")
            }
            code = code << 4 | UInt32(digit)
            offset += 1
        }
        return code
    }

    // MARK: Cursor

    private func peek() -> UInt8? {
        offset < bytes.count ? bytes[offset] : nil
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(ProtoJSONError) {
        guard peek() == byte else { throw syntax("expected \(what)") }
        offset += 1
    }

    private mutating func skipWhitespace() {
        while let byte = peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
        {
            offset += 1
        }
    }

    /// A syntax error at the current position, as line and column (1-based).
    private func syntax(_ message: String) -> ProtoJSONError {
        let consumed = bytes[..<min(offset, bytes.count)]
        let line = consumed.count { $0 == UInt8(ascii: "\n") } + 1
        let lineStart = consumed.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let column = offset - lineStart + 1
        return ProtoJSONError(.syntax("\(message) at line \(line), column \(column)"), path: "$")
    }
}
