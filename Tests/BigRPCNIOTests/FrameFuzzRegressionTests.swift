import BigRPCFuzzOracles
import Foundation
import Testing

/// Replays the minimized corpus of the frame-decoding fuzz harness
/// (`scripts/fuzz`) through the harness's own ``FrameDecodingOracle``.
@Suite struct FrameFuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-frames")

    static var inputs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs.count > 50)
    }

    @Test(arguments: inputs)
    func replays(_ name: String) throws {
        let handle = try FileHandle(forReadingFrom: Self.directory.appendingPathComponent(name))
        let data = [UInt8](try handle.readToEnd() ?? Data())
        try handle.close()
        #expect(FrameDecodingOracle.check(data) == [])
    }
}
