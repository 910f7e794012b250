#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` families every Prometheus client library exports, read from `/proc/self`.
///
/// One scrape reads `/proc/self/stat`, `/proc/stat` (boot time, read once) and lists `/proc/self/fd`:
/// a few microseconds. A value that cannot be read (no `/proc`, or no descriptor left to open it) is left
/// out rather than reported as 0, so an alert on it does not fire on a guess.
struct ProcessMetrics: Sendable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFDs: Double?
    var maxFDs: Double?
    var startTimeSeconds: Double?

    /// The values of the running process.
    static func current() -> ProcessMetrics {
        var values = ProcessMetrics()
        if let text = try? SmallFile.read("/proc/self/stat").get(), let stat = ProcSelfStat(parsing: text) {
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            if ticks > 0 {
                values.cpuSeconds = Double(stat.userTicks + stat.systemTicks) / ticks
                if let boot = bootTime {
                    values.startTimeSeconds = boot + Double(stat.startTicks) / ticks
                }
            }
            if pageSize > 0 { values.residentBytes = Double(stat.residentPages) * pageSize }
            values.virtualBytes = Double(stat.virtualBytes)
        }
        values.openFDs = openDescriptorCount().map(Double.init)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            values.maxFDs = limit.rlim_cur == rlim_t.max ? .infinity : Double(limit.rlim_cur)
        }
        return values
    }

    /// Writes the families whose value is known.
    func write(to out: inout PrometheusText) {
        func gauge(_ name: String, _ kind: PrometheusText.Kind, _ help: String, _ value: Double?) {
            guard let value else { return }
            out.family(name, kind, help: help)
            out.sample(name, [], value)
        }
        gauge("process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.", cpuSeconds)
        gauge("process_resident_memory_bytes", .gauge, "Resident memory size in bytes.", residentBytes)
        gauge("process_virtual_memory_bytes", .gauge, "Virtual memory size in bytes.", virtualBytes)
        gauge("process_open_fds", .gauge, "Number of open file descriptors.", openFDs)
        gauge("process_max_fds", .gauge, "Maximum number of open file descriptors.", maxFDs)
        gauge(
            "process_start_time_seconds", .gauge, "Start time of the process since unix epoch in seconds.",
            startTimeSeconds)
    }

    /// The kernel's boot time (`btime` of `/proc/stat`), Unix seconds; read once, it does not change.
    static let bootTime: Double? = (try? SmallFile.read("/proc/stat").get()).flatMap(parseBootTime)

    static func parseBootTime(_ text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingASCIIWhitespace())
        }
        return nil
    }

    /// Entries of `/proc/self/fd`, less the one the listing itself holds open; nil if it cannot be listed.
    static func openDescriptorCount() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let first = withUnsafeBytes(of: entry.pointee.d_name) { $0.first ?? 0 }
            if first != UInt8(ascii: ".") { count += 1 }
        }
        return max(0, count - 1)
    }
}

/// The fields of `/proc/self/stat` the process families need (see proc(5)).
struct ProcSelfStat: Equatable {
    var userTicks: UInt64
    var systemTicks: UInt64
    var startTicks: UInt64
    var virtualBytes: UInt64
    var residentPages: UInt64
}

extension ProcSelfStat {
    /// Parses the line; the command name (field 2) may hold spaces and parentheses, so fields are
    /// counted from after its last `)`.
    init?(parsing text: String) {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state): field n is fields[n - 3].
        func field(_ n: Int) -> UInt64? {
            let index = n - 3
            guard index < fields.count else { return nil }
            return UInt64(fields[index].trimmingASCIIWhitespace())
        }
        guard let utime = field(14), let stime = field(15), let start = field(22), let vsize = field(23),
            let rss = field(24)
        else { return nil }
        self.init(userTicks: utime, systemTicks: stime, startTicks: start, virtualBytes: vsize, residentPages: rss)
    }
}
