#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Detached POSIX threads for work that must run neither on Swift's
/// cooperative pool nor on an event loop: blocking SQLite calls, deliberately
/// slow password hashing.
public enum DedicatedThread {
    /// Starts a detached thread named `name` (its first 15 bytes, visible in
    /// `top -H` and `gdb`) running `body`.
    ///
    /// - Returns: 0, or the error number `pthread_create` failed with (the
    ///   thread did not start and `body` was released).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) -> Int32 {
        let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        #if canImport(Glibc)
            var thread = pthread_t()
        #else
            var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, &attributes, threadEntry, context)
        if result != 0 { Unmanaged<Start>.fromOpaque(context).release() }
        return result
    }

    /// Boxes a thread's name and body for the C entry point.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    private static let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        guard let raw else { return nil }
        let start = Unmanaged<Start>.fromOpaque(raw).takeRetainedValue()
        nameCurrentThread(start.name)
        start.body()
        return nil
    }

    /// Names the calling thread, best effort. On Linux by writing
    /// `/proc/thread-self/comm`: Glibc's `pthread_setname_np` is not imported
    /// into Swift.
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            guard fd >= 0 else { return }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            _ = close(fd)
        #elseif canImport(Darwin)
            _ = pthread_setname_np(name)
        #endif
    }
}
