/// Why a ``PasswordHasher`` could not hash.
enum PasswordHasherError: Error, CustomStringConvertible {
    /// A hashing thread could not be started.
    case threadStartFailed(errno: Int32)
    /// The hasher was closed (the Auth module is shutting down).
    case closed

    var description: String {
        switch self {
        case .threadStartFailed(let errno): "could not start a password hashing thread (errno \(errno))"
        case .closed: "the password hasher is closed"
        }
    }
}
