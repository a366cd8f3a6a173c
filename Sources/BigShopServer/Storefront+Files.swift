import BigRPCHTTP
import Foundation

/// What the HTTP edge serves beside the API (`Storefront/`): the storefront
/// (HTML, CSS and plain JavaScript over the HTTP/JSON API, no build step) at
/// `/`, and the API's OpenAPI document (made by `scripts/generate`) at
/// `/openapi.json`.
enum StorefrontFiles {
    static let files: [(path: String, file: String, contentType: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/storefront.js", "storefront.js", "text/javascript; charset=utf-8"),
        ("/storefront-selftest.js", "storefront-selftest.js", "text/javascript; charset=utf-8"),
        ("/storefront.css", "storefront.css", "text/css; charset=utf-8"),
        ("/qrcode.js", "qrcode.js", "text/javascript; charset=utf-8"),
        ("/openapi.json", "openapi.json", "application/json"),
    ]

    /// The files, read once from the package's resources.
    static func load() throws -> [String: HTTPStaticFile] {
        var loaded: [String: HTTPStaticFile] = [:]
        for (path, name, contentType) in files {
            guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Storefront") else {
                throw BigShopConfigurationError("the storefront's \(name) is missing from the server's resources")
            }
            loaded[path] = HTTPStaticFile(contentType: contentType, body: Array(try Data(contentsOf: url)))
        }
        return loaded
    }
}
