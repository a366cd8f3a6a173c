import Metrics

/// The gauges read off the shop's state at every `/metrics` scrape rather
/// than kept current on every change (docs/OPERATIONS.md, "Metrics"):
///
/// - `bigshop_password_hash_queue_depth{class}`: password hashing jobs
///   waiting for a thread, `login` or `register`;
/// - `bigshop_password_hash_running`: jobs on the hashing threads;
/// - the flash sale's remaining units and current drop per campaign.
enum ShopGauges {
    static func record(_ shop: OpenShop) {
        if let auth = shop.auth {
            let depth = auth.hashingQueueDepth
            Gauge(label: "bigshop_password_hash_queue_depth", dimensions: [("class", "login")]).record(depth.login)
            Gauge(label: "bigshop_password_hash_queue_depth", dimensions: [("class", "register")]).record(depth.register)
            Gauge(label: "bigshop_password_hash_running").record(depth.running)
        }
        shop.flashSale?.recordGauges()
    }
}
