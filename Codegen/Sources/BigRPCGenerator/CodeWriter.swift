/// Accumulates generated source text with indentation.
struct CodeWriter {
    private(set) var text = ""
    private var indentation = ""

    /// Appends one line at the current indentation (an empty line has no spaces).
    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += indentation + content + "\n"
        }
    }

    /// Appends `open`, writes `body` one level deeper, then appends `close`.
    mutating func block(_ open: String, close: String = "}", _ body: (inout CodeWriter) -> Void) {
        line(open)
        indent(body)
        line(close)
    }

    /// Writes `body` one level deeper.
    mutating func indent(_ body: (inout CodeWriter) -> Void) {
        let saved = indentation
        indentation += "    "
        body(&self)
        indentation = saved
    }

    /// Appends `comment` as DocC `///` lines, if it is not empty.
    mutating func docComment(_ comment: String?) {
        guard let comment else { return }
        var lines = comment.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed()
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        for text in lines {
            line(text.isEmpty ? "///" : "/// " + String(text))
        }
    }
}
