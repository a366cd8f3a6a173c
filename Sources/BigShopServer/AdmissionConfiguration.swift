public import BigShopGateway

/// How each gateway admits flash-sale Reserves (``DropAdmissionSettings``),
/// as `bigshop serve` takes it: counts, seconds and milliseconds, under the
/// config key `admission` and the `--admission-*` flags.
///
/// Decoded from JSON, any field left out keeps its default, which is
/// ``DropAdmissionSettings``'s.
public struct AdmissionConfiguration: Sendable, Codable, Equatable {
    /// Reserves of one campaign at the owner at once, per unit that remains.
    public var inFlightPerRemainingUnit: Int
    /// At least this many at once, however few units remain.
    public var minimumInFlight: Int
    /// At once while the gateway does not know the drop.
    public var inFlightWhenUnknown: Int
    /// Reserves waiting for their turn per campaign; more get QUEUE_FULL.
    public var maxQueued: Int
    /// The longest a Reserve waits for its turn before QUEUE_FULL.
    public var maxWaitSeconds: Double
    /// The range of a QUEUE_FULL's `retry-after-ms`, chosen at random.
    public var retryAfterMinMs: Int
    public var retryAfterMaxMs: Int
    /// A feed silent for this long is ignored (the owner sends an update
    /// every second).
    public var feedStaleAfterSeconds: Double
    /// Within this much of a drop's opening the owner decides, not the feed.
    public var dropOpeningMarginSeconds: Double
    /// Campaigns a gateway keeps a feed and a queue for.
    public var maxCampaigns: Int
    /// A campaign nobody reserved from for this long loses its feed.
    public var idleAfterSeconds: Double

    /// The defaults of ``DropAdmissionSettings``.
    public init() {
        let defaults = DropAdmissionSettings()
        inFlightPerRemainingUnit = defaults.inFlightPerRemainingUnit
        minimumInFlight = defaults.minimumInFlight
        inFlightWhenUnknown = defaults.inFlightWhenUnknown
        maxQueued = defaults.maxQueued
        maxWaitSeconds = Self.seconds(defaults.maxWait)
        retryAfterMinMs = defaults.retryAfterMs.lowerBound
        retryAfterMaxMs = defaults.retryAfterMs.upperBound
        feedStaleAfterSeconds = Self.seconds(defaults.feedStaleAfter)
        dropOpeningMarginSeconds = Self.seconds(defaults.dropOpeningMargin)
        maxCampaigns = defaults.maxCampaigns
        idleAfterSeconds = Self.seconds(defaults.idleAfter)
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        inFlightPerRemainingUnit = try value(.inFlightPerRemainingUnit, inFlightPerRemainingUnit)
        minimumInFlight = try value(.minimumInFlight, minimumInFlight)
        inFlightWhenUnknown = try value(.inFlightWhenUnknown, inFlightWhenUnknown)
        maxQueued = try value(.maxQueued, maxQueued)
        maxWaitSeconds = try value(.maxWaitSeconds, maxWaitSeconds)
        retryAfterMinMs = try value(.retryAfterMinMs, retryAfterMinMs)
        retryAfterMaxMs = try value(.retryAfterMaxMs, retryAfterMaxMs)
        feedStaleAfterSeconds = try value(.feedStaleAfterSeconds, feedStaleAfterSeconds)
        dropOpeningMarginSeconds = try value(.dropOpeningMarginSeconds, dropOpeningMarginSeconds)
        maxCampaigns = try value(.maxCampaigns, maxCampaigns)
        idleAfterSeconds = try value(.idleAfterSeconds, idleAfterSeconds)
    }

    /// The gateway's settings. Call ``validate()`` first.
    public var settings: DropAdmissionSettings {
        var settings = DropAdmissionSettings()
        settings.inFlightPerRemainingUnit = inFlightPerRemainingUnit
        settings.minimumInFlight = minimumInFlight
        settings.inFlightWhenUnknown = inFlightWhenUnknown
        settings.maxQueued = maxQueued
        settings.maxWait = Duration(saturatingSeconds: maxWaitSeconds)
        settings.retryAfterMs = retryAfterMinMs...max(retryAfterMinMs, retryAfterMaxMs)
        settings.feedStaleAfter = Duration(saturatingSeconds: feedStaleAfterSeconds)
        settings.dropOpeningMargin = Duration(saturatingSeconds: dropOpeningMarginSeconds)
        settings.maxCampaigns = maxCampaigns
        settings.idleAfter = Duration(saturatingSeconds: idleAfterSeconds)
        return settings
    }

    /// Refuses, naming its key and flag, the first value out of range.
    public func validate() throws(BigShopConfigurationError) {
        let million = 1_000_000
        let counts: [(String, Int, ClosedRange<Int>)] = [
            ("inFlightPerRemainingUnit (--admission-in-flight-per-unit)", inFlightPerRemainingUnit, 0...million),
            ("minimumInFlight (--admission-min-in-flight)", minimumInFlight, 1...million),
            ("inFlightWhenUnknown (--admission-in-flight-when-unknown)", inFlightWhenUnknown, 1...million),
            ("maxQueued (--admission-max-queued)", maxQueued, 0...million),
            ("retryAfterMinMs (--admission-retry-after-min-ms)", retryAfterMinMs, 1...3_600_000),
            ("retryAfterMaxMs (--admission-retry-after-max-ms)", retryAfterMaxMs, retryAfterMinMs...3_600_000),
            ("maxCampaigns (--admission-max-campaigns)", maxCampaigns, 1...million),
        ]
        for (name, value, range) in counts where !range.contains(value) {
            throw BigShopConfigurationError(
                "admission.\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        // Seconds: (lower, open at the lower end?, upper).
        let durations: [(String, Double, Double, Bool, Double)] = [
            ("maxWaitSeconds (--admission-max-wait)", maxWaitSeconds, 0, true, 60),
            // The owner sends an update every second: a shorter limit ignores every feed.
            ("feedStaleAfterSeconds (--admission-feed-stale-after)", feedStaleAfterSeconds, 1, true, 60),
            ("dropOpeningMarginSeconds (--admission-drop-opening-margin)", dropOpeningMarginSeconds, 0, false, 60),
            ("idleAfterSeconds (--admission-idle-after)", idleAfterSeconds, 0, true, 86_400),
        ]
        for (name, value, lower, openAtLower, upper) in durations {
            let fits = value.isFinite && (openAtLower ? value > lower : value >= lower) && value <= upper
            if !fits {
                let bound = openAtLower ? "more than \(Int(lower))" : "at least \(Int(lower))"
                throw BigShopConfigurationError("admission.\(name) must be \(bound) and at most \(Int(upper)) seconds, got \(value)")
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
