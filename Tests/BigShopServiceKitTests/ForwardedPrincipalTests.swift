import BigRPC
import BigShopServiceKit
import Testing

@Suite struct ForwardedPrincipalTests {
    @Test func aPrincipalSurvivesTheRoundTrip() {
        for principal in [
            Principal(userID: "usr_1", role: .customer, email: "ana;maria@example.com", sessionID: "abc"),
            Principal(userID: "usr_2", role: .admin, email: "", sessionID: nil),
            Principal(userID: "usr_3", role: .customer, email: "joão@exemplo.com.br"),
        ] {
            #expect(ForwardedPrincipal.decode(ForwardedPrincipal.encode(principal)) == principal)
        }
    }

    @Test(arguments: ["", "v1", "v2;usr_1;customer;;", "v1;;customer;;", "v1;usr_1;root;;", "v1;usr_1;customer;;!!", "v1;usr_1;customer;s;e;x"])
    func aMalformedValueIsRefused(_ value: String) {
        #expect(ForwardedPrincipal.decode(value) == nil)
    }

    @Test func thePublicPartDropsTheTokenAndReservedKeys() {
        let metadata: Metadata = [
            "authorization": "Bearer t", "x-bigshop-principal": "v1;usr_admin;admin;;", "X-BigShop-Anything": "x",
            "idempotency-key": "k", "x-request-id": "r",
        ]
        #expect(ForwardedPrincipal.publicPart(of: metadata) == ["idempotency-key": "k", "x-request-id": "r"])
    }
}
