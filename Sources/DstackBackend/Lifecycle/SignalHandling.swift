import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM and SIGINT into a `StopSignal`, without async-signal-safety traps.
///
/// `install` blocks both signals in the calling thread (call it on the main thread before any other
/// thread starts, so every thread inherits the mask) and starts one thread that waits for them with
/// `sigwait` and stops the daemon. SIGPIPE is ignored: a peer that hangs up is an `EPIPE`, not a death.
/// SIGHUP, SIGUSR1 and SIGUSR2 are waited for too and ignored (logged once a logger is given to
/// `logIgnoredSignals(to:)`): their default action would kill the daemon without its shutdown, leaving
/// the Unix socket file behind, and there is nothing to reload (settings are read once, at start).
public enum SignalHandling {
    static let ignored: [Int32] = [SIGHUP, SIGUSR1, SIGUSR2]
    static let ignoredSignalLogger = Mutex<Logger?>(nil)

    /// Where ignored signals are reported from now on.
    static func logIgnoredSignals(to logger: Logger) {
        ignoredSignalLogger.withLock { $0 = logger }
    }

    /// Turns SIGTERM and SIGINT into `stop` with their `StopReason` (for the exit code, 128 + number).
    public static func install(stop: StopSignal) {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        for number in ignored { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let waiter = SignalWaiter(set: set, stop: stop)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(waiter).toOpaque()
        pthread_create(&thread, nil, { raw in
            let waiter = Unmanaged<SignalWaiter>.fromOpaque(raw!).takeRetainedValue()
            waiter.run()
            return nil
        }, context)
        pthread_detach(thread)
    }
}

private final class SignalWaiter: @unchecked Sendable {
    var set: sigset_t
    let stop: StopSignal

    init(set: sigset_t, stop: StopSignal) {
        self.set = set
        self.stop = stop
    }

    static func name(of number: Int32) -> String {
        switch number {
        case SIGHUP: "SIGHUP"
        case SIGUSR1: "SIGUSR1"
        case SIGUSR2: "SIGUSR2"
        default: "signal \(number)"
        }
    }

    func run() {
        while true {
            var received: Int32 = 0
            guard sigwait(&set, &received) == 0 else { continue }
            if SignalHandling.ignored.contains(received) {
                let logger = SignalHandling.ignoredSignalLogger.withLock { $0 }
                logger?.warn(
                    "Ignored a signal: settings are read only at start; restart the service to apply changes",
                    ("signal", Self.name(of: received)))
                continue
            }
            stop.stop(reason: received == SIGINT ? .interrupt : .terminate)
        }
    }
}
