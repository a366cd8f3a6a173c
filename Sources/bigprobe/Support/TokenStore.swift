import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The session tokens `bigprobe login` saved, one per server, in
/// `$XDG_CONFIG_HOME/bigprobe/tokens.json` (`~/.config/bigprobe/` when
/// XDG_CONFIG_HOME is unset). The directory is private to the user (0700)
/// and the file is written with mode 0600 from its creation, never readable
/// by others even briefly.
struct TokenStore {
    let file: URL

    /// The store in the user's configuration directory.
    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let base: URL
        if let configHome = environment["XDG_CONFIG_HOME"], configHome.hasPrefix("/") {
            base = URL(fileURLWithPath: configHome)
        } else {
            base = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        }
        file = base.appendingPathComponent("bigprobe").appendingPathComponent("tokens.json")
    }

    /// The token saved for `endpoint`, if any.
    func token(for endpoint: Endpoint) -> String? {
        (try? load())?[endpoint.description]
    }

    /// Saves `token` for `endpoint`, keeping the other servers' tokens.
    func save(_ token: String, for endpoint: Endpoint) throws {
        var tokens = (try? load()) ?? [:]
        tokens[endpoint.description] = token
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(encoder.encode(tokens))
    }

    private func load() throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
    }

    /// Replaces the file atomically: a new file created 0600 next to it,
    /// then renamed over it.
    private func write(_ data: Data) throws {
        let directory = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: directory,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let temporary = directory.appendingPathComponent(".tokens-\(getpid()).json")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ProbeError("cannot write \(temporary.path): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            // An older file with looser permissions is replaced, not reused.
            guard rename(temporary.path, file.path) == 0 else {
                throw ProbeError("cannot replace \(file.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
    }
}
