import ArgumentParser
import BigRPC
import BigRPCCodec
import Foundation
import ProtoJSON

/// The request options `call` and `bench` share: the JSON body, metadata
/// and deadline.
struct RequestOptions: ParsableArguments {
    @Option(
        name: [.customShort("d"), .long],
        help: """
            The request as JSON. Several objects, separated by whitespace, for a \
            client stream. '@' reads it from standard input, '@FILE' from a file. \
            Default: one empty message ({}), or none for a client stream.
            """
    )
    var data: String?

    @Option(name: [.customShort("H"), .customLong("header")], help: "Request metadata as 'key: value'; repeatable.")
    var headers: [String] = []

    @Option(name: .customLong("max-time"), help: "The deadline of each call, in seconds.")
    var maxTime: Double?

    func validate() throws {
        if let maxTime, !(maxTime > 0) { throw ValidationError("--max-time must be a positive number of seconds") }
    }

    var callOptions: CallOptions {
        // Saturating: `--max-time 1e10` is a very long deadline, not a crash.
        CallOptions(timeout: maxTime.map { Duration(saturatingSeconds: $0) })
    }

    /// The requests for `method`, encoded: the JSON objects of `--data`,
    /// exactly one for a method that takes one request.
    func encodedRequests(for method: MethodDescriptor, input: ProtoMessageDescriptor) throws -> [[UInt8]] {
        let messages: [DynamicMessage]
        if let json = try requestText() {
            do {
                messages = try ProtoJSONDecoder().decodeSequence(json, as: input)
            } catch {
                throw ProbeError("request: \(error)")
            }
        } else {
            messages = method.kind.hasSingleRequest ? [DynamicMessage(descriptor: input)] : []
        }
        if method.kind.hasSingleRequest && messages.count != 1 {
            throw ProbeError("\(method.path) takes exactly one request message; --data holds \(messages.count)")
        }
        do {
            return try messages.map { try $0.serializedBytes() }
        } catch {
            throw ProbeError("request: \(error)")
        }
    }

    /// The request metadata: the `--header`s, plus `authorization` with the
    /// token `bigprobe login` saved for `endpoint`, unless a header sets it.
    func metadata(for endpoint: Endpoint) throws -> Metadata {
        var metadata = Metadata()
        for header in headers {
            guard let colon = header.firstIndex(of: ":") else {
                throw ProbeError("header \"\(header)\" is not 'key: value'")
            }
            let key = header[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard Metadata.isValidKey(key) else {
                throw ProbeError("header key \"\(key)\" must be lowercase letters, digits, '-', '_' or '.'")
            }
            metadata[key] = header[header.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if metadata[Metadata.authorizationKey] == nil, let token = TokenStore().token(for: endpoint) {
            metadata[Metadata.authorizationKey] = "Bearer \(token)"
        }
        return metadata
    }

    private func requestText() throws -> String? {
        guard let data, data.hasPrefix("@") else { return data }
        let path = data.dropFirst()
        if path.isEmpty { return Terminal.readStandardInput() }
        do {
            return try String(contentsOfFile: String(path), encoding: .utf8)
        } catch {
            throw ProbeError("cannot read \(path): \(error.localizedDescription)")
        }
    }
}
