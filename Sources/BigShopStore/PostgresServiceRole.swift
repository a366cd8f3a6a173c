/// A service's own PostgreSQL role (``DatabaseConfiguration/postgresRole``): NOLOGIN,
/// owner of the service's schema and of everything in it, taken with `SET ROLE` by each of
/// the service's connections right after it connects, so that one service's statements
/// cannot read or write another's schema even when one login role serves them all.
///
/// A writer's new connection (still as the login role) settles the role first: creates it
/// when missing and the login role may (`CREATEROLE` or superuser), grants it to the login
/// role, creates the schema owned by it, and hands it the schema and the tables, views,
/// sequences and collations the login role owned there (a deployment that ran without
/// service roles). Otherwise it throws ``StoreError/invalidConfiguration(_:)`` with the SQL
/// an operator must run. Replicas settle one at a time, under an advisory lock.
struct PostgresServiceRole {
    let schema: String
    let role: String

    /// What the catalogs say, as the login role sees it.
    private struct State {
        var roleExists: Bool
        var isMember: Bool
        var schemaExists: Bool
        var ownsSchema: Bool
        var othersObjects: Int
        var mayCreateRoles: Bool
        var loginRole: String
        /// PostgreSQL 16 split membership from the right to `SET ROLE` (the `SET`
        /// option), and gives a role's creator the first without the second.
        var hasSetOption: Bool

        var isSettled: Bool { roleExists && isMember && schemaExists && ownsSchema && othersObjects == 0 }
    }

    /// On a writer's new connection, before `SET ROLE`: makes the role and the schema as
    /// described above, or throws what is missing.
    func settle(_ session: PostgresSession) throws {
        if try state(session).isSettled { return }
        try session.runControl("BEGIN")
        do {
            try session.query("SELECT pg_advisory_xact_lock(hashtext(?))::text", bindings: [.text("bigshop-role:" + schema)])
            try settleLocked(session)
            try session.runControl("COMMIT")
        } catch {
            if session.isInTransaction {
                do { try session.runControl("ROLLBACK") } catch { session.forgetTransaction() }
            }
            throw error
        }
    }

    /// `SET ROLE`, on every new connection (writers and readers, and after a reconnect).
    func take(_ session: PostgresSession) throws {
        do {
            try session.runControl("SET ROLE \(role)")
        } catch let error as PostgresError where error.sqlState == "42704" || error.sqlState == "42501" {
            throw StoreError.invalidConfiguration(
                "cannot SET ROLE \(role) for schema \(schema): \(error.message); \(Self.grantAdvice(role: role, login: nil))")
        }
    }

    private func settleLocked(_ session: PostgresSession) throws {
        var state = try state(session)
        if !state.roleExists {
            guard state.mayCreateRoles else {
                throw StoreError.invalidConfiguration(
                    "PostgreSQL role \(role) (schema \(schema)) does not exist, and \(state.loginRole) may not create roles; "
                        + Self.grantAdvice(role: role, login: state.loginRole))
            }
            try session.runControl("CREATE ROLE \(role) NOLOGIN")
            state = try self.state(session)
        }
        if !state.isMember {
            guard state.mayCreateRoles else {
                throw StoreError.invalidConfiguration(
                    "\(state.loginRole) is not a member of PostgreSQL role \(role) (schema \(schema)); "
                        + "as a superuser, run GRANT \(role) TO \(state.loginRole);")
            }
            try session.runControl("GRANT \(role) TO SESSION_USER" + (state.hasSetOption ? " WITH SET TRUE" : ""))
        }
        if !state.schemaExists {
            try session.runControl("CREATE SCHEMA \(schema) AUTHORIZATION \(role)")
            return
        }
        do {
            if !state.ownsSchema { try session.runControl("ALTER SCHEMA \(schema) OWNER TO \(role)") }
            for statement in try ownershipTransfers(session) { try session.runControl(statement) }
        } catch let error as PostgresError where error.sqlState == "42501" {
            throw StoreError.invalidConfiguration(
                "schema \(schema) or some of its tables belong to a role other than \(role), and \(state.loginRole) cannot hand them over "
                    + "(\(error.message)); as their owner or a superuser, run ALTER SCHEMA \(schema) OWNER TO \(role); "
                    + "and ALTER TABLE … OWNER TO \(role); for each of its tables")
        }
    }

    private func state(_ session: PostgresSession) throws -> State {
        let rows = try session.query(
            """
            SELECT r.oid IS NOT NULL AS role_exists,
                coalesce(pg_has_role(session_user, r.oid, CASE WHEN current_setting('server_version_num')::int >= 160000
                    THEN 'SET' ELSE 'MEMBER' END), false) AS is_member,
                n.oid IS NOT NULL AS schema_exists,
                coalesce(n.nspowner = r.oid, false) AS owns_schema,
                (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                    AND c.relowner IS DISTINCT FROM r.oid)
                + (SELECT count(*) FROM pg_collation k WHERE k.collnamespace = n.oid AND k.collowner IS DISTINCT FROM r.oid)
                    AS others_objects,
                (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = session_user) AS may_create_roles,
                session_user::text AS login_role,
                current_setting('server_version_num')::int >= 160000 AS has_set_option
            FROM (SELECT 1) AS one
            LEFT JOIN pg_roles r ON r.rolname = ?
            LEFT JOIN pg_namespace n ON n.nspname = ?
            """, bindings: [.text(role), .text(schema)])
        guard let row = rows.first else { throw StoreError.invalidConfiguration("the PostgreSQL catalogs answered nothing") }
        return State(
            roleExists: try row.int("role_exists") != 0, isMember: try row.int("is_member") != 0,
            schemaExists: try row.int("schema_exists") != 0, ownsSchema: try row.int("owns_schema") != 0,
            othersObjects: try row.int("others_objects"), mayCreateRoles: try row.int("may_create_roles") != 0,
            loginRole: try row.string("login_role"), hasSetOption: try row.int("has_set_option") != 0)
    }

    /// `ALTER … OWNER TO role` for each relation and collation of the schema the role does
    /// not own. Sequences that belong to a column (identity, serial) follow their table.
    private func ownershipTransfers(_ session: PostgresSession) throws -> [String] {
        let rows = try session.query(
            """
            SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                    WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
                quote_ident(c.relname) AS name
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relowner <> ?::regrole
                AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                    AND d.deptype IN ('a', 'i'))
            UNION ALL
            SELECT 'COLLATION', quote_ident(k.collname) FROM pg_collation k JOIN pg_namespace n ON n.oid = k.collnamespace
            WHERE n.nspname = ? AND k.collowner <> ?::regrole
            """, bindings: [.text(schema), .text(role), .text(schema), .text(role)])
        return try rows.map { row in
            "ALTER \(try row.string("kind")) \(schema).\(try row.string("name")) OWNER TO \(role)"
        }
    }

    /// The SQL that makes `role` for a login role that may not.
    static func grantAdvice(role: String, login: String?) -> String {
        let grantee = login ?? "<the URL's role>"
        return "as a superuser (or a role with CREATEROLE), run CREATE ROLE \(role) NOLOGIN; GRANT \(role) TO \(grantee); "
            + "(docs/OPERATIONS.md, \"Running on PostgreSQL\")"
    }
}
