#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Timestamp {
    /// The wall clock (`CLOCK_REALTIME`) as a protobuf timestamp.
    public static func now() -> Timestamp {
        // Read here, in a module without NIO: where CNIOLinux is also visible, `timespec` may be owned by it
        // and its members unreachable under MemberImportVisibility.
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanos: Int32(spec.tv_nsec))
    }
}
