/// A conformance case of `interop-v1.md`, modelled on gRPC's interop test
/// case of the same name. The raw value is the name the spec and the
/// `bigrpc-interop client --case` option use.
public enum InteropCase: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case emptyUnary = "empty_unary"
    case largeUnary = "large_unary"
    case clientStreaming = "client_streaming"
    case serverStreaming = "server_streaming"
    case pingPong = "ping_pong"
    case emptyStream = "empty_stream"
    case statusCodeAndMessage = "status_code_and_message"
    case specialStatusMessage = "special_status_message"
    case customMetadata = "custom_metadata"
    case unimplementedMethod = "unimplemented_method"
    case unimplementedService = "unimplemented_service"
    case cancelAfterBegin = "cancel_after_begin"
    case cancelAfterFirstResponse = "cancel_after_first_response"
    case timeoutOnSleepingServer = "timeout_on_sleeping_server"
    case concurrentStreams = "concurrent_streams"

    /// The case's name, e.g. `large_unary`.
    public var description: String { rawValue }

    /// What the case checks, in one line.
    public var summary: String {
        switch self {
        case .emptyUnary:
            "EmptyCall with an empty request returns an empty response"
        case .largeUnary:
            "UnaryCall with a 271828-byte request returns a 314159-byte response"
        case .clientStreaming:
            "StreamingInputCall with 27182, 8, 1828 and 45904 payload bytes returns 74922"
        case .serverStreaming:
            "StreamingOutputCall returns responses of 31415, 9, 2653 and 58979 bytes, in order"
        case .pingPong:
            "FullDuplexCall answers four requests one at a time, each before the next is sent"
        case .emptyStream:
            "FullDuplexCall with no requests ends with OK and no responses"
        case .statusCodeAndMessage:
            "UnaryCall and FullDuplexCall end with the requested code 2 and message"
        case .specialStatusMessage:
            "a status message with whitespace and non-ASCII text comes back intact"
        case .customMetadata:
            "x-echo- request metadata comes back in the trailers of UnaryCall and FullDuplexCall"
        case .unimplementedMethod:
            "UnimplementedCall ends with UNIMPLEMENTED (12)"
        case .unimplementedService:
            "a method of an unknown service ends with UNIMPLEMENTED (12)"
        case .cancelAfterBegin:
            "StreamingInputCall cancelled before any request ends with CANCELLED (1)"
        case .cancelAfterFirstResponse:
            "FullDuplexCall cancelled after its first response ends with CANCELLED (1)"
        case .timeoutOnSleepingServer:
            "FullDuplexCall with a 1 ms deadline on a waiting server ends with DEADLINE_EXCEEDED (4)"
        case .concurrentStreams:
            "100 UnaryCalls in flight at once on one client all succeed with their own responses"
        }
    }
}
