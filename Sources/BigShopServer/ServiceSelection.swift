import Foundation

/// Which of the shop's services one process runs (`--services`): any subset
/// of the parts, and the gateway (the public port).
public struct ServiceSelection: Hashable, Sendable {
    /// The gateway's name in `--services` and in certificates.
    public static let gatewayName = "gateway"
    /// Every name `--services` takes, in the order the docs list them.
    public static let allNames = [gatewayName] + ShopAssembly.Part.allCases.map(\.rawValue)

    public var parts: Set<ShopAssembly.Part>
    /// Whether the process serves the public port.
    public var runsGateway: Bool

    public init(parts: Set<ShopAssembly.Part>, runsGateway: Bool) {
        self.parts = parts
        self.runsGateway = runsGateway
    }

    /// Everything in one process: today's `bigshop serve`.
    public static let all = ServiceSelection(parts: Set(ShopAssembly.Part.allCases), runsGateway: true)

    /// The selection `names` lists; throws naming an unknown or repeated name.
    public init(names: [String]) throws(BigShopConfigurationError) {
        var parts = Set<ShopAssembly.Part>()
        var runsGateway = false
        for name in names {
            let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
            if trimmed == Self.gatewayName, !runsGateway {
                runsGateway = true
            } else if let part = ShopAssembly.Part(rawValue: trimmed), !parts.contains(part) {
                parts.insert(part)
            } else {
                throw BigShopConfigurationError(
                    "--services (services): \"\(name)\" is not a service, or is listed twice; the services are \(Self.allNames.joined(separator: ","))")
            }
        }
        guard runsGateway || !parts.isEmpty else {
            throw BigShopConfigurationError("--services (services) must name at least one of \(Self.allNames.joined(separator: ","))")
        }
        self.init(parts: parts, runsGateway: runsGateway)
    }

    /// Whether this is every service, in one process.
    public var isEverything: Bool { self == .all }

    /// The names, in the docs' order: what certificates and logs name.
    public var names: [String] {
        Self.allNames.filter { $0 == Self.gatewayName ? runsGateway : ShopAssembly.Part(rawValue: $0).map(parts.contains) ?? false }
    }

    /// The parts this process calls but does not run: those it needs peers for.
    public var remoteDependencies: Set<ShopAssembly.Part> {
        var needed = parts.reduce(into: Set<ShopAssembly.Part>()) { $0.formUnion($1.dependencies) }
        if runsGateway { needed.formUnion(ShopAssembly.Part.publicParts) }
        return needed.subtracting(parts)
    }
}
