/// Writes ``JSONValue``s as JSON text: compact, or indented by two spaces.
struct JSONWriter {
    let prettyPrinted: Bool
    private(set) var output = ""

    init(prettyPrinted: Bool) {
        self.prettyPrinted = prettyPrinted
    }

    mutating func write(_ value: JSONValue, indent: Int = 0) {
        switch value {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): writeString(text)
        case .array(let elements):
            writeContainer("[", "]", elements, indent) { writer, element, indent in
                writer.write(element, indent: indent)
            }
        case .object(let members):
            writeContainer("{", "}", members, indent) { writer, member, indent in
                writer.writeString(member.key)
                writer.output += writer.prettyPrinted ? ": " : ":"
                writer.write(member.value, indent: indent)
            }
        }
    }

    private mutating func writeContainer<Element>(
        _ open: String,
        _ close: String,
        _ elements: [Element],
        _ indent: Int,
        _ writeElement: (inout JSONWriter, Element, Int) -> Void
    ) {
        output += open
        guard !elements.isEmpty else {
            output += close
            return
        }
        for (i, element) in elements.enumerated() {
            if i > 0 { output += "," }
            if prettyPrinted { newline(indent + 1) }
            writeElement(&self, element, indent + 1)
        }
        if prettyPrinted { newline(indent) }
        output += close
    }

    private mutating func newline(_ indent: Int) {
        output += "\n" + String(repeating: "  ", count: indent)
    }

    private mutating func writeString(_ text: String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                let hex = String(scalar.value, radix: 16, uppercase: false)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
