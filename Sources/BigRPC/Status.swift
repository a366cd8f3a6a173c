/// The outcome of a call, as carried by a TRAILERS frame.
public struct Status: Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    /// Human readable; never internal details.
    public var message: String

    public init(code: StatusCode, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = Status(code: .ok)

    public var description: String {
        message.isEmpty ? code.name : "\(code.name): \(message)"
    }
}

extension Status {
    /// The most of a client's input a status message quotes, in Unicode scalars.
    public static let excerptLimit = 64

    /// A short, printable prefix of client input, for quoting in a status
    /// message: at most ``excerptLimit`` Unicode scalars (counted in scalars,
    /// not characters, since one character can hold any number of combining
    /// marks), then "…" if anything was cut. Control and format characters
    /// (newlines, bidi overrides) become U+FFFD, so a quote cannot rearrange
    /// the text around it. Status messages must never echo input whole: a
    /// 4 MiB method name would otherwise come back in the TRAILERS.
    public static func excerpt(_ input: some StringProtocol) -> String {
        var scalars = String.UnicodeScalarView()
        var count = 0
        for scalar in input.unicodeScalars {
            guard count < excerptLimit else {
                scalars.append("…")
                return String(scalars)
            }
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                scalars.append("\u{FFFD}")
            default:
                scalars.append(scalar)
            }
            count += 1
        }
        return String(scalars)
    }
}
