import BigRPC
import Testing

/// `ServerContext`: typed values are per copy (an interceptor hands the
/// handler a changed copy), while trailers are shared by every copy of the
/// call's context, so whoever adds one, it is sent.
@Suite struct ServerContextTests {
    enum Caller: ServerContextKey { typealias Value = String }
    enum Attempt: ServerContextKey { typealias Value = Int }

    static let method = MethodDescriptor(service: "bigrpc.test.Context", method: "Get", kind: .unary)

    func makeContext() -> ServerContext {
        ServerContext(method: Self.method, metadata: ["A": "1"], deadline: nil, peer: "127.0.0.1:5000", requestID: "rid")
    }

    @Test func keepsWhatItIsGiven() {
        let deadline = ContinuousClock.now + .seconds(5)
        let context = ServerContext(method: Self.method, metadata: ["A": "1"], deadline: deadline, peer: "p", requestID: "rid")
        #expect(context.method == Self.method)
        #expect(context.metadata.dictionary == ["a": "1"])
        #expect(context.deadline == deadline)
        #expect(context.peer == "p")
        #expect(context.requestID == "rid")
        #expect(context.trailers.isEmpty)
        #expect(context.values[Caller.self] == nil)
    }

    @Test func valuesAreTypedByKey() {
        var values = ServerContextValues()
        values[Caller.self] = "alice"
        values[Attempt.self] = 2
        #expect(values[Caller.self] == "alice")
        #expect(values[Attempt.self] == 2)
        values[Caller.self] = "bob"
        #expect(values[Caller.self] == "bob")
        values[Caller.self] = nil
        #expect(values[Caller.self] == nil)
        #expect(values[Attempt.self] == 2)
    }

    @Test func valuesGivenAtInitAreThere() {
        var values = ServerContextValues()
        values[Caller.self] = "carol"
        let context = ServerContext(method: Self.method, metadata: [:], deadline: nil, peer: "p", requestID: "r", values: values)
        #expect(context.values[Caller.self] == "carol")
    }

    @Test func valuesBelongToEachCopy() {
        let original = makeContext()
        var copy = original
        copy.values[Caller.self] = "alice"
        #expect(copy.values[Caller.self] == "alice")
        #expect(original.values[Caller.self] == nil)
    }

    @Test func addTrailerLowercasesAndReplaces() {
        let context = makeContext()
        context.addTrailer("Reason", "A")
        context.addTrailer("REASON", "B")
        context.addTrailer("other", "x")
        #expect(context.trailers.dictionary == ["reason": "B", "other": "x"])
    }

    @Test func settingTrailersReplacesThemAll() {
        let context = makeContext()
        context.addTrailer("old", "1")
        context.trailers = ["New": "2"]
        #expect(context.trailers.dictionary == ["new": "2"])
    }

    @Test func trailersAreSharedByEveryCopy() {
        let original = makeContext()
        var copy = original
        copy.values[Caller.self] = "alice"
        copy.addTrailer("from-copy", "1")
        original.addTrailer("from-original", "2")
        #expect(original.trailers.dictionary == ["from-copy": "1", "from-original": "2"])
        #expect(copy.trailers == original.trailers)
    }

    @Test func separateContextsHaveSeparateTrailers() {
        let first = makeContext()
        let second = makeContext()
        first.addTrailer("k", "v")
        #expect(second.trailers.isEmpty)
    }
}
