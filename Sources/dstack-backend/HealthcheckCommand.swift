import ArgumentParser
import DstackBackend

/// Exit 0 iff the URL answers 200 within 2 s: the container's HEALTHCHECK, no curl needed.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if /health answers 200 within 2 seconds, 1 otherwise."
    )

    @Option(help: "The URL to check.")
    var url: String = "http://127.0.0.1:8080/health"

    @Option(help: "How long to wait for the answer: 5, 2.5, 500ms, 5s, 2m or 1h.", transform: healthcheckTimeout)
    var timeout: Double = 2

    func run() throws {
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: timeout, totalTimeout: timeout, maximumResponseBytes: 1 << 20))
        do {
            let response = try client.get(url)
            guard response.status == 200 else {
                print("unhealthy: \(url) answered \(response.status)")
                throw ExitCode(1)
            }
            print("healthy: \(url) answered 200")
        } catch let error as HTTPClientError {
            print("unhealthy: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `--timeout` in the daemon's duration forms; `nan`, `inf`, `1e300` and 0 are refused here (exit 64),
/// never passed to libcurl as a timeout.
private func healthcheckTimeout(_ text: String) throws -> Double {
    do {
        return try DurationOption.parse(text, option: "--timeout")
    } catch {
        throw ValidationError(error.withoutErrorPrefix)
    }
}
