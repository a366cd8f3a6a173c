/// The class of a password hashing job: the queue serves every waiting Login
/// job before any Register job (first in first out within a class).
///
/// A customer signing in is the one kept waiting by a slow queue, and the one
/// the shop loses at the worst moment; a sign-up can wait, or be told to
/// retry. A Register flood therefore delays a Login by the hashes already
/// running at most, never by the queue.
enum HashingPriority: Sendable {
    /// Login's verification (and a decoy's), and the rehash of a password
    /// that just proved itself.
    case login
    /// A new account's hash: Register, CreateAdmin and the startup admin.
    case register
}
