import Testing
import BigShopServiceKit

@Suite("Peer addresses")
struct PeerAddressTests {
    @Test(arguments: [
        ("127.0.0.1:5000", "127.0.0.1"),
        ("[::1]:5000", "::1"),
        ("::1", "::1"),
        ("in-process", "in-process"),
    ])
    func theHostOfAPeer(peer: String, host: String) {
        #expect(PeerAddress.host(of: peer) == host)
    }
}
