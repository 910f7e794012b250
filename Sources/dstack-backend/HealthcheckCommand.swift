import ArgumentParser
import DstackBackend

/// The container's HEALTHCHECK, no curl needed: liveness by default, availability with `--require-available`.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if /health answers BackendInfo (200 or 503) within --timeout.",
        usage: "dstack-backend healthcheck [--url <url>] [--timeout <duration>]\n  [--require-available]",
        discussion: HelpText.paragraphs([
            "A registered backend whose VMM is briefly down answers 503 Unavailable and is still healthy, so "
                + "dephy-worker starts and reports the node Unavailable. --require-available exits 0 only on 200."
        ])
    )

    @Option(help: "The URL to check.")
    var url: String = "http://127.0.0.1:8080/health"

    // The parser shows no default for a transformed option: the help says it.
    @Option(help: "How long to wait for the answer: 5, 2.5, 500ms, 5s, 2m or 1h. (default: 2s)", transform: healthcheckTimeout)
    var timeout: Duration = .seconds(2)

    @Flag(help: "Exit 0 only if the URL answers 200 (GPUs Available), whatever the body.")
    var requireAvailable = false

    func run() throws {
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: timeout, totalTimeout: timeout, maximumResponseBytes: 1 << 20))
        let verdict: HealthcheckVerdict
        do {
            let response = try client.get(url)
            verdict = .judge(url: url, status: response.status, body: response.body, requireAvailable: requireAvailable)
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
        return try DurationOption.parse(text, option: "--timeout")
    } catch {
        throw ValidationError(error.withoutErrorPrefix)
    }
}
