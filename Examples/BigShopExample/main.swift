// A customer's whole journey through BigShop with BigShopClient:
// register → login → browse → cart → checkout → pay by card → watch the
// order until it is CONFIRMED. Each step prints what it did.
//
//   swift run bigshop-example                   # the server of scripts/run, 127.0.0.1:7070
//   BIGSHOP_HOST=… BIGSHOP_PORT=… swift run bigshop-example
//
// Exits 0 when the order is confirmed, 1 on any failure.

import BigShopAuthAPI
import BigShopCatalogAPI
import BigShopClient
import BigShopHistoryAPI
import BigShopOrdersAPI
import BigShopPaymentsAPI
import Foundation

/// R$ 1.234,56 for 123456 centavos.
func brl(_ cents: Int64) -> String {
    let digits = Array(String(cents / 100))
    var reais = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { reais += "." }
        reais.append(digit)
    }
    return "R$ \(reais),\(String(format: "%02d", cents % 100))"
}

func step(_ text: String) {
    print("→ \(text)")
}

let environment = ProcessInfo.processInfo.environment
let host = environment["BIGSHOP_HOST"] ?? "127.0.0.1"
let port = environment["BIGSHOP_PORT"].flatMap(Int.init) ?? 7070
let shop = BigShopClient(host: host, port: port)

do {
    let email = "example-\(UUID().uuidString.prefix(8).lowercased())@bigshop.example"
    let password = "example-\(UUID().uuidString)"

    let user = try await shop.auth.register(.init(email: email, password: password, name: "Example Customer"))
    step("registered \(user.email) (id \(user.id))")

    try await shop.login(email: email, password: password)
    step("signed in")

    let page = try await shop.catalog.listProducts(.init(pageSize: 5))
    step("browsing: \(page.products.count) products")
    for product in page.products {
        print("    \(product.name) — \(brl(product.priceCents)), \(product.stock) in stock")
    }
    guard let product = page.products.first(where: { $0.stock > 0 }) else {
        throw ExampleError("the catalog has nothing in stock: start the server with --seed-demo")
    }

    let cart = try await shop.orders.setCartItem(.init(productId: product.id, quantity: 1))
    step("cart: \(cart.items.map { "\($0.quantity) × \($0.name)" }.joined(separator: ", ")), total \(brl(cart.totalCents))")

    // An idempotency key makes the call safe to retry: the client does so on UNAVAILABLE.
    let order = try await shop.orders.checkout(.init(), metadata: ["idempotency-key": UUID().uuidString])
    step("checked out: order \(order.id), \(order.status), \(brl(order.totalCents))")

    let card = Bigshop_Payments_V1_CardMethod(
        number: "4111111111111111",
        holder: "EXAMPLE CUSTOMER",
        expMonth: 12,
        expYear: Int32(Calendar(identifier: .gregorian).component(.year, from: Date()) + 2),
        cvv: "123",
        installments: 1
    )
    let payment = try await shop.payments.pay(
        .init(orderId: order.id, method: .card(card)),
        metadata: ["idempotency-key": UUID().uuidString]
    )
    step("paid by card: payment \(payment.id), \(payment.status), \(payment.cardBrand) ending \(payment.cardLast4)")

    step("watching order \(order.id)")
    let confirmed = try await shop.history.watchOrder(.init(orderId: order.id)) { events in
        for try await event in events {
            print("    \(event.status)\(event.reason.isEmpty ? "" : " (\(event.reason))")")
            if event.status == .confirmed { return true }
        }
        return false
    }
    guard confirmed else { throw ExampleError("the order ended without being confirmed") }
    step("order \(order.id) is CONFIRMED")

    try await shop.logout()
    step("signed out")
    await shop.close()
} catch {
    FileHandle.standardError.write(Data("bigshop-example: \(error)\n".utf8))
    await shop.close()
    exit(1)
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
