import ArgumentParser

/// `bigprobe`: calls, inspects and load-tests BigRPC servers, with JSON in
/// and out, for any method the server's reflection describes.
@main
struct BigProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigprobe",
        abstract: "Call, inspect and load-test BigRPC servers, JSON in and out.",
        discussion: """
            Exit codes: 0 on success; 64 + the status code when a call fails \
            (NOT_FOUND 69, UNAVAILABLE 78, UNAUTHENTICATED 80); 64 for bad arguments \
            or input; 1 for other local failures; 2 when `rehearse` finds a check failed.
            """,
        subcommands: [
            ListCommand.self, DescribeCommand.self, CallCommand.self, LoginCommand.self, HealthCommand.self,
            BenchCommand.self, RehearseCommand.self, TopCommand.self,
        ]
    )
}
