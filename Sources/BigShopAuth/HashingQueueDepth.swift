/// The password hashing queue at one moment, for metrics and tests.
public struct HashingQueueDepth: Hashable, Sendable, CustomStringConvertible {
    /// Login-class jobs waiting for a thread.
    public var login: Int
    /// Register-class jobs waiting for a thread.
    public var register: Int
    /// Jobs running on the hashing threads.
    public var running: Int

    public init(login: Int, register: Int, running: Int) {
        self.login = login
        self.register = register
        self.running = running
    }

    /// Jobs waiting, both classes together.
    public var waiting: Int { login + register }

    public var description: String {
        "login \(login), register \(register) waiting; \(running) running"
    }
}
