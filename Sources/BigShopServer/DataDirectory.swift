import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The data directory: the SQLite files of every service, password hashes and
/// payments included, so readable by the server's user only.
enum DataDirectory {
    /// The permissions of the directory.
    static let directoryPermissions: mode_t = 0o700
    /// The permissions of each database file (the store creates new ones so).
    static let filePermissions: mode_t = 0o600

    /// Creates `path` (and missing parents) with 0700, or takes group and
    /// other permissions away from an existing directory and from the
    /// database files already in it, logging what it tightened.
    static func prepare(_ path: String, logger: Logger) throws {
        var status = stat()
        if stat(path, &status) != 0 {
            guard errno == ENOENT else { throw DataDirectoryError(path: path, operation: "stat", errno: errno) }
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: Int(directoryPermissions)])
            // Exactly 0700, whatever the umask did to it.
            guard chmod(path, directoryPermissions) == 0 else {
                throw DataDirectoryError(path: path, operation: "chmod", errno: errno)
            }
            return
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw DataDirectoryError(path: path, operation: "use as a directory", errno: ENOTDIR)
        }
        let mode = status.st_mode & 0o777
        if mode & ~directoryPermissions != 0 {
            guard chmod(path, mode & directoryPermissions) == 0 else {
                throw DataDirectoryError(path: path, operation: "chmod", errno: errno)
            }
            logger.notice(
                "data directory permissions tightened",
                metadata: [
                    "path": "\(path)", "was": "\(octal(mode))", "now": "\(octal(mode & directoryPermissions))",
                ])
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in entries.sorted() where isDatabaseFile(name) {
            let file = path + "/" + name
            guard lstat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            let fileMode = status.st_mode & 0o777
            guard fileMode & ~filePermissions != 0 else { continue }
            guard chmod(file, fileMode & filePermissions) == 0 else {
                throw DataDirectoryError(path: file, operation: "chmod", errno: errno)
            }
            logger.notice(
                "database file permissions tightened",
                metadata: [
                    "path": "\(file)", "was": "\(octal(fileMode))", "now": "\(octal(fileMode & filePermissions))",
                ])
        }
    }

    /// `*.sqlite` and SQLite's side files of it.
    private static func isDatabaseFile(_ name: String) -> Bool {
        [".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal"].contains { name.hasSuffix($0) }
    }

    private static func octal(_ mode: mode_t) -> String {
        "0" + String(mode, radix: 8)
    }
}

/// The data directory could not be created or secured.
struct DataDirectoryError: Error, CustomStringConvertible {
    var path: String
    var operation: String
    var errno: Int32

    var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}
