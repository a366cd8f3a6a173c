import BigRPC
import BigShopServerTestSupport
import ChildProcess
import Foundation
import Testing

/// `bigshop serve --otlp-endpoint`: a call carrying a W3C `traceparent`
/// is continued in that trace, and its spans reach the collector over
/// OTLP/HTTP; without a sampled caller and at ratio 0 nothing is sent.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct OTLPExportTests {
    @Test func aCallersTraceIsContinuedAndExported() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-otlp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try OTLPReceiver()
        defer { receiver.stop() }
        // Ratio 0: only the caller's sampled trace is recorded.
        let server = try ServerProcess(
            dataDirectory: directory,
            extraArguments: ["--otlp-endpoint", "http://127.0.0.1:\(receiver.port)", "--trace-sample-ratio", "0"])
        try await server.start()

        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let traced: Metadata = ["traceparent": "00-\(traceID)-00f067aa0ba902b7-01"]
        let anonymous = ShopClients(port: server.port, token: nil)
        _ = try await anonymous.catalog.listProducts(.init(pageSize: 1), metadata: traced)
        // Another call, in no trace: not sampled at ratio 0.
        _ = try await anonymous.catalog.listProducts(.init(pageSize: 1))

        // A graceful shutdown flushes the batch of spans.
        #expect(await server.terminate() == 0)
        let exports = receiver.exports
        #expect(!exports.isEmpty, "nothing was exported")
        let wanted = Self.bytes(hex: traceID)
        let all = exports.flatMap { $0 }
        #expect(Self.contains(all, wanted), "the caller's trace id is not in the export")
        #expect(Self.contains(all, Array("bigshop.catalog.v1.CatalogService/ListProducts".utf8)))
        // Only the traced call's trace: one trace id in every exported span.
        #expect(Self.count(all, Array("bigshop.catalog.v1.CatalogService/ListProducts".utf8)) == 1)
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool { count(haystack, needle) > 0 }

    static func count(_ haystack: [UInt8], _ needle: [UInt8]) -> Int {
        guard haystack.count >= needle.count else { return 0 }
        return (0...(haystack.count - needle.count)).filter { Array(haystack[$0..<($0 + needle.count)]) == needle }.count
    }
}
