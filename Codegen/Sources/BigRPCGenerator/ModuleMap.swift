/// Where the generated code of each .proto file lives: the table in
/// `proto/modules.map`, one line per file:
///
///     bigrpc/v1/frame.proto   Sources/BigRPCProtos   Sources/CBigRPCProtos
///
/// The last path component of each directory is the module's name.
public struct ModuleMap: Sendable {
    public struct Entry: Sendable, Hashable {
        /// Directory of the Swift target receiving `<name>.bigrpc.swift`.
        public var swiftDirectory: String
        /// Directory of the C target receiving protoc-c's output and `<name>.bigrpc.h`.
        public var cDirectory: String

        public var swiftModule: String { String(swiftDirectory.split(separator: "/").last ?? "") }
        public var cModule: String { String(cDirectory.split(separator: "/").last ?? "") }
    }

    public private(set) var entries: [String: Entry] = [:]

    /// Parses the table; `#` starts a comment.
    public init(parsing text: String) throws(GeneratorError) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if columns.isEmpty { continue }
            guard columns.count == 3 else {
                throw GeneratorError("module map line \(number + 1): expected `proto swift-dir c-dir`")
            }
            entries[columns[0]] = Entry(swiftDirectory: columns[1], cDirectory: columns[2])
        }
    }

    /// The entry of `protoFile`, or an error naming the file.
    public func entry(for protoFile: String) throws(GeneratorError) -> Entry {
        guard let entry = entries[protoFile] else {
            throw GeneratorError("\(protoFile) is not listed in the module map")
        }
        return entry
    }
}

/// A generation failure, reported to protoc (which prints it and fails).
public struct GeneratorError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
