import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide settings `bigshop serve` makes before it serves: they belong
/// to the executable, not to the libraries it is built from.
enum ProcessLimits {
    /// Raises the soft limit on open descriptors to the hard limit. Each
    /// connection is a descriptor and the default soft limit is often 1,024,
    /// which a flood of idle connections exhausts; the server's connection
    /// cap (`--max-connections`) is then lowered to what the raised limit
    /// leaves room for, and logged when it starts listening.
    static func raiseDescriptorLimit(logger: Logger) {
        #if os(Linux)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
            var limit = rlimit()
            guard getrlimit(resource, &limit) == 0 else { return }
            let before = limit.rlim_cur
            // An unlimited hard limit cannot be the soft one (the kernel caps it
            // at fs.nr_open); a million is far past any connection cap.
            let target = min(limit.rlim_max, 1 << 20)
            guard target > before else { return }
            limit.rlim_cur = target
            if setrlimit(resource, &limit) == 0 {
                logger.info("raised the open file limit", metadata: ["from": "\(before)", "to": "\(target)"])
            } else {
                logger.warning("could not raise the open file limit", metadata: ["limit": "\(before)", "errno": "\(errno)"])
            }
        #endif
    }

    /// Makes glibc's malloc give freed memory back to the system.
    ///
    /// By default glibc serves a large allocation with `mmap` and returns it
    /// to the system when freed, but raises that threshold (up to 32 MiB)
    /// each time such a block is freed, so after one burst of large request
    /// messages the next ones come from the heap, where freed memory stays
    /// in the process: after an attack of 300 unfinished 4 MiB requests the
    /// server stayed at ~1.2 GB. Fixing the threshold at 128 KiB keeps every
    /// large buffer (request messages, frame buffers) in its own mapping,
    /// returned as soon as it is freed; small allocations are unaffected.
    /// A periodic `malloc_trim` returns the free pages left inside the heaps.
    ///
    /// `BIGSHOP_MALLOC_DEFAULTS=1` leaves glibc's defaults (for comparison).
    static func returnFreedMemoryToTheSystem(logger: Logger) {
        #if os(Linux) && canImport(Glibc)
            guard getenv("BIGSHOP_MALLOC_DEFAULTS") == nil else { return }
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            // mallopt is in <malloc.h>, which the Glibc module does not import.
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
            let M_MMAP_THRESHOLD: Int32 = -3
            if mallopt(M_MMAP_THRESHOLD, 128 * 1024) != 1 {
                logger.warning("could not set malloc's mmap threshold")
            }
        #endif
    }
}
