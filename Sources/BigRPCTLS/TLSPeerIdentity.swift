public import BigRPC
import NIOSSL

/// The certificate a TLS client presented and the server verified against
/// its client trust roots (mutual TLS). Interceptors and handlers find it in
/// `context.values[TLSPeerIdentity.self]`; calls of clients without a
/// verified certificate carry none.
public struct TLSPeerIdentity: Hashable, Sendable, ServerContextKey {
    public typealias Value = TLSPeerIdentity

    /// The certificate's URI subject alternative names, such as
    /// `spiffe://bigshop/orders`.
    public var uris: [String]
    /// The certificate's DNS subject alternative names.
    public var dnsNames: [String]
    /// The leaf certificate, DER-encoded.
    public var certificateDER: [UInt8]

    public init(uris: [String], dnsNames: [String], certificateDER: [UInt8]) {
        self.uris = uris
        self.dnsNames = dnsNames
        self.certificateDER = certificateDER
    }

    /// The identity in the first certificate of a PEM file (one's own, to
    /// check what it names); throws a ``TLSConfigurationError`` naming the
    /// file when it holds none.
    public init(certificateFile: String) throws {
        self.init(try PEMFile.certificates(certificateFile, what: "TLS certificate")[0])
    }

    init(_ certificate: NIOSSLCertificate) {
        var uris: [String] = []
        var dnsNames: [String] = []
        for name in certificate._subjectAlternativeNames() {
            switch name.nameType {
            case .uri: uris.append(String(decoding: name.contents, as: UTF8.self))
            case .dnsName: dnsNames.append(String(decoding: name.contents, as: UTF8.self))
            default: break
            }
        }
        self.init(uris: uris, dnsNames: dnsNames, certificateDER: (try? certificate.toDERBytes()) ?? [])
    }
}
