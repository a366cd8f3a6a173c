import Foundation

let arguments = CommandLine.arguments
let command = arguments.count > 1 ? arguments[1] : "help"
let options = Options(arguments.dropFirst(2))

do {
    switch command {
    case "serve-echo": try await serveEcho(options)
    case "echo": try await echoBenchmarks(options)
    case "load": try await loadOnly(options)
    case "profile-calls": try await profileCalls(options)
    case "codec": try codecBenchmarks(options)
    case "codec-profile": try codecProfile(options)
    case "idle": try await idleConnections(options)
    case "allocs": try await allocationsPerCall(options)
    case "decisions": try decisionBenchmarks(options)
    case "flash": try await flashLoad(options)
    case "durability": try await durabilityBenchmarks(options)
    default:
        print(
            """
            bigbench serve-echo | echo | codec | idle | allocs | decisions | durability | flash [--options]
            Run through Benchmarks/run, which starts the servers and prints the tables.
            """)
    }
} catch {
    note("\(command) failed: \(error)")
    exit(1)
}
