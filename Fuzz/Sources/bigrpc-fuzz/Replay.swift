#if !BIGRPC_LIBFUZZER
    import Foundation

    /// Without libFuzzer (`-D BIGRPC_LIBFUZZER` is unset), runs each input file,
    /// or each file in a directory argument, through the harnesses once: a
    /// reproducer for crashes and a way to run a corpus under other sanitizers.
    @main
    struct Replay {
        static func main() throws {
            let arguments = CommandLine.arguments.dropFirst()
            guard !arguments.isEmpty else {
                print("usage: bigrpc-fuzz FILE|DIRECTORY...")
                exit(2)
            }
            var count = 0
            for path in arguments {
                for file in try inputFiles(at: path) {
                    // FileHandle, not Data(contentsOf:), which leaks on empty files.
                    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
                    let input = try handle.readToEnd() ?? Data()
                    try handle.close()
                    input.withUnsafeBytes { FuzzTarget.run($0) }
                    count += 1
                }
            }
            print("replayed \(count) inputs")
        }

        /// `path` itself, or the regular files directly inside it, sorted.
        private static func inputFiles(at path: String) throws -> [String] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return [path]
            }
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted().compactMap { name in
                let file = (path as NSString).appendingPathComponent(name)
                var isSubdirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isSubdirectory)
                return exists && !isSubdirectory.boolValue ? file : nil
            }
        }
    }
#endif
