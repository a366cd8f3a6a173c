/// What a ``DatabaseListener`` hands its handler.
public enum DatabaseNotification: Sendable, Hashable {
    /// The payload of a notification sent with ``Connection/notify(_:payload:)`` by a
    /// transaction that has committed (on any process using the same database).
    case payload(String)
    /// The listener lost its connection and is listening again: notifications sent while
    /// it was not may be lost, so re-read whatever they would have announced.
    case resumed
}
