import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A plain HTTP/1.1 client (Foundation's URLSession, i.e. libcurl on
/// Linux) for the HTTP edge's tests: what a phone app or a script would use.
struct HTTPClient {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        /// A header, by lowercase name.
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    let base: String
    private let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    init(port: Int) { base = "http://127.0.0.1:\(port)" }

    func send(
        _ method: String, _ path: String, body: Data? = nil, token: String? = nil,
        headers: [String: String] = ["content-type": "application/json"]
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "authorization") }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            fields["\(name)".lowercased()] = "\(value)"
        }
        return Answer(status: http.statusCode, headers: fields, body: data)
    }

    /// POSTs a JSON object to `/<package>.<Service>/<Method>`.
    func call(
        _ method: String, _ json: [String: Any] = [:], token: String? = nil, headers: [String: String] = [:]
    )
        async throws -> Answer
    {
        try await send(
            "POST", "/" + method, body: try JSONSerialization.data(withJSONObject: json), token: token,
            headers: ["content-type": "application/json"].merging(headers) { $1 })
    }
}
