#if canImport(Glibc)
    import Glibc
#endif

/// The process's limit on open descriptors.
enum DescriptorLimit {
    /// Raises the soft limit to the hard one (at most 2²⁰), for verbs that
    /// open a connection per simulated customer; the usual soft limit of
    /// 1,024 would stop a rehearsal of a thousand customers. Returns the
    /// limit in force afterwards, or nil where it cannot be read.
    @discardableResult
    static func raise() -> Int? {
        #if os(Linux)
            let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
            var limit = rlimit()
            guard getrlimit(resource, &limit) == 0 else { return nil }
            let target = min(limit.rlim_max, 1 << 20)
            if target > limit.rlim_cur {
                var raised = limit
                raised.rlim_cur = target
                if setrlimit(resource, &raised) == 0 { return Int(target) }
            }
            return Int(limit.rlim_cur)
        #else
            return nil
        #endif
    }
}
