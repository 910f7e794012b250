import ArgumentParser
import DstackBackend

/// Exit 0 iff the URL answers 200 within the timeout: the container's HEALTHCHECK, no curl needed.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 if /health answers 200 within the timeout (2s), 1 otherwise."
    )

    @Option(help: "The URL to check.")
    var url: String = "http://127.0.0.1:8080/health"

    @Option(help: "How long to wait for the answer: 5, 2.5, 500ms, 5s, 2m or 1h.")
    var timeout: String = "2s"

    func validate() throws {
        _ = try seconds()
    }

    private func seconds() throws -> Double {
        do {
            return try DurationOption.parse(timeout, option: "--timeout")
        } catch {
            throw ValidationError(error.withoutErrorPrefix)
        }
    }

    func run() throws {
        let limit = try seconds()
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: limit, totalTimeout: limit, maximumResponseBytes: 1 << 20))
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
