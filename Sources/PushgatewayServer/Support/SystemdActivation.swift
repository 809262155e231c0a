#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Socket activation as systemd does it (`sd_listen_fds(3)`): the listening sockets start at descriptor 3,
/// `LISTEN_FDS` says how many, and `LISTEN_PID` names the process they are meant for.
enum SystemdActivation {
    /// The first passed descriptor (`SD_LISTEN_FDS_START`).
    static let firstDescriptor: Int32 = 3

    /// The descriptors the environment passes to the process `pid`; none when `LISTEN_PID` names another
    /// process (the variables were inherited) or either variable is missing or malformed.
    static func descriptors(environment: (String) -> String?, pid: Int32) -> [Int32] {
        guard let listenPID = environment("LISTEN_PID").flatMap({ Int32($0) }), listenPID == pid,
            let count = environment("LISTEN_FDS").flatMap({ Int32($0) }), count > 0, count < 1 << 16
        else {
            return []
        }
        return Array(Self.firstDescriptor..<(Self.firstDescriptor + count))
    }

    /// The descriptors passed to this process. Like go-systemd's `activation.Listeners`, it removes the
    /// variables (so programs started later do not take the sockets for theirs) and marks the descriptors
    /// close-on-exec.
    static func takeDescriptors() -> [Int32] {
        let descriptors = Self.descriptors(environment: { getenv($0).map { String(cString: $0) } }, pid: getpid())
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        return descriptors
    }
}
