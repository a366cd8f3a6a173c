/// A problem found before any call is made: a bad argument, unreadable JSON,
/// an unknown symbol. `bigprobe` prints it and exits with 64 (EX_USAGE), a
/// code no RPC status maps to.
struct ProbeError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
