import Foundation

/// Checks `condition` every 5 ms until it holds (true) or `seconds` pass (false): for state another
/// thread, process or socket changes, where there is nothing to wait on directly.
public func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while !condition() {
        if Date() >= deadline { return false }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return true
}
