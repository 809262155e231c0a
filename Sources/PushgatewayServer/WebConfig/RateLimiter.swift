import Synchronization

/// `rate_limit`: Go's `rate.NewLimiter(rate.Every(interval), burst)` as exporter-toolkit uses it, a token bucket
/// that holds at most `burst` tokens, gains one per `interval` and starts full; each request takes one.
final class RateLimiter: Sendable {
    private let interval: Duration
    private let burst: Int
    private let state: Mutex<(tokens: Double, last: ContinuousClock.Instant)>

    init(interval: Duration, burst: Int) {
        self.interval = interval
        self.burst = burst
        self.state = Mutex((Double(burst), ContinuousClock.now))
    }

    /// Takes a token if one is there (Go's `Limiter.Allow`).
    func allow(now: ContinuousClock.Instant = .now) -> Bool {
        self.state.withLock { state in
            let elapsed = now - state.last
            state.last = max(state.last, now)
            if elapsed > .zero {
                state.tokens = min(Double(self.burst), state.tokens + elapsed / self.interval)
            }
            guard state.tokens >= 1 else {
                return false
            }
            state.tokens -= 1
            return true
        }
    }
}
