public import BigRPC
public import BigShopFlashSaleAPI
import BigShopServiceKit

/// The flash sale as a gateway serves it: every call goes to `upstream` (the
/// local service, or a client of a remote one) as it is, except Reserve,
/// which passes ``DropAdmission`` first.
public struct AdmittedFlashSaleService: Bigshop_Flashsale_V1_FlashSaleService.ServiceProtocol {
    let upstream: any Bigshop_Flashsale_V1_FlashSaleService.ServiceProtocol
    let admission: DropAdmission

    public init(upstream: any Bigshop_Flashsale_V1_FlashSaleService.ServiceProtocol, admission: DropAdmission) {
        self.upstream = upstream
        self.admission = admission
    }

    public func reserve(
        request: Bigshop_Flashsale_V1_ReserveRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Reservation {
        // The gateway's role check admitted only customers; without a
        // principal the owner answers UNAUTHENTICATED.
        guard let customer = context.principal?.userID else { return try await upstream.reserve(request: request, context: context) }
        return try await admission.reserve(campaignID: request.campaignId, customer: customer) {
            try await upstream.reserve(request: request, context: context)
        }
    }

    public func scheduleCampaign(
        request: Bigshop_Flashsale_V1_ScheduleCampaignRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Campaign {
        try await upstream.scheduleCampaign(request: request, context: context)
    }

    public func getCurrentDrop(
        request: Bigshop_Flashsale_V1_GetCurrentDropRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Drop {
        try await upstream.getCurrentDrop(request: request, context: context)
    }

    public func listCampaigns(
        request: Bigshop_Flashsale_V1_ListCampaignsRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_ListCampaignsResponse {
        try await upstream.listCampaigns(request: request, context: context)
    }

    public func getCampaignStats(
        request: Bigshop_Flashsale_V1_GetCampaignStatsRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_CampaignStats {
        try await upstream.getCampaignStats(request: request, context: context)
    }

    /// Served from the gateway's own feed of the campaign (one WatchDrop to
    /// the owner per gateway, however many browsers watch), once the owner
    /// has said the campaign exists.
    public func watchDrop(
        request: Bigshop_Flashsale_V1_WatchDropRequest, response: RPCWriter<Bigshop_Flashsale_V1_DropUpdate>,
        context: ServerContext
    ) async throws {
        _ = try await upstream.getCurrentDrop(request: .init(campaignId: request.campaignId), context: context)
        guard let updates = admission.updates(campaignID: request.campaignId) else {
            return try await upstream.watchDrop(request: request, response: response, context: context)
        }
        for await update in updates {
            try await response.write(update)
        }
        try Task.checkCancellation()
        // The gate was given up (the gateway stops): the caller watches again.
        throw RPCError(.unavailable, "the drop's feed ended; watch again", metadata: [Metadata.retryAfterKey: "1000"])
    }
}
