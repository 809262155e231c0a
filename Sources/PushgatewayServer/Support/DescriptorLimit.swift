#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's file-descriptor limit, and how many connections fit under it.
///
/// Accepting until `accept` fails with EMFILE is not safe even with NIO's accept backoff: other code opens
/// descriptors lazily and treats a failure as fatal (libdispatch's worker-pool monitor opens
/// `/proc/self/task/<tid>/stat` and traps when it cannot, the SIGILL seen under `prlimit --nofile=1024`), and
/// the persistence file needs one too. So the gateway never holds more connections than the limit minus a
/// reserve; further clients wait in the kernel's listen backlog, which costs the process no descriptor.
enum DescriptorLimit {
    /// Descriptors kept free for everything but connections: listeners, persistence, logging, the runtime.
    static let reserve = 128

    /// The soft `RLIMIT_NOFILE`, or nil if it cannot be read or is unlimited.
    static var current: Int? {
        var limit = rlimit()
        #if canImport(Glibc)
            let result = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        #else
            let result = getrlimit(RLIMIT_NOFILE, &limit)
        #endif
        // RLIM_INFINITY is all ones, so it fails the second check too.
        guard result == 0, limit.rlim_cur < rlim_t(Int.max) else {
            return nil
        }
        return Int(limit.rlim_cur)
    }

    /// The connections one listener may hold: `requested` (nil for no limit), capped so that all `listeners`
    /// together stay `reserve` descriptors below `descriptorLimit`.
    static func connectionLimit(requested: Int?, listeners: Int, descriptorLimit: Int?) -> Int? {
        guard let descriptorLimit else { return requested }
        let fitting = max(1, (descriptorLimit - Self.reserve) / max(1, listeners))
        return min(requested ?? fitting, fitting)
    }
}
