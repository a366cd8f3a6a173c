import BigShopStore
import ChildProcess
import Foundation

/// The cluster's PostgreSQL server: a throw-away cluster
/// (`scripts/postgres-cluster`) on a host of its own, a network namespace
/// like the shop's processes, listening on that host's address for the
/// run's /24 only. Being in one of the run's namespaces, it dies with them
/// however the test ends (`ClusterNetwork.tearDown`, and
/// `scripts/cluster-test`'s cleanup, which also stops it by its directory).
struct ClusterPostgres: Sendable {
    /// `postgres://bigshop@ADDRESS:PORT/bigshop` (trust authentication: no password).
    let url: String
    /// The cluster's directory (its `log` is the server's log).
    let directory: String
    let endpoint: PostgresEndpoint

    /// PostgreSQL could not be had here (no server binaries, no
    /// unprivileged user): the scenario is skipped, with this reason.
    struct Unavailable: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres-cluster").path
    }

    /// Makes host `index` of `network` and starts a cluster in `directory`
    /// (missing or empty) inside it.
    ///
    /// - Throws: ``Unavailable`` when the script says PostgreSQL is
    ///   unavailable (its exit status 3); ``CrashTestError`` for any other failure.
    static func start(on network: ClusterNetwork, index: Int, directory: String) async throws -> ClusterPostgres {
        try await network.createHost(index)
        let process = try ChildProcess(
            executable: ClusterNetwork.ip,
            arguments: ["netns", "exec", network.namespace(index), script, "start", directory, "--listen", network.address(index) + "/24"],
            standardOutput: .capture, standardError: .capture)
        let termination = await process.wait(killingAfter: .seconds(120))
        let output = String(decoding: await process.standardOutput(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let errors = String(decoding: await process.standardError(), as: UTF8.self)
        if termination.code == 3 {
            let prefix = "postgres-cluster: PostgreSQL unavailable: "
            let reason = errors.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
            throw Unavailable(reason: reason ?? errors)
        }
        guard termination.code == 0 else {
            throw CrashTestError("scripts/postgres-cluster start failed (\(termination)): \(errors)")
        }
        return ClusterPostgres(url: output, directory: directory, endpoint: try PostgresEndpoint(url: output))
    }

    /// Stops the cluster and removes its directory.
    func stop() async {
        guard let process = try? ChildProcess(executable: Self.script, arguments: ["stop", directory], standardOutput: .capture, standardError: .capture)
        else { return }
        _ = await process.wait(killingAfter: .seconds(60))
    }

    /// Runs `sql` in the schema of service `schema` (the shop's schema
    /// names are the services'), on a connection of its own.
    func query(_ schema: String, _ sql: String) async throws -> [Row] {
        let database = try await Database(
            location: .postgres(endpoint, schema: schema), configuration: DatabaseConfiguration(readerCount: 1, postgresWriterCount: 1))
        let rows: [Row]
        do {
            rows = try await database.read { try $0.query(sql) }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
        return rows
    }

    /// The last lines of the server's log.
    func logTail(_ lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
