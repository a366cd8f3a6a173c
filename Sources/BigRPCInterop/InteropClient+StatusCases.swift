import BigRPC
import BigRPCTestingProtos

extension InteropClient {
    /// The message `status_code_and_message` asks for.
    static let testStatusMessage = "test status message"

    /// The message `special_status_message` asks for: tabs, newlines and
    /// text in and beyond the Basic Multilingual Plane.
    static let specialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"

    /// A method of a service no conformance server has.
    static let unimplementedServiceMethod = MethodDescriptor(
        service: "bigrpc.testing.v1.UnimplementedService",
        method: "UnimplementedCall",
        kind: .unary
    )

    /// `status_code_and_message`: UnaryCall and FullDuplexCall asking for
    /// code 2 and "test status message" end with them.
    func statusCodeAndMessage() async throws(InteropFailure) {
        let status = Bigrpc_Testing_V1_EchoStatus(code: StatusCode.unknown.rawValue, message: Self.testStatusMessage)
        try await Expect.failure("UnaryCall", code: .unknown, message: Self.testStatusMessage) {
            try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseStatus: status))
        }
        try await Expect.failure("FullDuplexCall", code: .unknown, message: Self.testStatusMessage) {
            try await service.fullDuplexCall { requests, responses in
                try await requests.write(Bigrpc_Testing_V1_StreamingOutputCallRequest(responseStatus: status), isLast: true)
                return try await responses.payloads()
            }
        }
    }

    /// `special_status_message`: a status message with whitespace and
    /// non-ASCII text comes back intact.
    func specialStatusMessage() async throws(InteropFailure) {
        let status = Bigrpc_Testing_V1_EchoStatus(code: StatusCode.unknown.rawValue, message: Self.specialStatusMessage)
        try await Expect.failure("UnaryCall", code: .unknown, message: Self.specialStatusMessage) {
            try await service.unaryCall(Bigrpc_Testing_V1_SimpleRequest(responseStatus: status))
        }
    }

    /// `unimplemented_method`: UnimplementedCall, declared but not
    /// implemented, ends with UNIMPLEMENTED.
    func unimplementedMethod() async throws(InteropFailure) {
        try await Expect.failure("UnimplementedCall", code: .unimplemented) {
            try await service.unimplementedCall(Bigrpc_Testing_V1_Empty())
        }
    }

    /// `unimplemented_service`: a method of a service the server does not
    /// have ends with UNIMPLEMENTED.
    func unimplementedService() async throws(InteropFailure) {
        let method = Self.unimplementedServiceMethod
        try await Expect.failure(method.path, code: .unimplemented) {
            try await service.rpcClient.unary(
                request: Bigrpc_Testing_V1_Empty(),
                method: method,
                responseType: Bigrpc_Testing_V1_Empty.self
            ).message
        }
    }
}
