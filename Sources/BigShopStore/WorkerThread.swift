#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts detached POSIX threads owned by a ``Database``. Database work runs only on these
/// threads, never on Swift's cooperative pool or on an event loop.
enum WorkerThread {
    /// Boxes the thread body for the C entry point.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts a detached thread named `name` (truncated to 15 bytes) running `body`.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        let rc = spawnDetached(context)
        guard rc == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            throw StoreError.threadStartFailed(errno: rc)
        }
    }

    private static func spawnDetached(_ context: UnsafeMutableRawPointer) -> Int32 {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        return pthread_create(&thread, &attributes, threadEntry, context)
    }

    private static let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        guard let raw else { return nil }
        let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
        setCurrentThreadName(start.name)
        start.body()
        return nil
    }

    /// Names the calling thread (visible in `top -H`, `gdb`, crash reports) by writing
    /// `/proc/thread-self/comm`; Glibc's `pthread_setname_np` is not imported into Swift.
    /// Best effort: failures are ignored.
    private static func setCurrentThreadName(_ name: String) {
        #if os(Linux)
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #endif
    }
}
