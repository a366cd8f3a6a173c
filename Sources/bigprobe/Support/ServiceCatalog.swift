import BigRPC
import BigRPCCodec
import BigRPCProtos
import BigRPCTestingProtos
import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopFlashSaleAPI
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI

/// One service whose descriptors are compiled into `bigprobe`.
struct CompiledService {
    let name: String
    let methods: [MethodDescriptor]
    /// Each method's request and response types, by method name.
    let messageTypes: [String: (input: ProtoMessageDescriptor, output: ProtoMessageDescriptor)]

    /// The service's name without its package: `CatalogService`.
    var shortName: String { String(name.split(separator: ".").last ?? Substring(name)) }
}

/// What `bigprobe` knows without asking a server: every service of the
/// generated modules it links, and every message and enum they use.
enum ServiceCatalog {
    static let services: [CompiledService] = [
        CompiledService(
            name: Bigrpc_Health_V1_Health.serviceName,
            methods: Bigrpc_Health_V1_Health.Method.all,
            messageTypes: Bigrpc_Health_V1_Health.messageTypes
        ),
        CompiledService(
            name: Bigrpc_Reflection_V1_Reflection.serviceName,
            methods: Bigrpc_Reflection_V1_Reflection.Method.all,
            messageTypes: Bigrpc_Reflection_V1_Reflection.messageTypes
        ),
        CompiledService(
            name: Bigrpc_Testing_V1_TestService.serviceName,
            methods: Bigrpc_Testing_V1_TestService.Method.all,
            messageTypes: Bigrpc_Testing_V1_TestService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Auth_V1_AuthService.serviceName,
            methods: Bigshop_Auth_V1_AuthService.Method.all,
            messageTypes: Bigshop_Auth_V1_AuthService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Auth_V1_SessionVerifier.serviceName,
            methods: Bigshop_Auth_V1_SessionVerifier.Method.all,
            messageTypes: Bigshop_Auth_V1_SessionVerifier.messageTypes
        ),
        CompiledService(
            name: Bigshop_Catalog_V1_CatalogService.serviceName,
            methods: Bigshop_Catalog_V1_CatalogService.Method.all,
            messageTypes: Bigshop_Catalog_V1_CatalogService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Catalog_V1_InventoryService.serviceName,
            methods: Bigshop_Catalog_V1_InventoryService.Method.all,
            messageTypes: Bigshop_Catalog_V1_InventoryService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Orders_V1_OrdersService.serviceName,
            methods: Bigshop_Orders_V1_OrdersService.Method.all,
            messageTypes: Bigshop_Orders_V1_OrdersService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Orders_V1_OrderLedger.serviceName,
            methods: Bigshop_Orders_V1_OrderLedger.Method.all,
            messageTypes: Bigshop_Orders_V1_OrderLedger.messageTypes
        ),
        CompiledService(
            name: Bigshop_Payments_V1_PaymentsService.serviceName,
            methods: Bigshop_Payments_V1_PaymentsService.Method.all,
            messageTypes: Bigshop_Payments_V1_PaymentsService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Payments_V1_PaymentLedger.serviceName,
            methods: Bigshop_Payments_V1_PaymentLedger.Method.all,
            messageTypes: Bigshop_Payments_V1_PaymentLedger.messageTypes
        ),
        CompiledService(
            name: Bigshop_History_V1_HistoryService.serviceName,
            methods: Bigshop_History_V1_HistoryService.Method.all,
            messageTypes: Bigshop_History_V1_HistoryService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Flashsale_V1_FlashSaleService.serviceName,
            methods: Bigshop_Flashsale_V1_FlashSaleService.Method.all,
            messageTypes: Bigshop_Flashsale_V1_FlashSaleService.messageTypes
        ),
        CompiledService(
            name: Bigshop_Flashsale_V1_HoldLedger.serviceName,
            methods: Bigshop_Flashsale_V1_HoldLedger.Method.all,
            messageTypes: Bigshop_Flashsale_V1_HoldLedger.messageTypes
        ),
    ].sorted { $0.name < $1.name }

    static func service(named name: String) -> CompiledService? {
        let name = name.hasPrefix(".") ? String(name.dropFirst()) : name
        return services.first { $0.name == name }
    }

    /// A method named `package.Service/Method`, `/package.Service/Method` or
    /// `package.Service.Method`, with its request and response types.
    static func method(named name: String) -> (
        method: MethodDescriptor, input: ProtoMessageDescriptor, output: ProtoMessageDescriptor
    )? {
        var name = name.hasPrefix("/") || name.hasPrefix(".") ? String(name.dropFirst()) : name
        if !name.contains("/"), let dot = name.lastIndex(of: ".") {
            name.replaceSubrange(dot...dot, with: "/")
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let service = service(named: String(parts[0])),
              let method = service.methods.first(where: { $0.method == parts[1] }),
              let types = service.messageTypes[method.method]
        else { return nil }
        return (method, types.input, types.output)
    }

    /// Every message type the services use, directly or through fields,
    /// by full name (map entry types included).
    static let messages: [String: ProtoMessageDescriptor] = {
        var found: [String: ProtoMessageDescriptor] = [:]
        var pending = services.flatMap { $0.messageTypes.values.flatMap { [$0.input, $0.output] } }
        while let message = pending.popLast() {
            guard found.updateValue(message, forKey: message.fullName) == nil else { continue }
            pending += message.fields.compactMap(\.messageType)
        }
        return found
    }()

    /// Every enum type the messages use, by full name.
    static let enums: [String: ProtoEnumDescriptor] = {
        var found: [String: ProtoEnumDescriptor] = [:]
        for message in messages.values {
            for type in message.fields.compactMap(\.enumType) { found[type.fullName] = type }
        }
        return found
    }()
}
