import BigShopServiceKit
import Testing

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

    @Test(arguments: [
        ("127.0.0.1:5000", "127.0.0.1"),
        ("203.0.113.7", "203.0.113.7"),
        ("[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2:ffff:ffff:ffff:ffff]:443", "2001:db8:1:2::/64"),
        ("[2001:DB8:0:0::1]:443", "2001:db8::/64"),
        ("[fe80::1%eth0]:443", "fe80::/64"),
        ("[::ffff:192.0.2.1]:443", "192.0.2.1"),
        ("[::1]:5000", "::/64"),
        ("in-process", "in-process"),
        ("[not:an:address]:1", "not:an:address"),
    ])
    func theLimitKeyOfAPeer(peer: String, key: String) {
        #expect(PeerAddress.limitKey(of: peer) == key)
    }

    /// Every address of one /64 shares a key; the next /64 does not.
    @Test func oneIPv6SubscriberIsOneKey() {
        let keys = Set(
            (0..<100).map { index in
                PeerAddress.limitKey(of: "[2001:db8:aa:bb:\(String(index, radix: 16)):1:2:3]:443")
            })
        #expect(keys == ["2001:db8:aa:bb::/64"])
        #expect(PeerAddress.limitKey(of: "[2001:db8:aa:bc::1]:443") != "2001:db8:aa:bb::/64")
    }
}
