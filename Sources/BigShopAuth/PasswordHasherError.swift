/// Why a ``PasswordHasher`` could not hash.
enum PasswordHasherError: Error, CustomStringConvertible {
    /// A hashing thread could not be started.
    case threadStartFailed(errno: Int32)
    /// The hasher was closed (the Auth module is shutting down).
    case closed
    /// Too many calls wait for a hashing thread already; the work was not
    /// queued. `retryAfter` estimates when a place will be free.
    case queueFull(retryAfter: Duration)

    var description: String {
        switch self {
        case .threadStartFailed(let errno): "could not start a password hashing thread (errno \(errno))"
        case .closed: "the password hasher is closed"
        case .queueFull(let retryAfter): "the password hashing queue is full; retry in \(retryAfter)"
        }
    }
}
