import Foundation
import Testing

@testable import BigShopStore

#if canImport(Glibc)
    import Glibc
#endif

/// Database files are the owner's only (issue 11, finding 7): the main file
/// is created 0600 before SQLite opens it, so the `-wal` and `-shm` SQLite
/// makes copy that; stale files of an older run are tightened.
@Suite struct FilePermissionTests {
    static func mode(_ path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o777
    }

    @Test func newFilesAreOwnerOnly() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/new.sqlite"
            let db = try await Database(path: path)
            try await db.write { try $0.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
            _ = try await db.read { try $0.query("SELECT x FROM t") }
            #expect(Self.mode(path) == 0o600)
            #expect(Self.mode(path + "-wal") == 0o600)
            #expect(Self.mode(path + "-shm") == 0o600)
            await db.close()
        }
    }

    @Test func staleFilesAreTightenedAndKeepTheirData() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/old.sqlite"
            let db = try await Database(path: path)
            try await db.write { try $0.execute("CREATE TABLE t(x); INSERT INTO t VALUES ('kept')") }
            await db.close()
            #expect(chmod(path, 0o666) == 0)
            // A -wal left behind by a crash (empty: nothing to replay).
            let stale = open(path + "-wal", O_CREAT | O_WRONLY, 0o644)
            #expect(stale >= 0)
            close(stale)
            #expect(chmod(path + "-wal", 0o644) == 0)

            let reopened = try await Database(path: path)
            #expect(Self.mode(path) == 0o600)
            #expect(Self.mode(path + "-wal") == 0o600)
            #expect(Self.mode(path + "-shm") == 0o600)
            #expect(try await reopened.read { try $0.queryOne("SELECT x FROM t")?.string(0) } == "kept")
            await reopened.close()
        }
    }

    @Test func configuredPermissionsAreExact() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/group.sqlite"
            let db = try await Database(path: path, configuration: DatabaseConfiguration(filePermissions: 0o640))
            try await db.write { try $0.execute("CREATE TABLE t(x)") }
            #expect(Self.mode(path) == 0o640)
            #expect(Self.mode(path + "-wal") == 0o640)
            await db.close()
        }
    }
}
