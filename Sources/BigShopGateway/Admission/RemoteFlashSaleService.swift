public import BigRPC
public import BigShopFlashSaleAPI

/// The flash sale of another process, as a service a gateway can serve:
/// each call goes on through `client` with the metadata `forwarded` makes
/// of the caller's (its principal, request id and trace context).
public struct RemoteFlashSaleService: Bigshop_Flashsale_V1_FlashSaleService.ServiceProtocol {
    let client: Bigshop_Flashsale_V1_FlashSaleService.Client
    let forwarded: @Sendable (ServerContext) -> Metadata

    public init(client: Bigshop_Flashsale_V1_FlashSaleService.Client, forwarded: @escaping @Sendable (ServerContext) -> Metadata) {
        self.client = client
        self.forwarded = forwarded
    }

    /// The caller's deadline goes on with the call.
    private func options(_ context: ServerContext) -> CallOptions {
        var options = CallOptions.defaults
        if let deadline = context.deadline { options.timeout = max(.zero, deadline - .now) }
        return options
    }

    public func reserve(
        request: Bigshop_Flashsale_V1_ReserveRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Reservation {
        try await client.reserve(request, metadata: forwarded(context), options: options(context))
    }

    public func scheduleCampaign(
        request: Bigshop_Flashsale_V1_ScheduleCampaignRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Campaign {
        try await client.scheduleCampaign(request, metadata: forwarded(context), options: options(context))
    }

    public func getCurrentDrop(
        request: Bigshop_Flashsale_V1_GetCurrentDropRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_Drop {
        try await client.getCurrentDrop(request, metadata: forwarded(context), options: options(context))
    }

    public func listCampaigns(
        request: Bigshop_Flashsale_V1_ListCampaignsRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_ListCampaignsResponse {
        try await client.listCampaigns(request, metadata: forwarded(context), options: options(context))
    }

    public func getCampaignStats(
        request: Bigshop_Flashsale_V1_GetCampaignStatsRequest, context: ServerContext
    ) async throws -> Bigshop_Flashsale_V1_CampaignStats {
        try await client.getCampaignStats(request, metadata: forwarded(context), options: options(context))
    }

    public func watchDrop(
        request: Bigshop_Flashsale_V1_WatchDropRequest, response: RPCWriter<Bigshop_Flashsale_V1_DropUpdate>,
        context: ServerContext
    ) async throws {
        try await client.watchDrop(request, metadata: forwarded(context), options: options(context)) { updates in
            for try await update in updates { try await response.write(update) }
        }
    }
}
