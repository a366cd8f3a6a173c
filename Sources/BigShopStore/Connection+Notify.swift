extension Connection {
    /// Sends `payload` on the notification channel `channel` of this connection's schema
    /// when the enclosing transaction commits, to every ``DatabaseListener`` of that
    /// channel, in any process.
    ///
    /// On PostgreSQL this is `pg_notify`: nothing is sent if the transaction (or the
    /// savepoint around the call) rolls back, a transaction's notifications arrive in the
    /// order it sent them, and identical ones sent by one transaction may arrive once. Keep
    /// payloads small (PostgreSQL refuses more than 8000 bytes): say *what* changed, and let
    /// listeners read the change itself. On SQLite it does nothing: one process owns the
    /// file and tells its own components directly.
    ///
    /// - Parameters:
    ///   - channel: lowercase letters, digits and `_` (the same name as the listener's).
    ///   - payload: any text.
    /// - Throws: ``StoreError/invalidConfiguration(_:)`` for a channel name that is not an
    ///   identifier; the engine's error if the statement fails.
    public func notify(_ channel: String, payload: String) throws {
        guard dialect == .postgres else { return }
        guard PostgresSession.isValidIdentifier(channel) else {
            throw StoreError.invalidConfiguration("notification channel '\(channel)' must be lowercase letters, digits and _")
        }
        // The channel is scoped to the schema (the only one on the search path), as the
        // listener's is: two services, or two tests, never hear each other.
        // `::text`: pg_notify returns void, which rows cannot carry.
        try run("SELECT pg_notify(current_schema() || '.' || ?, ?)::text", bindings: [.text(channel), .text(payload)])
    }
}
