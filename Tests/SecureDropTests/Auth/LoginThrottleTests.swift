import Testing
@testable import SecureDrop

@Suite("Login throttling")
struct LoginThrottleTests {
    @Test("Five free failures, then exponential backoff up to the cap")
    func backoff() {
        let throttle = LoginThrottle()
        let start = ContinuousClock.now
        for attempt in 1...4 {
            throttle.recordFailure(["ip:1.2.3.4"], now: start)
            #expect(throttle.retryAfter(["ip:1.2.3.4"], now: start) == nil, "blocked after \(attempt) failures")
        }
        throttle.recordFailure(["ip:1.2.3.4"], now: start)
        #expect(throttle.retryAfter(["ip:1.2.3.4"], now: start) == .seconds(1))
        throttle.recordFailure(["ip:1.2.3.4"], now: start)
        #expect(throttle.retryAfter(["ip:1.2.3.4"], now: start) == .seconds(2))
        throttle.recordFailure(["ip:1.2.3.4"], now: start)
        #expect(throttle.retryAfter(["ip:1.2.3.4"], now: start) == .seconds(4))
        #expect(throttle.retryAfter(["ip:1.2.3.4"], now: start + .seconds(5)) == nil)
        #expect(throttle.delay(afterFailures: 40) == .seconds(900))
        // Other keys are unaffected.
        #expect(throttle.retryAfter(["ip:5.6.7.8"], now: start) == nil)
    }

    @Test("Success clears the account, never the address")
    func successClearsAccountOnly() {
        let throttle = LoginThrottle()
        let now = ContinuousClock.now
        for _ in 0..<6 { throttle.recordFailure(["ip:9.9.9.9", "user:alice"], now: now) }
        throttle.recordSuccess("user:alice")
        #expect(throttle.retryAfter(["user:alice"], now: now) == nil)
        #expect(throttle.retryAfter(["ip:9.9.9.9"], now: now) != nil)
    }

    @Test("Old failures are forgotten; the table stays bounded under a flood of addresses")
    func boundedMemory() {
        var policy = LoginThrottle.Policy()
        policy.maximumEntries = 1000
        let throttle = LoginThrottle(policy: policy)
        let now = ContinuousClock.now
        for index in 0..<5000 { throttle.recordFailure(["ip:10.0.\(index / 256).\(index % 256)"], now: now + .milliseconds(index)) }
        #expect(throttle.trackedKeys <= 1000)
        // The most recent attackers are the ones kept.
        for _ in 0..<5 { throttle.recordFailure(["ip:10.0.19.135"], now: now + .seconds(10)) }
        #expect(throttle.retryAfter(["ip:10.0.19.135"], now: now + .seconds(10)) != nil)
        // An hour later a single failure starts from zero again.
        throttle.recordFailure(["ip:10.0.19.135"], now: now + .seconds(7300))
        #expect(throttle.retryAfter(["ip:10.0.19.135"], now: now + .seconds(7300)) == nil)
    }
}
