import DedicatedThread
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process for tests: `bigshop`, `bigprobe`, `openssl` and the
/// other executables the suites run as a user would.
///
/// Spawned with `posix_spawn`, not Foundation's `Process`. That one spots a
/// child's exit through a socket pair the child inherits without
/// close-on-exec, so a second child spawned at the same moment from another
/// test can inherit the first child's end and hide its exit for as long as it
/// lives: a suite running many processes in parallel then waits forever (CI
/// did). Here every descriptor the parent makes is close-on-exec, the child
/// closes everything above 2 before it runs, and the exit is reaped by
/// `waitpid` on the child's own pid, on a thread of its own.
public final class ChildProcess: Sendable {
    /// Where the child's standard output or error goes.
    public enum Output: Sendable {
        /// `/dev/null`.
        case discard
        /// A pipe read by this process: see ``standardOutput()``/``standardError()``.
        case capture
        /// Appended to the file at this path (created if missing).
        case appendToFile(String)
    }

    /// How a child ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        /// It called `exit` with this status.
        case exited(Int32)
        /// A signal killed it.
        case signalled(Int32)

        /// The exit status, or 128 + the signal, as a shell reports it.
        public var code: Int32 {
            switch self {
            case .exited(let status): status
            case .signalled(let signal): 128 + signal
            }
        }

        public var description: String {
            switch self {
            case .exited(let status): "exited with \(status)"
            case .signalled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// The child's process id.
    public let processIdentifier: pid_t
    private let exit: ExitState
    private let output: CapturedStream?
    private let errors: CapturedStream?

    /// Starts `executable` with `arguments`. `input` is written to its
    /// standard input, which is then closed; `environment` nil inherits this
    /// process's.
    public init(
        executable: String,
        arguments: [String],
        environment: [String: String]? = nil,
        input: [UInt8] = [],
        standardOutput: Output = .discard,
        standardError: Output = .discard
    ) throws {
        _ = Self.ignoreBrokenPipes
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        let stdinPipe = try Pipe()
        posix_spawn_file_actions_adddup2(&actions, stdinPipe.readEnd, 0)
        var outputPipe: Pipe?
        var errorPipe: Pipe?
        for (target, choice) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch choice {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .appendToFile(let path):
                posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            case .capture:
                let pipe = try Pipe()
                posix_spawn_file_actions_adddup2(&actions, pipe.writeEnd, target)
                if target == 1 { outputPipe = pipe } else { errorPipe = pipe }
            }
        }
        // Descriptors of this process that are not close-on-exec (Foundation
        // opens some without) stay out of the child.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            environmentStrings?.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status: Int32 =
            if let environmentStrings {
                posix_spawn(&pid, executable, &actions, nil, argv, environmentStrings)
            } else {
                posix_spawn(&pid, executable, &actions, nil, argv, environ)
            }
        // The child has its copies; the parent keeps only its own ends.
        close(stdinPipe.readEnd)
        if let outputPipe { close(outputPipe.writeEnd) }
        if let errorPipe { close(errorPipe.writeEnd) }
        guard status == 0 else {
            close(stdinPipe.writeEnd)
            if let outputPipe { close(outputPipe.readEnd) }
            if let errorPipe { close(errorPipe.readEnd) }
            throw ChildProcessError("posix_spawn \(executable) failed: \(String(cString: strerror(status)))")
        }

        processIdentifier = pid
        let exit = ExitState()
        self.exit = exit
        output = outputPipe.map { CapturedStream(descriptor: $0.readEnd, exit: exit) }
        errors = errorPipe.map { CapturedStream(descriptor: $0.readEnd, exit: exit) }
        Self.writeAndClose(input, to: stdinPipe.writeEnd)
        Self.reap(pid, into: exit)
    }

    deinit {
        // Never leave a child behind a test that forgot it.
        if exit.termination == nil { kill(processIdentifier, SIGKILL) }
    }

    /// How it ended; nil while it runs.
    public var termination: Termination? { exit.termination }

    /// Whether it has not ended yet.
    public var isRunning: Bool { exit.termination == nil }

    /// Sends `signal` unless it has ended.
    public func send(_ signal: Int32) {
        if exit.termination == nil { kill(processIdentifier, signal) }
    }

    /// Waits until it ends.
    public func wait() async -> Termination {
        await exit.wait()
    }

    /// Waits until it ends, at most `timeout`; then SIGKILLs it and waits for that.
    public func wait(killingAfter timeout: Duration) async -> Termination {
        let watchdog = Task { [processIdentifier, exit] in
            try await Task.sleep(for: timeout)
            if exit.termination == nil { kill(processIdentifier, SIGKILL) }
        }
        defer { watchdog.cancel() }
        return await exit.wait()
    }

    /// Everything it wrote to a captured standard output, once that is closed
    /// (or shortly after the child ended, should a grandchild keep it open).
    public func standardOutput() async -> [UInt8] {
        await output?.bytes() ?? []
    }

    /// Everything it wrote to a captured standard error.
    public func standardError() async -> [UInt8] {
        await errors?.bytes() ?? []
    }

    /// A child that exits before reading its input must not take the tests
    /// down with SIGPIPE: the write fails with EPIPE instead.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), which the
    /// Glibc module does not import.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    private static func writeAndClose(_ bytes: [UInt8], to descriptor: Int32) {
        // On a thread of its own: a child that reads slowly must not hold a
        // thread of the cooperative pool.
        onOwnThread("child-stdin") {
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }
                offset += written
            }
            close(descriptor)
        }
    }

    private static func reap(_ pid: pid_t, into exit: ExitState) {
        onOwnThread("child-reaper") {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 {
                guard errno == EINTR else {
                    exit.record(.exited(-1))
                    return
                }
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
            let signal = status & 0x7f
            exit.record(signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal))
        }
    }
}

/// Thrown when a child cannot be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// A pipe whose both ends are close-on-exec.
private struct Pipe {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var descriptors: [Int32] = [0, 0]
        // pipe2(O_CLOEXEC) is not imported; the children close every
        // descriptor above 2 anyway, so the moment between these calls is harmless.
        guard pipe(&descriptors) == 0 else {
            throw ChildProcessError("pipe failed: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        readEnd = descriptors[0]
        writeEnd = descriptors[1]
    }
}

/// A child's end, once known, and the tasks waiting for it.
private final class ExitState: Sendable {
    private struct State {
        var termination: ChildProcess.Termination?
        var waiters: [CheckedContinuation<ChildProcess.Termination, Never>] = []
    }

    private let state = Mutex(State())

    var termination: ChildProcess.Termination? { state.withLock { $0.termination } }

    func record(_ termination: ChildProcess.Termination) {
        let waiters = state.withLock { state in
            state.termination = termination
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: termination) }
    }

    func wait() async -> ChildProcess.Termination {
        await withCheckedContinuation { continuation in
            let ended: ChildProcess.Termination? = state.withLock { state in
                if let termination = state.termination { return termination }
                state.waiters.append(continuation)
                return nil
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }
}

/// A captured standard output or error, read to its end on a thread of its own.
private final class CapturedStream: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var finished = false
        var waiters: [CheckedContinuation<[UInt8], Never>] = []
    }

    private let state = Mutex(State())

    init(descriptor: Int32, exit: ExitState) {
        onOwnThread("child-output") { [self] in
            var collected: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var quietSinceExit = 0
            while true {
                // Polls so that a grandchild holding the pipe open cannot keep
                // this reading for ever: 2 s of silence after the child ended
                // is the end.
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 100)
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 {
                    if exit.termination != nil {
                        quietSinceExit += 1
                        if quietSinceExit >= 20 { break }
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                collected += buffer[..<count]
            }
            close(descriptor)
            finish(collected)
        }
    }

    private func finish(_ bytes: [UInt8]) {
        let waiters = state.withLock { state in
            state.bytes = bytes
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: bytes) }
    }

    func bytes() async -> [UInt8] {
        await withCheckedContinuation { continuation in
            let done: [UInt8]? = state.withLock { state in
                if state.finished { return state.bytes }
                state.waiters.append(continuation)
                return nil
            }
            if let done { continuation.resume(returning: done) }
        }
    }
}

/// Runs `body` on a thread of its own, or on Dispatch's pool (which grows
/// for blocking work) if no thread can be started.
private func onOwnThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
    if DedicatedThread.start(name: name, body) != 0 { DispatchQueue.global().async(execute: body) }
}
