import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Gives the memory of a burst back to the system once the burst is over.
///
/// glibc serves blocks under its mmap threshold (fixed at 128 KiB by
/// `bigshop`, so every 64 KiB request buffer) from its heaps, and keeps the
/// pages of freed blocks: after 3,500 connections each held sixteen
/// unfinished 64 KiB messages, the server stayed at 330-500 MiB (42 before)
/// long after they left (red team finding F2). `malloc_trim(0)` returns
/// those pages; it walks the heaps, so it runs only when what the server
/// holds (request bytes, open streams) has passed a high mark and fallen
/// back to a quarter of its peak, and never on the path of a frame.
final class MemoryTrim: Sendable {
    struct Marks: Sendable {
        /// Request bytes held at once that count as a burst.
        var requestBytes = 32 * 1024 * 1024
        /// Streams open at once that count as a burst.
        var openStreams = 5_000
    }

    private struct Peak {
        var requestBytes = 0
        var openStreams = 0
        /// Samples until a second trim, for what the burst's last
        /// connections free after the first (closing takes a while).
        var followUp = 0
    }

    /// Samples between a trim and its follow-up.
    static let followUpSamples = 5

    let marks: Marks
    private let peak = Mutex(Peak())
    private let trimCount = Atomic<Int>(0)

    init(marks: Marks = Marks()) {
        self.marks = marks
    }

    /// Times memory was handed back.
    var trims: Int { trimCount.load(ordering: .relaxed) }

    /// Called now and then (off the path of any frame) with what the server
    /// holds; trims when a burst is over.
    func sample(requestBytes: Int, openStreams: Int) {
        let burstEnded: Bool = peak.withLock { peak in
            peak.requestBytes = max(peak.requestBytes, requestBytes)
            peak.openStreams = max(peak.openStreams, openStreams)
            if peak.followUp > 0 {
                peak.followUp -= 1
                if peak.followUp == 0 { return true }
            }
            let bytesFell = peak.requestBytes >= marks.requestBytes && requestBytes <= peak.requestBytes / 4
            let streamsFell = peak.openStreams >= marks.openStreams && openStreams <= peak.openStreams / 4
            guard bytesFell || streamsFell else { return false }
            peak = Peak(requestBytes: requestBytes, openStreams: openStreams, followUp: Self.followUpSamples)
            return true
        }
        guard burstEnded else { return }
        // Neither on an event loop nor on Swift's cooperative pool (two
        // threads on a two-core host): a trim of a large heap takes a while,
        // and holds malloc's locks meanwhile.
        Self.queue.async {
            Self.trim()
            self.trimCount.wrappingAdd(1, ordering: .relaxed)
        }
    }

    private static let queue = DispatchQueue(label: "bigrpc.memory-trim", qos: .background)

    /// `malloc_trim(0)` where glibc has it; nothing elsewhere.
    private static func trim() {
        #if canImport(Glibc)
            // malloc_trim is in <malloc.h>, which the Glibc module does not import.
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
