import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// A joinable POSIX thread running one closure (the poller, the permission re-check, a server loop).
public final class BackgroundThread: @unchecked Sendable {
    private var thread = pthread_t()
    private var joined = false
    /// Fires when the closure has returned.
    private let finished = StopSignal()

    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        let finished = finished
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: { body(); finished.stop() })).toOpaque()
        let result = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
            clinux_set_thread_name(body.name)
            body.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    /// Waits up to `timeout` for the closure to return; returns false (and leaves the thread detached)
    /// if it is still running, e.g. a poll blocked in a request that the process is about to abandon.
    @discardableResult
    public func join(timeout: Duration) -> Bool {
        guard !joined else { return true }
        guard finished.wait(for: timeout) else {
            joined = true
            pthread_detach(thread)
            return false
        }
        join()
        return true
    }
}

private final class ThreadBody: @unchecked Sendable {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
