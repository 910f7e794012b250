#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGTERM and SIGINT into a `StopSignal`, without async-signal-safety traps.
///
/// `install` blocks both signals in the calling thread (call it on the main thread before any other
/// thread starts, so every thread inherits the mask) and starts one thread that waits for them with
/// `sigwait` and stops the daemon. SIGPIPE is ignored: a peer that hangs up is an `EPIPE`, not a death.
public enum SignalHandling {
    /// Which signal stopped us, for the exit code (128 + number).
    public static func install(stop: StopSignal) {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
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

    /// The conventional exit code for a process ended by `signal`: 128 + its number (SIGTERM 143, SIGINT 130).
    public static func exitCode(forStopReason reason: String?) -> Int32 {
        switch reason {
        case "SIGINT": 128 + SIGINT
        default: 128 + SIGTERM
        }
    }
}

private final class SignalWaiter: @unchecked Sendable {
    var set: sigset_t
    let stop: StopSignal

    init(set: sigset_t, stop: StopSignal) {
        self.set = set
        self.stop = stop
    }

    func run() {
        while true {
            var received: Int32 = 0
            guard sigwait(&set, &received) == 0 else { continue }
            stop.stop(reason: received == SIGINT ? "SIGINT" : "SIGTERM")
        }
    }
}
