@testable import DstackBackend
@testable import DstackSimulator
import DstackTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The command line as an operator meets it: durations, the demo's address, `pubkey`'s warning, help.
@Suite(.serialized) struct OperatorCLITests {
    /// Runs the binary (in `currentDirectory` if given) with stdout and stderr apart; nil status if it did not
    /// exit within `timeout`.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Double = 20, executable: String? = nil,
        currentDirectory: String? = nil
    ) throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? BackendProcess.executablePath)
        process.arguments = executable == nil ? arguments : Array(arguments.dropFirst())
        process.currentDirectoryURL = currentDirectory.map { URL(fileURLWithPath: $0) }
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DSTACK") && $0.key != "LISTEN_ADDR" && $0.key != "DATA_DIR" }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Small outputs: read after exit (both fit in the pipe buffers).
        if !eventually(within: timeout, { !process.isRunning }) {
            process.terminate()
            process.waitUntilExit()
            return (nil, "", "")
        }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }

    @Test(arguments: ["nan", "inf", "-inf", "1e300", "0", "-1", "abc", "9999999h"])
    func healthcheckRefusesATimeoutThatIsNotADuration(timeout: String) throws {
        let result = try Self.run(["healthcheck", "--timeout=\(timeout)", "--url", "http://127.0.0.1:1/health"])
        #expect(result.status == 64, "exit \(String(describing: result.status)): \(result.stderr)")
        #expect(result.stderr.contains("--timeout \"\(timeout)\""), "stderr: \(result.stderr)")
    }

    @Test(arguments: ["500ms", "2", "1.5s", "1m"])
    func healthcheckAcceptsEveryDurationForm(timeout: String) throws {
        let simulator = try Simulator()
        defer { simulator.stop() }
        // Not /health: --require-available's plain "200 or not" (liveness would want BackendInfo).
        let result = try Self.run(
            ["healthcheck", "--require-available", "--timeout", timeout, "--url", simulator.vmmURL + "/prpc/ListGpus?json"])
        #expect(result.status == 0, "stdout: \(result.stdout) stderr: \(result.stderr)")
    }

    @Test func demoRefusesAPollIntervalThatIsNotADuration() throws {
        let result = try Self.run(["demo", "--poll-interval", "nan"])
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--poll-interval \"nan\" is not a duration"), "stderr: \(result.stderr)")
    }

    @Test func demoServesOnLISTEN_ADDRFromTheEnvironment() throws {
        let port = freePort()
        let demo = try BackendProcess(arguments: ["demo"], environment: ["LISTEN_ADDR": "127.0.0.1:\(port)"])
        #expect(demo.waitForOutput("dstack-backend demo is running", timeout: 20), "output: \(demo.log)")
        #expect(demo.log.contains("http://127.0.0.1:\(port)"), "output: \(demo.log)")
        #expect(httpGet("http://127.0.0.1:\(port)/health")?.status == 200)
        demo.signal(SIGTERM)
        #expect(demo.waitForExit(timeout: 5) != nil)
    }

    @Test func pubkeyAnnouncesANewKeyOnStderrAndKeepsStdoutTheBareKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try Self.run(["pubkey"], environment: ["DATA_DIR": directory.path + "/data", "LOG_LEVEL": "error"])
        #expect(first.status == 0)
        #expect(first.stdout.range(of: "^[0-9a-f]{64}\n$", options: .regularExpression) != nil, "stdout: \(first.stdout)")
        let absolute = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path + "/data/key"
        #expect(first.stderr.contains("a NEW node key was created: \(absolute)"), "stderr: \(first.stderr)")
        #expect(first.stderr.contains("/app/data"))
        #expect(first.stderr.contains("/var/lib/dstack-backend"))
        let second = try Self.run(["pubkey"], environment: ["DATA_DIR": directory.path + "/data", "LOG_LEVEL": "error"])
        #expect(second.stdout == first.stdout)
        #expect(!second.stderr.contains("NEW"), "stderr: \(second.stderr)")
    }

    @Test func pubkeyRelativeDataDirIsShownAbsolute() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let stderr = try Self.run(["pubkey", "--data-dir", "rel"], currentDirectory: directory.path).stderr
        let absolute = URL(fileURLWithPath: directory.path).resolvingSymlinksInPath().path + "/rel/key"
        #expect(stderr.contains("created: \(absolute)"), "stderr: \(stderr)")
    }
}

extension OperatorCLITests {
    /// `pubkey` finds the key as the daemon does, through the table's DATA_DIR row: its default (`./data`)
    /// when nothing is set, the variable, and `--data-dir` over the variable.
    @Test func pubkeyReadsDataDirLikeTheDaemon() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let defaultDirectory = try #require(Configuration.setting(named: "DATA_DIR")?.defaultText)
        func pubkey(_ arguments: [String], environment: [String: String]) throws {
            #expect(try Self.run(["pubkey"] + arguments, environment: environment, currentDirectory: directory.path).status == 0)
        }
        try pubkey([], environment: [:])
        #expect(FileManager.default.fileExists(atPath: directory.path + "/" + defaultDirectory + "/key"))
        try pubkey([], environment: ["DATA_DIR": "  "])
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/  /key"), "blank DATA_DIR is unset")
        try pubkey([], environment: ["DATA_DIR": "from-env"])
        #expect(FileManager.default.fileExists(atPath: directory.path + "/from-env/key"))
        try pubkey(["--data-dir", "from-flag"], environment: ["DATA_DIR": "from-env-2"])
        #expect(FileManager.default.fileExists(atPath: directory.path + "/from-flag/key"))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/from-env-2"))
    }
}

extension OperatorCLITests {
    @Test func configurationErrorsAreJSONWhenLogsAre() throws {
        let result = try Self.run(
            [], environment: ["LOG_FORMAT": "json", "OWNER_ADDRESS": "0x1234", "LISTEN_ADDR": "nope", "DATA_DIR": "/nonexistent/x"])
        #expect(result.status == 78)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 3, "stderr: \(result.stderr)")
        var settings: [String] = []
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["level"] as? String == "error")
            #expect((object["msg"] as? String)?.hasPrefix("Error: ") == true)
            settings.append(object["setting"] as? String ?? "")
        }
        #expect(Set(settings) == ["REGISTRY_URL", "OWNER_ADDRESS", "LISTEN_ADDR"])
        #expect(result.stderr.contains("Error: REGISTRY_URL environment variable is required for worker registration"))
        let text = try Self.run([], environment: ["OWNER_ADDRESS": "0x1234"])
        #expect(text.stderr.hasPrefix("Error: "), "text stays plain: \(text.stderr)")
    }
}

extension OperatorCLITests {
    @Test func topLevelHelpPointsAtTheDaemonsOptions() throws {
        let result = try Self.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\n  dstack-backend run --help\n"), "\(result.stdout)")
    }

    @Test func runHelpShowsEverySettingWithItsDefaultAndTwoExamples() throws {
        let result = try Self.run(["run", "--help"])
        #expect(result.status == 0)
        for setting in Configuration.settings {
            #expect(
                result.stdout.contains("\(setting.name)") && result.stdout.contains("\(setting.flagSpelling)\n      default: \(setting.defaultText)\n"),
                "\(setting.name) missing")
        }
        #expect(result.stdout.contains("default: 0.0.0.0:8080"))
        #expect(result.stdout.contains("default: 5s"))
        #expect(result.stdout.contains("EXAMPLES:"))
        #expect(result.stdout.components(separatedBy: "dstack-backend run --registry-url").count == 2)
    }

    /// `run --help` and `check --help` show the table itself: every row's variables, flag, default and help
    /// (compared with whitespace collapsed, as the parser wraps long lines).
    @Test(arguments: ["run", "check"])
    func helpShowsTheSettingsTable(command: String) throws {
        let result = try Self.run([command, "--help"])
        #expect(result.status == 0)
        let collapse = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        let help = collapse(result.stdout)
        for setting in Configuration.settings {
            let row = "\(setting.environmentNames.joined(separator: ", then ")) \(setting.flagSpelling) default: "
                + "\(setting.defaultText) \(setting.help)"
            #expect(help.contains(collapse(row)), "\(command) --help lacks \(setting.name)'s row")
        }
    }

    /// Setting flags are read against the table: an unknown one or one without a value is named, and the
    /// `--flag=value` form works like `--flag value`.
    @Test func settingFlagProblemsAreNamed() throws {
        let unknown = try Self.run(["run", "--registry", "http://r"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Error: Unknown option '--registry'"), "\(unknown.stderr)")
        let missing = try Self.run(["check", "--owner-address"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("Error: Missing value for '--owner-address <owner-address>'"), "\(missing.stderr)")
        let equals = try Self.run(["--registry-url=http://r", "--owner-address=0x12"])
        #expect(equals.status == 78)
        #expect(equals.stderr.contains("Error: --owner-address \"0x12\""), "\(equals.stderr)")
    }
}

extension OperatorCLITests {
    /// A key this user cannot read is told apart from a damaged one: run check as the owner, not "restore".
    @Test func checkTellsAnUnreadableKeyFromAMalformedOne() throws {
        try withSimulator { simulator, directory in
            chmod(directory, 0o755)
            let key = directory + "/key"
            try Data("67dea2ed018072d675f5415ecfaed7d2597555e202d85b3d65ea4e58d2d92ffa".utf8).write(to: URL(fileURLWithPath: key))
            let flags = [
                "--data-dir", directory, "--registry-url", simulator.registryURL, "--dstack-url", simulator.vmmURL,
                "--owner-address", Self.owner, "--listen-addr", "127.0.0.1:\(freePort())",
                "--node-type", "node-H200x8",
            ]
            // Root reads any file, so as root run check as nobody; otherwise take the permission away.
            let unreadable: (status: Int32?, stdout: String, stderr: String)
            if geteuid() == 0 {
                chmod(key, 0o600)
                unreadable = try Self.run(["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", BackendProcess.executablePath, "check"] + flags, executable: "/usr/bin/setpriv")
            } else {
                chmod(key, 0o000)
                unreadable = try Self.run(["check"] + flags)
            }
            #expect(unreadable.status == 1, "\(unreadable.stdout) \(unreadable.stderr)")
            #expect(unreadable.stdout.contains("[FAIL] node key: Error: cannot read key file \(key): Permission denied"), "\(unreadable.stdout)")
            #expect(unreadable.stdout.contains("hint: the key exists but this user cannot read it"))
            #expect(!unreadable.stdout.contains("restore the key file from your backup"))

            chmod(key, 0o600)
            try Data("zz".utf8).write(to: URL(fileURLWithPath: key))
            let malformed = try Self.run(["check"] + flags)
            #expect(malformed.status == 1)
            #expect(malformed.stdout.contains("hint: restore the key file from your backup"), "\(malformed.stdout)")
        }
    }
}

extension OperatorCLITests {
    /// The real daemon at LOG_LEVEL=debug with JSON logs: a line per poll and per registry request, with
    /// numbers and booleans typed.
    @Test func debugJSONLogsShowPollsAndRegistryRequestsWithTypedValues() throws {
        try withBackend(
            environment: ["DSTACK_POLL_INTERVAL": "100ms", "LOG_LEVEL": "debug", "LOG_FORMAT": "json"], waitForListening: 15
        ) { _, backend, _ in
            #expect(eventually(within: 5) { backend.log.components(separatedBy: "\"msg\":\"dstack poll\"").count > 3 })
            let objects = backend.log.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let polls = objects.filter { $0["msg"] as? String == "dstack poll" }
            #expect(polls.first?["level"] as? String == "debug")
            #expect(polls.first?["gpus"] as? Int == 8)
            #expect(polls.first?["duration_ms"] as? Int != nil)
            let answered = try #require(objects.first { $0["msg"] as? String == "dstack answered" })
            #expect(answered["allow_attach_all"] as? Bool == true)
            let requests = objects.filter { $0["msg"] as? String == "Registry request" }
            #expect(requests.count >= 2, "GET /permissions, POST /workers, GET /permissions")
            #expect(requests.allSatisfy { $0["status"] as? Int != nil && $0["duration_ms"] as? Int != nil })
            #expect(requests.contains { $0["method"] as? String == "POST" && (200..<300).contains($0["status"] as? Int ?? 0) })
        }
    }
}

extension OperatorCLITests {
    /// A refused configuration (here a placeholder owner) is check's first failure, with a hint and the count.
    @Test func checkReportsARefusedConfigurationAsAFailureWithTheCount() throws {
        let result = try Self.run(
            ["check", "--registry-url", "http://127.0.0.1:1", "--owner-address", "0x0000000000000000000000000000000000000000"])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("[FAIL] configuration:\n       Error: --owner-address 0x0000000000000000000000000000000000000000 is the zero address"), "\(result.stdout)")
        #expect(result.stdout.contains("hint: fix the settings named above"))
        // Every other check is listed as skipped, so the count is the same as on any run.
        #expect(result.stdout.hasSuffix(checksSkippedForInvalidSettings + "\n"), "\(result.stdout)")
    }
}

extension OperatorCLITests {
    static let owner = EndToEndTests.owner

    /// A root-owned VMM socket with mode 0755 refuses uid 1573 (here nobody): check says it is a permission
    /// problem, with the socket's owner, group and mode, the uid, and the fix, naming the socket, not a URL.
    @Test func checkSaysARootOwnedVMMSocketIsAPermissionProblem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        chmod(directory.path, 0o755)
        let socket = directory.path + "/vmm.sock"
        let simulator = try Simulator(vmmSocketPath: socket)
        defer { simulator.stop() }
        let flags = [
            "--data-dir", directory.path + "/data", "--registry-url", simulator.registryURL, "--dstack-url", "unix:" + socket,
            "--owner-address", Self.owner, "--listen-addr", "127.0.0.1:\(freePort())", "--node-type", "node-H200x8",
        ]
        let result: (status: Int32?, stdout: String, stderr: String)
        let (uid, gid): (uid_t, gid_t)
        var info = stat()
        if geteuid() == 0 {
            // Root passes every permission check: connect as nobody to root's socket, as uid 1573 would.
            #expect(chmod(socket, 0o755) == 0)
            (uid, gid) = (65534, 65534)
            result = try Self.run(
                ["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", BackendProcess.executablePath, "check"] + flags,
                executable: "/usr/bin/setpriv")
        } else {
            #expect(chmod(socket, 0o555) == 0)
            (uid, gid) = (geteuid(), getegid())
            result = try Self.run(["check"] + flags)
        }
        #expect(stat(socket, &info) == 0)
        let mode = geteuid() == 0 ? "0755 (srwxr-xr-x)" : "0555 (sr-xr-xr-x)"
        let ownerName = "\(String(cString: getpwuid(info.st_uid).pointee.pw_name)):\(String(cString: getgrgid(info.st_gid).pointee.gr_name))"
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let line = "[FAIL] dstack VMM: permission denied (unix:\(socket), request /prpc/ListGpus?json): cannot connect to Unix socket \(socket): Permission denied: a permission problem, not a missing VMM: the socket is owned by \(ownerName) (uid \(info.st_uid), gid \(info.st_gid)), mode \(mode); this process runs as uid \(uid), gid \(gid), which may not write to it (connecting needs write permission). Fix: give the socket to the daemon's group and let the group write (`chgrp \(gid) \(socket) && chmod g+w \(socket)`, again whenever the VMM recreates it), or run the daemon as the socket's owner (docker compose: DSTACK_BACKEND_USER=\(info.st_uid):\(info.st_gid) in .env)\n"
        #expect(result.stdout.contains(line), "\(result.stdout)")
        #expect(result.stdout.contains("       hint: a permission problem, not a missing VMM: apply the fix above (group write on \(socket) for the daemon's gid, or DSTACK_BACKEND_USER=<owner uid>:<gid> in docker compose's .env); this check ran as uid \(uid), so run it as the daemon's user"), "\(result.stdout)")
        #expect(!result.stdout.contains("nothing listens"))
        #expect(!result.stdout.contains("http://localhost"))
    }

    /// `check` while the daemon runs (`docker compose exec … check`): the port is in use by this daemon, which
    /// is fine; held by anything else it is a failure naming the holder, as the daemon would exit there.
    @Test func checkTellsThisDaemonRunningFromAnotherProgramOnThePort() throws {
        try withBackend(waitForListening: 15, setUp: { _, _, environment in environment["DSTACK_POLL_INTERVAL"] = nil }) {
            simulator, backend, port in
            let environment = backend.environment
            let running = try Self.run(["check"], environment: environment)
            #expect(running.status == 0, "\(running.stdout)")
            #expect(running.stdout.contains("[ ok ] listen address: 127.0.0.1:\(port) is served by this daemon, already running (its /health names this node's pubkey)\n"), "\(running.stdout)")
            #expect(running.stdout.hasSuffix("all 6 checks passed\n"), "\(running.stdout)")

            // The simulator's registry port: held by this test process, which is not a dstack-backend.
            let taken = try #require(UInt16(simulator.registryURL.split(separator: ":").last ?? ""))
            var other = environment
            other["LISTEN_ADDR"] = "127.0.0.1:\(taken)"
            let held = try Self.run(["check"], environment: other)
            #expect(held.status == 1, "\(held.stdout)")
            #expect(held.stdout.contains("[FAIL] listen address: cannot listen on 127.0.0.1:\(taken): "), "\(held.stdout)")
            #expect(held.stdout.contains("       hint: held by pid \(getpid()) ("), "\(held.stdout)")
            #expect(held.stdout.contains("(`sudo ss -ltnp 'sport = :\(taken)'` shows it): stop it, or set LISTEN_ADDR to a free address\n"), "\(held.stdout)")
            #expect(held.stdout.hasSuffix("1 of 6 checks failed, 0 warnings\n"), "\(held.stdout)")
            let daemon = try BackendProcess.runToEnd([], environment: other, timeout: 30)
            #expect(daemon.status == 1, "the daemon on that port exits 1 as check said: \(daemon.output)")
        }
    }

    /// `data/key` linking into an unmounted volume: the daemon refuses to start without touching the link,
    /// and check says what it is, never "the daemon creates the key on its first start".
    @Test func aDanglingKeyLinkStopsTheDaemonAndCheckNamesItsTarget() throws {
        try withSimulator { simulator, directory in
            let data = directory + "/data"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
            let target = directory + "/volume/key"
            #expect(symlink(target, data + "/key") == 0)
            var environment = simulator.backendEnvironment(dataDirectory: data, port: freePort())
            environment["DSTACK_POLL_INTERVAL"] = nil
            let daemon = try BackendProcess.runToEnd([], environment: environment, timeout: 30)
            #expect(daemon.status != 0 && daemon.status != nil, "\(daemon.output)")
            #expect(daemon.output.contains("Error: key file \(data)/key is a symbolic link to \(target), which does not exist"), "\(daemon.output)")
            #expect(!daemon.output.contains("creates the key on its first start"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/volume"))
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: data + "/key")) == target)

            let check = try Self.run(["check"], environment: environment)
            #expect(check.status == 1)
            #expect(check.stdout.contains("[FAIL] node key: Error: key file \(data)/key is a symbolic link to \(target), which does not exist"), "\(check.stdout)")
            #expect(check.stdout.contains("       hint: mount the volume that holds the link's target, or restore the key file there from your backup; the daemon will not replace the link with a new key"), "\(check.stdout)")
            #expect(check.stdout.contains("[skip] registry: needs the node key's pubkey"), "\(check.stdout)")
        }
    }
}

extension OperatorCLITests {
    /// The VMM comes up only after the daemon started: its first answer is "dstack is available" with how
    /// long start-up waited, never "dstack is available again" with an outage the VMM never had.
    @Test func aVMMThatComesUpAfterStartIsAvailableNotAvailableAgain() throws {
        let vmmPort = freePort()
        // The simulator here is only the registry: the VMM starts later, on `vmmPort`.
        try withBackend(
            environment: ["DSTACK_URL": "http://127.0.0.1:\(vmmPort)", "DSTACK_POLL_INTERVAL": "100ms"], waitForListening: nil
        ) { _, backend, _ in
            #expect(backend.waitForOutput("Failed to connect to dstack: connection refused", timeout: 20), "\(backend.log)")
            let vmm = try Simulator(vmmPort: vmmPort)
            defer { vmm.stop() }
            #expect(backend.waitForOutput("INFO dstack is available ", timeout: 20), "\(backend.log)")
            #expect(!backend.log.contains("dstack is available again"), "\(backend.log)")
            #expect(!backend.log.contains("outage.duration"), "\(backend.log)")
            #expect(backend.log.contains("waited.seconds="), "\(backend.log)")
        }
    }
}

/// Issue 21: every `--help` as an operator's terminal shows it, and the demo's own defaults.
extension OperatorCLITests {
    /// The subcommands, read from the top-level help (so a new one is checked without touching this test).
    static func subcommands() throws -> [String] {
        let help = try run(["--help"]).stdout
        let section = try #require(help.components(separatedBy: "\nSUBCOMMANDS:\n").last)
        let names = section.split(separator: "\n").prefix { $0.hasPrefix("  ") && !$0.hasPrefix("  See ") }
            .compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(names.count >= 6, "\(help)")
        return names
    }

    /// Every line fits (80 columns when the parser cannot ask the terminal, 100 when COLUMNS says so), and
    /// only headers (`OVERVIEW:`, `USAGE:`, `OPTIONS:`, `SETTINGS (…):`, …) start at column 0: a wrapped
    /// line keeps the indentation of what it continues.
    @Test(arguments: ["80", "100"])
    func everyHelpFitsAndIndentsItsContinuationLines(columns: String) throws {
        let header = try NSRegularExpression(pattern: #"^((OVERVIEW|USAGE): |[A-Z][A-Z ]*( \([^)]*\))?:$)"#)
        for command in [[]] + (try Self.subcommands()).map({ [$0] }) {
            let result = try Self.run(command + ["--help"], environment: ["COLUMNS": columns])
            #expect(result.status == 0, "\(command) --help: \(result.stderr)")
            for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
                #expect(line.count <= Int(columns)!, "\(command) --help at \(columns) columns: \(line.count) columns: \(line)")
                if !line.hasPrefix(" ") {
                    let range = NSRange(line.startIndex..., in: line)
                    #expect(header.firstMatch(in: line, range: range) != nil, "\(command) --help: a line at column 0: \(line)")
                }
            }
        }
    }

    @Test func healthcheckHelpShowsTheTimeoutDefault() throws {
        let help = try Self.run(["healthcheck", "--help"]).stdout
        let timeout = try #require(help.components(separatedBy: "\n").first { $0.contains("--timeout") })
        let collapsed = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(collapsed.contains("(default: 2s)"), "\(timeout)")
    }

    /// The setting flags work on run, check and demo; their usage line says so.
    @Test(arguments: ["run", "check", "demo"])
    func usageListsTheSettingFlags(command: String) throws {
        let help = try Self.run([command, "--help"]).stdout
        let usage = help.components(separatedBy: "\n\n").first { $0.hasPrefix("USAGE: ") } ?? ""
        #expect(usage.contains("[--<setting> <value>]..."), "\(usage)")
    }

    /// `demo --help` shows what the demo uses for the settings it sets (loopback, not 0.0.0.0), marked, with
    /// run's default beside it; the other rows are as `run --help` shows them.
    @Test func demoHelpShowsTheDemosOwnDefaultsAndMarksWhatItSets() throws {
        let help = try Self.run(["demo", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("LISTEN_ADDR --listen-addr * demo: --listen-addr, else LISTEN_ADDR, else 127.0.0.1:8080 (run's default: 0.0.0.0:8080)"), "\(help)")
        #expect(!help.contains("--listen-addr default: 0.0.0.0:8080"))
        for name in ["REGISTRY_URL", "OWNER_ADDRESS", "DSTACK_URL", "NODE_TYPE", "DATA_DIR", "DSTACK_POLL_INTERVAL"] {
            let setting = try #require(Configuration.setting(named: name))
            #expect(help.contains("\(setting.flagSpelling) * demo: "), "\(name) is not marked as set by the demo")
        }
        let logLevel = try #require(Configuration.setting(named: "LOG_LEVEL"))
        #expect(help.contains("\(logLevel.flagSpelling) default: \(logLevel.defaultText)"))
    }

    @Test func demoRefusesFlagsForWhatItSetsItself() throws {
        let result = try Self.run(["demo", "--registry-url", "http://registry.example"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--registry-url is set by the demo itself (its simulated registry on 127.0.0.1)"), "\(result.stderr)")
    }
}

/// Issue 21: `demo` removes its temporary directory (key, key.pub, socket) on every way out.
extension OperatorCLITests {
    /// Runs `demo` with TMPDIR in a directory of its own, lets `until` wait for a moment, asserts the demo's
    /// directory holds the key then, stops it with `signal` (or lets it exit) and asserts the directory is gone.
    func demoLeavesNothing(
        _ arguments: [String], environment: [String: String] = [:], until text: String, signal: Int32?,
        expectedStatus: Int32
    ) throws {
        let tmp = try TemporaryDirectory()
        defer { tmp.remove() }
        let demo = try BackendProcess(
            arguments: ["demo", "--listen-addr", "127.0.0.1:\(freePort())"] + arguments,
            environment: environment.merging(["TMPDIR": tmp.path]) { $1 })
        #expect(demo.waitForOutput(text, timeout: 20), "output: \(demo.log)")
        if let signal {
            let scratch = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
            #expect(scratch.count == 1 && scratch[0].hasPrefix("dstack-backend-demo-"), "\(scratch)")
            let data = tmp.path + "/" + (scratch.first ?? "") + "/data"
            #expect(eventually(within: 10) { FileManager.default.fileExists(atPath: data + "/key.pub") }, "no key.pub in \(data)")
            demo.signal(signal)
        }
        #expect(demo.waitForExit(timeout: 10) == expectedStatus, "output: \(demo.log)")
        let left = (try? FileManager.default.subpathsOfDirectory(atPath: tmp.path)) ?? []
        #expect(left.isEmpty, "the demo left \(left) in \(tmp.path)")
    }

    /// SIGINT while the daemon is still starting: the simulated VMM wants a token the daemon lacks, so
    /// NODE_TYPE=auto waits for it, after the key (and key.pub) were written.
    @Test func demoRemovesItsDirectoryAfterSIGINTDuringStartUp() throws {
        try demoLeavesNothing(
            ["--token", "demo-vmm-token"], until: "NODE_TYPE=auto is waiting for the VMM", signal: SIGINT,
            expectedStatus: 128 + SIGINT)
    }

    @Test func demoRemovesItsDirectoryAfterSIGINTWhileServing() throws {
        try demoLeavesNothing([], until: "dstack-backend demo is running", signal: SIGINT, expectedStatus: 0)
    }

    @Test func demoRemovesItsDirectoryWhenTheSettingsAreRefused() throws {
        try demoLeavesNothing([], environment: ["LOG_LEVEL": "loud"], until: "LOG_LEVEL", signal: nil, expectedStatus: 78)
    }
}
