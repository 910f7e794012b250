// Test helper, not shipped: runs the daemon's VMM poller in a process that then uses up every file
// descriptor, and prints what /health would serve. The tests run it as a child process so that lowering
// RLIMIT_NOFILE and exhausting it never touches the shared test process.
//
// Usage: DescriptorExhaustionProbe <DSTACK_URL> <route table file> <descriptor limit>
// Prints one JSON object per line on stdout: {"step":..., "status":..., "body":...}; logs go to stderr.
import DstackBackend

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    Output.write(2, "DescriptorExhaustionProbe: \(message)\n")
    exit(2)
}

enum Output {
    static func write(_ fd: Int32, _ text: String) {
        var line = text
        line.withUTF8 { buffer in _ = Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let limit = rlim_t(arguments[3]) else {
    fail("usage: DescriptorExhaustionProbe <DSTACK_URL> <route table file> <descriptor limit>")
}
var current = rlimit()
do {
    try retryingEINTR("getrlimit") { getrlimit(Int32(RLIMIT_NOFILE.rawValue), &current) }
} catch {
    fail("\(error)")
}
var lowered = rlimit(rlim_cur: min(limit, current.rlim_max), rlim_max: current.rlim_max)
do {
    try retryingEINTR("setrlimit") { setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered) }
} catch {
    fail("\(error)")
}

let endpoint: DstackEndpoint
do {
    endpoint = try DstackEndpoint.parse(arguments[1])
} catch {
    fail("bad DSTACK_URL: Error: DSTACK_URL \(error)")
}
let logger = Logger(level: .debug, sink: StandardErrorSink(format: .text))
let http = HTTPClient(configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), totalTimeout: .seconds(5)))
let publisher = HealthPublisher(
    pubkey: String(repeating: "ab", count: 32), address: .defaultRoute(routeTable: arguments[2]), pollInterval: .seconds(5))
let poller = DstackPoller(
    client: DstackClient(endpoint: endpoint, token: nil, http: http), interval: .seconds(5), publisher: publisher, logger: logger)

func report(_ step: String) {
    let response = publisher.current()
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("step")
    writer.string(step)
    writer.key("status")
    writer.integer(response.status)
    writer.key("body")
    writer.string(String(decoding: response.body, as: UTF8.self))
    writer.endObject()
    Output.write(1, writer.text + "\n")
}

poller.pollOnce()
report("before")

// Use up every descriptor the limit leaves.
var held: [Int32] = []
while true {
    do {
        held.append(try retryingEINTR("open /dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) })
    } catch {
        guard FileDescriptors.isExhaustion(error.errno) else { fail("\(error)") }
        break
    }
    if held.count > 1 << 20 { fail("the descriptor limit did not apply") }
}
poller.pollOnce()
report("exhausted")
poller.pollOnce()
report("exhausted-again")

for fd in held { close(fd) }
poller.pollOnce()
report("after")
