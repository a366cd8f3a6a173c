import Synchronization

/// Makes `x-request-id` values for calls that arrive without one.
enum RequestID {
    /// Drawn once per process from the system's generator.
    private static let keys: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()
    private static let counter = Atomic<UInt64>(0)

    /// 32 lowercase hex digits, unique within the process and unpredictable
    /// enough for a log key (it is not a secret). A per-call counter through
    /// a bijective mix under per-process random keys, so a call costs no
    /// system call: `SystemRandomNumberGenerator` per call took two
    /// `getrandom` syscalls (~4% of a server's time in Benchmarks/).
    static func make() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        let high = mix(n &+ keys.0)
        let low = mix(high ^ keys.1)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            let digits: StaticString = "0123456789abcdef"
            digits.withUTF8Buffer { digits in
                for i in 0..<16 {
                    buffer[i] = digits[Int((high >> UInt64(60 - 4 * i)) & 0xF)]
                    buffer[16 + i] = digits[Int((low >> UInt64(60 - 4 * i)) & 0xF)]
                }
            }
            return 32
        }
    }

    /// The longest client-chosen `x-request-id` the server keeps.
    static let maxClientLength = 128

    /// Whether a client's `x-request-id` is kept as the call's id: 1 to 128
    /// visible ASCII characters. Anything else (empty, a 64 KiB string,
    /// control characters that would forge log lines) is replaced by one the
    /// server makes, since the id is echoed in the trailers and in every log
    /// line of the call.
    static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        return !utf8.isEmpty && utf8.count <= maxClientLength && utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// SplitMix64's finalizer: a bijection on 64 bits, so distinct counters
    /// give distinct `high` halves.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
