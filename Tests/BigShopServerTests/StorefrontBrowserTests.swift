import BigShopServerTestSupport
import ChildProcess
import Foundation
import Testing

/// The storefront in a real browser: headless Chromium opens the page the
/// HTTP edge serves at `/` and goes through a purchase with its own buttons
/// and forms (`storefront-selftest.js`: sign up, search, cart, card payment
/// with the status changing live, a Pix code and its QR image, which zbarimg
/// must read back, a cancellation, a flash-sale
/// reservation and the per-customer limit). Screenshots
/// are kept in `.build/artefacts/storefront/` (or `$BIGSHOP_ARTEFACTS`).
@Suite("Storefront in Chromium", .serialized, .timeLimit(.minutes(3)))
struct StorefrontBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static var artefacts: String {
        if let directory = ProcessInfo.processInfo.environment["BIGSHOP_ARTEFACTS"] { return directory + "/storefront" }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/artefacts/storefront").path
    }

    /// Runs headless Chromium on `url` with `arguments`; virtual time lets
    /// the page's scripts run to their end before it dumps or shoots.
    static func runChromium(_ arguments: [String], url: String) async throws -> String {
        let chromium = try #require(chromium, "chromium is missing: scripts/install-deps installs it")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("bigshop-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let process = try ChildProcess(
            executable: chromium,
            arguments: [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(profile)", "--virtual-time-budget=60000",
            ] + arguments + [url],
            standardOutput: .capture, standardError: .capture)
        let termination = await process.wait(killingAfter: .seconds(90))
        let output = String(decoding: await process.standardOutput(), as: UTF8.self)
        let errors = String(decoding: await process.standardError(), as: UTF8.self)
        #expect(termination.code == 0, "chromium: \(errors.suffix(2_000))")
        return output
    }

    @Test func aShopperBuysThroughTheStorefront() async throws {
        let httpPort = try LoopbackPort.free()
        try FileManager.default.createDirectory(atPath: Self.artefacts, withIntermediateDirectories: true)
        try await withShop(configure: {
            $0.httpPort = httpPort
            $0.seedDemoCatalog = true
        }) { shop in
            // A drop open from the page's first second.
            let admin = try await shop.admin()
            let iphone = try #require(try await admin.catalog.listProducts(.init(query: "iphone")).products.first)
            _ = try await admin.flashSale.scheduleCampaign(
                .init(
                    productId: iphone.id, startsAtMs: Int64(Date().timeIntervalSince1970 * 1000) + 500, drops: 1,
                    unitsPerDrop: 100, priceCents: 100, dropIntervalMs: 3_600_000, holdMs: 600_000, perCustomerLimit: 1))
            try await Task.sleep(for: .seconds(1))
            let base = "http://127.0.0.1:\(httpPort)/"
            let dom = try await Self.runChromium(["--dump-dom"], url: base + "#selftest")
            let log =
                dom.components(separatedBy: "<pre id=\"selftest\">").dropFirst().first?
                .components(separatedBy: "</pre>").first ?? "(no self-test output)"
            #expect(log.contains("SELFTEST PASS"), "\(log)")
            #expect(
                log.contains("paid by card, live status: Confirmado") && log.contains("as text and QR Code")
                    && log.contains("cancelled, live status: Cancelado"))
            #expect(log.contains("flash sale: reserved one of") && log.contains("a second press is refused"))

            // Screenshots for people: the catalog, and the page after a journey.
            // (`#static`: no open stream, which would stop Chromium's virtual time.)
            for (name, fragment) in [("catalog", "#static"), ("purchase", "#selftest"), ("pix", "#selftest-pix")] {
                let file = Self.artefacts + "/\(name).png"
                try? FileManager.default.removeItem(atPath: file)
                _ = try await Self.runChromium(["--screenshot=\(file)", "--window-size=1280,1600"], url: base + fragment)
                let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                #expect(size > 10_000, "\(file): \(size) bytes")
            }

            // The Pix QR Code on the page scans as the BR Code, as a bank app
            // would read it.
            let scanned = try ChildProcess(
                executable: "/usr/bin/zbarimg", arguments: ["-q", "--raw", Self.artefacts + "/pix.png"],
                standardOutput: .capture, standardError: .discard)
            _ = await scanned.wait(killingAfter: .seconds(30))
            let code = String(decoding: await scanned.standardOutput(), as: UTF8.self)
            #expect(code.hasPrefix("000201") && code.contains("br.gov.bcb.pix"), "zbarimg read: \(code)")
        }
    }
}
