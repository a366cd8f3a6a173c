#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many connections the process's file descriptor limit leaves room for.
///
/// Every connection is a descriptor; so are the listener, the event loops'
/// epoll and wake-up descriptors, database files and logs. A connection cap
/// at the limit itself would let a flood of connections starve those (an
/// `accept` or `open` failing with EMFILE), so part of the limit is kept
/// back: a quarter of it, at least 64 and at most 1,024 descriptors.
enum DescriptorLimit {
    /// The soft `RLIMIT_NOFILE`, or nil when unlimited or unknown.
    static func current() -> Int? {
        var limit = rlimit()
        #if os(Linux)
            let result = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
            let result = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        guard result == 0, limit.rlim_cur != rlim_t.max, limit.rlim_cur <= rlim_t(Int.max) else { return nil }
        return Int(limit.rlim_cur)
    }

    /// Descriptors kept back from connections under a limit of `limit`.
    static func reserve(for limit: Int) -> Int {
        min(1024, max(64, limit / 4))
    }

    /// The connection cap: `configured`, but no more than the descriptor
    /// limit less its reserve (and never below 1).
    static func connectionCap(configured: Int, descriptorLimit: Int?) -> Int {
        guard let descriptorLimit else { return max(1, configured) }
        return max(1, min(configured, descriptorLimit - reserve(for: descriptorLimit)))
    }
}
