import Foundation
import Testing
@testable import DstackBackend

@Suite struct AdvertisedAddressTests {
    static let table = """
        Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
        eth1\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
        eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
        docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
        down0\t00000000\t0100000A\t0002\t0\t0\t1\t00000000\t0\t0\t0
        """

    @Test func picksTheUpDefaultRouteWithTheLowestMetric() {
        #expect(AdvertisedAddress.defaultRouteInterface(Self.table) == "eth0")
    }

    @Test func noDefaultRouteMeansNoAddress() {
        #expect(AdvertisedAddress.defaultRouteInterface("Iface\tDestination\nlo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF") == nil)
        #expect(AdvertisedAddress.lookup(routeTable: "/nonexistent/route") == .found(nil))
    }

    static func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(name)").path
    }

    /// A kernel-shaped table (tabs, space padding): down routes, a 0.0.0.0/1 VPN route and a costlier
    /// default are all passed over for the up default route with the lowest metric, here via `lo`.
    @Test func discoversTheAddressOfTheDefaultRouteInterfaceFromARouteFile() throws {
        let path = try Self.fixture("proc-net-route.txt")
        let table = try String(contentsOfFile: path, encoding: .utf8)
        #expect(AdvertisedAddress.defaultRouteInterface(table) == "lo")
        #expect(AdvertisedAddress.lookup(routeTable: path) == .found("127.0.0.1"))
        #expect(AdvertisedAddress.Source.defaultRoute(routeTable: path).resolve() == "127.0.0.1")
    }

    @Test func aDefaultRouteInterfaceWithoutIPv4MeansNoAddress() throws {
        let path = try Self.fixture("proc-net-route-no-ipv4.txt")
        #expect(AdvertisedAddress.defaultRouteInterface(try String(contentsOfFile: path, encoding: .utf8)) == "nosuch0")
        #expect(AdvertisedAddress.lookup(routeTable: path) == .found(nil))
    }

    @Test func advertiseIPWinsOverTheDefaultRoute() {
        #expect(AdvertisedAddress.Source.configured(advertiseIP: "203.0.113.7").resolve() == "203.0.113.7")
        #expect(AdvertisedAddress.Source.configured(advertiseIP: nil) == .defaultRoute())
    }
}
