import HTTPTypes
import Hummingbird

/// CORS for a list of origins: Hummingbird's `CORSMiddleware` answers
/// preflights and adds the headers, for the origins listed only. A request
/// from another origin reaches the route without its `Origin`, so it gets no
/// CORS headers and the browser keeps the page from reading the answer.
struct AllowedOriginsMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: Set<String>
    let cors: CORSMiddleware<Context>

    init(_ origins: [String]) {
        allowed = Set(origins)
        cors = CORSMiddleware(
            allowOrigin: origins.contains("*") ? .all : .originBased,
            allowHeaders: [
                .accept, .authorization, .contentType, .origin, HTTPField.Name("last-event-id")!,
                HTTPField.Name("idempotency-key")!, HTTPField.Name("x-request-id")!, HTTPField.Name("x-timeout-ms")!,
            ],
            allowMethods: [.get, .post, .options],
            exposedHeaders: ["retry-after", "retry-after-ms", "x-request-id", "reason"])
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], !allowed.contains("*"), !allowed.contains(origin) else {
            return try await cors.handle(request, context: context, next: next)
        }
        var head = request.head
        head.headerFields[.origin] = nil
        return try await next(Request(head: head, body: request.body), context)
    }
}
