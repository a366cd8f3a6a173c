import ArgumentParser
import BigRPC

/// A `bigprobe` verb. Its ``execute()`` returns the exit code; failures map
/// to exit codes in one place:
/// - an ``RPCError``: the status is printed and the code is 64 + status code
///   (NOT_FOUND → 69, UNAVAILABLE → 78);
/// - a ``ProbeError`` (bad input, found before calling): 64;
/// - anything else: 1.
protocol ProbeCommand: AsyncParsableCommand {
    func execute() async throws -> Int32
}

extension ProbeCommand {
    func run() async throws {
        let code: Int32
        do {
            code = try await execute()
        } catch let error as RPCError {
            Terminal.writeError(StatusReport.text(code: error.code, message: error.message, trailers: error.metadata))
            code = StatusReport.exitCode(error.code)
        } catch let error as ProbeError {
            Terminal.writeError("bigprobe: \(error)\n")
            code = 64
        } catch is CancellationError {
            Terminal.writeError(StatusReport.text(code: .cancelled, message: "cancelled", trailers: [:]))
            code = StatusReport.exitCode(.cancelled)
        } catch {
            Terminal.writeError("bigprobe: \(error)\n")
            code = 1
        }
        if code != 0 { throw ExitCode(code) }
    }
}
