import Foundation

/// Files under `Fixtures/` beside this source file.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The bytes of `Fixtures/<name>`. Read through FileHandle: Foundation's
    /// `Data(contentsOf:)` leaks 4 KiB per empty file, which LeakSanitizer reports.
    static func bytes(_ name: String) throws -> [UInt8] {
        let file = try FileHandle(forReadingFrom: directory.appendingPathComponent(name))
        defer { try? file.close() }
        return try file.readToEnd().map { [UInt8]($0) } ?? []
    }

    /// The names of the files in `Fixtures/<subdirectory>` ending in `suffix`, sorted.
    static func names(in subdirectory: String = "", endingWith suffix: String = "") throws -> [String] {
        let folder = directory.appendingPathComponent(subdirectory)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }
            .sorted()
    }
}
