import ArgumentParser
import BigRPC
import BigRPCNIO
import BigShopFlashSaleAPI
import Foundation

/// `bigprobe rehearse HOST:PORT [--customers N] [--presses K] [--campaign ID]`:
/// one flash-sale drop as the business sees it, checked end to end.
struct RehearseCommand: ProbeCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Rehearse a flash-sale drop: N customers press Reserve at once; check that no unit is oversold or lost.",
        discussion: """
            Needs an admin session for HOST:PORT (bigprobe login HOST:PORT --email ADMIN). \
            Signs up N customers with the admin-only AuthService.CreateCustomers (no \
            password is hashed: seconds for 10,000), connects each over its own \
            connection, waits for the campaign's next drop to open (the open one \
            at once), has every customer press Reserve K times at the same instant, \
            pays a share of the holds (card and Pix), waits for the others to expire, \
            and reports holds granted, answers, latency percentiles, payments and \
            the server's counts (FlashSaleService.GetCampaignStats). The campaign \
            is --campaign, or else the first of ListCampaigns. \
            Exit codes: 0 when every check passed, 2 when one failed (so it serves \
            as a smoke test), 64 + status for a call that could not be made. \
            Rehearse a campaign nobody else is buying from: other customers' holds \
            would count as this rehearsal's. From one address, a launch server's \
            defaults allow 500 connections, 2,048 open streams and a burst of 2,000 \
            calls: for more customers, raise --max-connections-per-address, \
            --max-open-streams-per-address and --pre-auth-address-burst on the server \
            (docs/OPERATIONS.md) or rehearse from several machines.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: ArgumentHelp("The server.", valueName: "host:port"))
    var endpoint: Endpoint

    @Option(help: "Simulated customers, each on its own connection.")
    var customers = 400

    @Option(help: "Times each customer presses Reserve, all at the same instant.")
    var presses = 1

    @Option(help: "The campaign to rehearse (default: the first ListCampaigns gives).")
    var campaign: String?

    @Option(help: "The share of the holds to pay, 0 to 1; half by card, half by Pix. The others expire.")
    var payShare = 0.5

    @Option(help: "The longest to wait for the drop to open, in seconds.")
    var maxWait = 600.0

    @Option(help: "Report format: text or json.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Also write the report as HTML, with a latency histogram and a timeline of units remaining.", valueName: "file"))
    var html: String?

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard (1...100_000).contains(customers) else { throw ValidationError("--customers must be between 1 and 100000") }
        guard (1...10).contains(presses) else { throw ValidationError("--presses must be between 1 and 10") }
        guard (0...1).contains(payShare) else { throw ValidationError("--pay-share must be between 0 and 1") }
        guard maxWait >= 0, maxWait.isFinite else { throw ValidationError("--max-wait must be a number of seconds") }
    }

    func execute() async throws -> Int32 {
        guard let token = TokenStore().token(for: endpoint) else {
            throw ProbeError("no session for \(endpoint): sign in as an admin first (bigprobe login \(endpoint) --email ADMIN)")
        }
        DescriptorLimit.raise()
        let transports = try connection.transports(to: endpoint, count: customers + 2)
        let admin = ShopCaller(transport: transports[0], token: token)
        let watcher = ShopCaller(transport: transports[1], token: nil)
        do {
            let report = try await Rehearsal(
                admin: admin, watcher: watcher, customerTransports: Array(transports.dropFirst(2)), campaignID: campaign,
                presses: presses, payShare: payShare, maxWait: .seconds(maxWait)
            ).run()
            await Self.close(transports)
            Terminal.write(format == .json ? try report.report.json() : report.report.text)
            if let html {
                let page = RehearsalHTML.page(report.report, latenciesMs: report.latenciesMs, timeline: report.timeline)
                do {
                    try page.write(toFile: html, atomically: true, encoding: .utf8)
                } catch {
                    throw ProbeError("cannot write \(html): \(error.localizedDescription)")
                }
            }
            return report.report.passed ? 0 : 2
        } catch {
            await Self.close(transports)
            throw error
        }
    }

    private static func close(_ transports: [BigRPCClientTransport]) async {
        _ = await concurrentMap(transports.count, width: 256) { await transports[$0].close() }
    }
}
