#if canImport(Glibc)
import Glibc
#endif

/// The `ip_address` in `/health`: the IPv4 address of the interface holding the default route.
///
/// Read from `/proc/net/route` and `getifaddrs`, sending no packets. Inside a container that is the bridge
/// address, hence `ADVERTISE_IP`; nil (JSON `null`) when there is no default route. A lookup that could
/// not run (out of file descriptors, for one) is `Lookup.failed`, never "no default route".
public enum AdvertisedAddress {
    public static let defaultRouteTable = "/proc/net/route"

    /// What one lookup found.
    enum Lookup: Sendable, Equatable {
        /// The address, or nil when there is no default route or its interface has no IPv4 address.
        case found(String?)
        /// The lookup itself failed (the reason says why); it says nothing about the route.
        case failed(reason: String)
    }

    /// Where `ip_address` comes from.
    ///
    /// `.defaultRoute` is resolved at start-up and again on every poll, off the request path: reading a
    /// small proc file and `getifaddrs` costs microseconds every few seconds, and a DHCP lease change then
    /// shows in `/health` within one poll interval.
    public enum Source: Sendable, Equatable {
        /// A fixed address (`ADVERTISE_IP`, validated by the configuration), or nil for always `null`.
        case fixed(String?)
        /// The default-route interface's IPv4 address, from `routeTable` (injectable for tests).
        case defaultRoute(routeTable: String = AdvertisedAddress.defaultRouteTable)

        /// `ADVERTISE_IP` when set, the default route otherwise.
        static func configured(advertiseIP: String?) -> Source {
            advertiseIP.map { .fixed($0) } ?? .defaultRoute()
        }

        /// The address now, nil when there is none or the lookup failed (see `lookup()` to tell which).
        func resolve() -> String? {
            if case .found(let address) = lookup() { return address }
            return nil
        }

        /// The address now, or why it could not be looked up.
        func lookup() -> Lookup {
            switch self {
            case .fixed(let address): .found(address)
            case .defaultRoute(let routeTable): AdvertisedAddress.lookup(routeTable: routeTable)
            }
        }
    }

    /// The IPv4 address of the default-route interface named in `path`, or why it could not be read.
    ///
    /// A missing route table means no routes (`.found(nil)`); any other failure to read it, or of
    /// `getifaddrs`, is `.failed`.
    static func lookup(routeTable path: String = defaultRouteTable) -> Lookup {
        let table: String
        switch SmallFile.read(path, limit: 1 << 20) {
        case .success(let text): table = text
        case .failure(let error) where error.errno == ENOENT: return .found(nil)
        case .failure(let error): return .failed(reason: FileDescriptors.describe(error, subject: path))
        }
        guard let interface = defaultRouteInterface(table) else { return .found(nil) }
        switch ipv4Address(of: interface) {
        case .success(let address): return .found(address)
        case .failure(let error): return .failed(reason: FileDescriptors.describe(error, subject: "of the interfaces"))
        }
    }

    /// The interface of the default route (destination 00000000, mask 00000000) with the lowest metric.
    static func defaultRouteInterface(_ table: String) -> String? {
        var best: (name: String, metric: Int)?
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, fields[1] == "00000000", fields[7] == "00000000" else { continue }
            guard let flags = Int(fields[3], radix: 16), flags & 0x1 != 0 else { continue }  // RTF_UP
            let metric = Int(fields[6]) ?? Int.max
            if best == nil || metric < best!.metric { best = (String(fields[0]), metric) }
        }
        return best?.name
    }

    static func ipv4Address(of interface: String) -> Result<String?, SystemError> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return .failure(SystemError(call: "getifaddrs", errno: errno)) }
        guard let first = list else { return .success(nil) }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                String(cString: entry.pointee.ifa_name) == interface
            else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let ok = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { inet in
                var raw = inet.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil
            }
            if ok {
                return .success(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return .success(nil)
    }
}
