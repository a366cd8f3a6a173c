import BigRPC
import Testing

/// Durations from the wire, command lines and configuration files convert
/// without trapping: too large saturates, NaN is zero.
@Suite struct DurationSaturationTests {
    @Test func secondsFromDoublesSaturate() {
        #expect(Duration(saturatingSeconds: 1.5) == .milliseconds(1500))
        #expect(Duration(saturatingSeconds: 0) == .zero)
        #expect(Duration(saturatingSeconds: .nan) == .zero)
        #expect(Duration(saturatingSeconds: 1e9) == .seconds(1_000_000_000))
        // `--max-time 10000000000`: past 292 years, so the limit.
        #expect(Duration(saturatingSeconds: 1e10) == .saturationLimit)
        #expect(Duration(saturatingSeconds: 1e300) == .saturationLimit)
        #expect(Duration(saturatingSeconds: .infinity) == .saturationLimit)
        #expect(Duration(saturatingSeconds: -.infinity) == .zero - .saturationLimit)
    }

    @Test func millisecondsFromTheWireSaturate() {
        #expect(Duration(saturatingMilliseconds: 250) == .milliseconds(250))
        for huge: UInt64 in [9_300_000_000_000, UInt64(Int64.max), .max] {
            #expect(Duration(saturatingMilliseconds: huge) <= Duration.saturationLimit)
        }
    }

    @Test func nanosecondsSaturateAtInt64() {
        #expect(Duration.milliseconds(3).saturatingNanoseconds == 3_000_000)
        #expect(Duration.seconds(-2).saturatingNanoseconds == -2_000_000_000)
        // 9.3e12 ms is 9.3e18 ns: one past Int64.max, the overflow of issue 11.
        #expect(Duration.milliseconds(9_300_000_000_000).saturatingNanoseconds == .max)
        #expect(Duration.seconds(Int64.max).saturatingNanoseconds == .max)
        #expect(Duration.seconds(Int64.min).saturatingNanoseconds == .min)
        #expect(Duration.saturationLimit.saturatingNanoseconds == .max)
    }

    @Test func millisecondsRoundUpAndSaturate() {
        #expect(Duration.microseconds(1).saturatingMillisecondsRoundedUp == 1)
        #expect(Duration.milliseconds(1500).saturatingMillisecondsRoundedUp == 1500)
        #expect(Duration.nanoseconds(1_500_001).saturatingMillisecondsRoundedUp == 2)
        #expect(Duration.zero.saturatingMillisecondsRoundedUp == 0)
        #expect(Duration.seconds(-5).saturatingMillisecondsRoundedUp == 0)
        #expect(Duration.seconds(10_000_000_000).saturatingMillisecondsRoundedUp == 10_000_000_000_000)
        #expect(Duration.seconds(Int64.max).saturatingMillisecondsRoundedUp == .max)
    }

    @Test func theServerCapsTimeoutsAtThirtyDays() {
        #expect(Duration.maxTimeout == .seconds(30 * 24 * 3600))
        #expect(Duration.maxTimeout < Duration.saturationLimit)
    }
}
