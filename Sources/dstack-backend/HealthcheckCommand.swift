import ArgumentParser
import DstackBackend
import FoundationEssentials

/// The container's HEALTHCHECK, no curl needed: liveness by default, availability with `--require-available`.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if /health answers BackendInfo (200 or 503) within --timeout.",
        usage: "dstack-backend healthcheck [--url <url>] [--listen-addr <address>]\n  [--timeout <duration>] [--require-available]",
        discussion: HelpText.paragraphs([
            "A registered backend whose VMM is briefly down answers 503 Unavailable and is still healthy, so "
                + "dephy-worker starts and reports the node Unavailable. --require-available exits 0 only on 200.",
            "Without --url it asks /health where the daemon listens: LISTEN_ADDR (or --listen-addr), read as "
                + "the daemon reads it, default 0.0.0.0:8080. 0.0.0.0 is asked at 127.0.0.1, [::] at [::1], any "
                + "other address as it is, and unix:/path through that socket. So a container started with "
                + "-e LISTEN_ADDR=0.0.0.0:9090 is checked on port 9090 with no change to its HEALTHCHECK.",
        ])
    )

    @Option(help: "The URL to check, instead of /health on LISTEN_ADDR (http or https only).")
    var url: String?

    @Option(name: .customLong(listenAddress.flag), help: ArgumentHelp(Self.listenAddressHelp))
    var listenAddr: String?

    // The parser shows no default for a transformed option: the help says it.
    @Option(help: "How long to wait for the answer: 5, 2.5, 500ms, 5s, 2m or 1h. (default: 2s)", transform: healthcheckTimeout)
    var timeout: Duration = .seconds(2)

    @Flag(help: "Exit 0 only if the URL answers 200 (GPUs Available), whatever the body.")
    var requireAvailable = false

    /// The `LISTEN_ADDR` row of the settings table: the flag, default and help `run` uses.
    static let listenAddress = Configuration.setting(named: "LISTEN_ADDR")!

    static var listenAddressHelp: String {
        "\(listenAddress.name) of the daemon to check when --url is not given (default \(listenAddress.defaultText))."
    }

    func run() throws {
        let target: HealthcheckTarget
        if let url {
            target = HealthcheckTarget(url: url)
        } else {
            do {
                target = HealthcheckTarget(
                    listenAddress: try Configuration.resolve(
                        environment: ProcessInfo.processInfo.environment,
                        flags: listenAddr.map { [Self.listenAddress.name: $0] } ?? [:], only: [Self.listenAddress.name]
                    ).listenAddress)
            } catch {
                for line in error.lines { printError(line) }
                throw ExitCode(ExitStatus.configuration)
            }
        }
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: timeout, totalTimeout: timeout, maximumResponseBytes: 1 << 20))
        let verdict: HealthcheckVerdict
        do {
            let response = try client.perform(
                HTTPClientRequest(method: .get, url: target.url, unixSocketPath: target.unixSocketPath))
            verdict = .judge(
                url: target.description, status: response.status, body: response.body, requireAvailable: requireAvailable)
        } catch {
            verdict = .unhealthy("\(error)")
        }
        print(verdict.message)
        if !verdict.isHealthy { throw ExitCode(1) }
    }
}

/// `--timeout` in the daemon's duration forms; `nan`, `inf`, `1e300` and 0 are refused here (exit 64),
/// never passed to libcurl as a timeout.
private func healthcheckTimeout(_ text: String) throws -> Duration {
    do {
        return try SettingParsers.duration(text)
    } catch {
        throw ValidationError("--timeout \(error)")
    }
}
