#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a password: from a prompt on the terminal with echo off, or as the
/// first line of standard input when it is not a terminal (scripts).
enum PasswordReader {
    static func read(prompt: String) throws -> String {
        guard Terminal.standardInputIsTerminal else {
            guard let line = readLine(strippingNewline: true) else {
                throw ProbeError("no password on standard input")
            }
            return line
        }
        Terminal.writeError(prompt)
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            throw ProbeError("cannot read the terminal's settings: \(String(cString: strerror(errno)))")
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        guard tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0 else {
            throw ProbeError("cannot turn off echo: \(String(cString: strerror(errno)))")
        }
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            Terminal.writeError("\n")
        }
        guard let line = readLine(strippingNewline: true) else {
            throw ProbeError("no password entered")
        }
        return line
    }
}
