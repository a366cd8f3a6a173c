#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files of one database — the main file and SQLite's `-wal`, `-shm` and
/// `-journal` — kept to the permissions of ``DatabaseConfiguration/filePermissions``.
///
/// SQLite creates a new main file with 0644 less the umask, and creates `-wal`,
/// `-shm` and `-journal` with *the main file's* permissions (it copies them,
/// whatever the umask). So creating the main file ourselves with the wanted
/// permissions, before SQLite opens it, is enough for every file made later;
/// files an older run left behind are tightened.
enum DatabaseFiles {
    /// The suffixes SQLite appends to a database path for its side files.
    static let sideFileSuffixes = ["-wal", "-shm", "-journal"]

    /// Creates `path` (empty: SQLite takes an empty file as a new database)
    /// with exactly `permissions` if it does not exist, and takes every
    /// permission beyond `permissions` away from the database's files that do.
    ///
    /// A main file that cannot be created (a missing directory, no access) is
    /// left to SQLite, which reports why.
    ///
    /// - Throws: ``StoreError/filePermissions(path:errno:)`` if an existing
    ///   file's permissions cannot be read or tightened (another owner).
    static func secure(path: String, permissions: mode_t) throws {
        let wanted = permissions & 0o777
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, wanted)
        if descriptor >= 0 {
            // The umask may have removed bits we want (the owner's write).
            let changed = fchmod(descriptor, wanted)
            let error = errno
            close(descriptor)
            guard changed == 0 else { throw StoreError.filePermissions(path: path, errno: error) }
        } else if errno == EEXIST {
            try restrict(path, to: wanted)
        }
        for suffix in sideFileSuffixes {
            try restrict(path + suffix, to: wanted)
        }
    }

    /// Removes the permissions of `path` beyond `wanted`; a missing file is fine.
    private static func restrict(_ path: String, to wanted: mode_t) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            guard errno == ENOENT else { throw StoreError.filePermissions(path: path, errno: errno) }
            return
        }
        let current = status.st_mode & 0o777
        guard current & ~wanted != 0 else { return }
        guard chmod(path, current & wanted) == 0 else {
            throw StoreError.filePermissions(path: path, errno: errno)
        }
    }
}
