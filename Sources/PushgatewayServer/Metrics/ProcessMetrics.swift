import PushgatewayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// client_golang's process collector (prometheus/process_collector_procfs.go): the same families, names and help
// texts, read from /proc/self on every scrape. A file that cannot be read leaves its families out, as the Go
// collector does when procfs fails (it reports the error only if asked to).

/// The `process_*` families.
enum ProcessMetrics {
    /// Every family this collector may expose, with its type and help.
    static let ownFamilies: [(name: String, type: MetricType, help: String)] = [
        ("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds."),
        ("process_open_fds", .gauge, "Number of open file descriptors."),
        ("process_max_fds", .gauge, "Maximum number of open file descriptors."),
        ("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes."),
        ("process_virtual_memory_max_bytes", .gauge, "Maximum amount of virtual memory available in bytes."),
        ("process_resident_memory_bytes", .gauge, "Resident memory size in bytes."),
        ("process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds."),
        ("process_network_receive_bytes_total", .counter, "Number of bytes received by the process over the network."),
        ("process_network_transmit_bytes_total", .counter, "Number of bytes sent by the process over the network."),
    ]

    /// Reads the process figures now.
    static func families() -> [MetricFamily] {
        var values: [String: Double] = [:]
        if let stat = self.readFile("/proc/self/stat"), let fields = self.statFields(stat), fields.count > 21 {
            let ticks = Double(max(sysconf(Int32(_SC_CLK_TCK)), 1))
            if let user = Double(fields[11]), let system = Double(fields[12]) {
                values["process_cpu_seconds_total"] = (user + system) / ticks
            }
            if let virtual = Double(fields[20]) {
                values["process_virtual_memory_bytes"] = virtual
            }
            if let pages = Double(fields[21]) {
                values["process_resident_memory_bytes"] = pages * Double(sysconf(Int32(_SC_PAGESIZE)))
            }
            if let start = Double(fields[19]), let boot = self.bootTime() {
                values["process_start_time_seconds"] = boot + start / ticks
            }
        }
        if let open = self.openFileDescriptors() {
            values["process_open_fds"] = Double(open)
        }
        if let files = self.softLimit(RLIMIT_NOFILE) {
            values["process_max_fds"] = files
        }
        if let addressSpace = self.softLimit(RLIMIT_AS) {
            values["process_virtual_memory_max_bytes"] = addressSpace
        }
        if let (received, sent) = self.networkOctets() {
            values["process_network_receive_bytes_total"] = received
            values["process_network_transmit_bytes_total"] = sent
        }
        return self.ownFamilies.compactMap { family in
            guard let value = values[family.name] else { return nil }
            let metricValue: MetricValue = family.type == .counter ? .counter(Counter(value: value)) : .gauge(value)
            return MetricFamily(name: family.name, help: family.help, type: family.type, metrics: [Metric(value: metricValue)])
        }
    }

    /// The fields of `/proc/self/stat` after the command name (which may contain spaces and parentheses):
    /// index 0 is the state (field 3 of proc(5)).
    private static func statFields(_ stat: [UInt8]) -> [Substring]? {
        guard let close = stat.lastIndex(of: 0x29) else { return nil }
        return String(decoding: stat[(close + 1)...], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
    }

    /// `btime` of `/proc/stat`: the boot time in seconds since the epoch.
    private static func bootTime() -> Double? {
        guard let stat = self.readFile("/proc/stat") else { return nil }
        for line in String(decoding: stat, as: UTF8.self).split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingPrefix(" "))
        }
        return nil
    }

    /// The entries of `/proc/self/fd`.
    private static func openFileDescriptors() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDotEntry = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name.first == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0))
            }
            if !isDotEntry {
                count += 1
            }
        }
        // The directory stream itself holds a descriptor while counting; the Go collector counts it too.
        return count
    }

    /// The soft limit of a resource; unlimited reads as Go's `math.MaxUint64` converted to a float.
    #if canImport(Glibc)
        private static func softLimit(_ resource: __rlimit_resource) -> Double? {
            var limit = rlimit()
            guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0 else { return nil }
            return Double(limit.rlim_cur)
        }
    #else
        private static func softLimit(_ resource: Int32) -> Double? {
            var limit = rlimit()
            guard getrlimit(resource, &limit) == 0 else { return nil }
            return Double(limit.rlim_cur)
        }
    #endif

    /// `InOctets` and `OutOctets` of the `IpExt` lines of `/proc/self/net/netstat`.
    private static func networkOctets() -> (received: Double, sent: Double)? {
        guard let netstat = self.readFile("/proc/self/net/netstat") else { return nil }
        let lines = String(decoding: netstat, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("IpExt:") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        guard let inIndex = names.firstIndex(of: "InOctets"), let outIndex = names.firstIndex(of: "OutOctets"),
            inIndex < values.count, outIndex < values.count,
            let received = Double(values[inIndex]), let sent = Double(values[outIndex])
        else { return nil }
        return (received, sent)
    }

    /// The whole content of a (small, virtual) file, or `nil` if it cannot be read.
    static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR {
                    continue
                }
                return nil
            }
            if count == 0 {
                return content
            }
            content.append(contentsOf: chunk[..<count])
        }
    }
}
