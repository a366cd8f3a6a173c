import BigRPCTLS
import Foundation
import Logging

/// Mutual TLS 1.3 between the shop's processes: one certificate per
/// process, naming its services as `spiffe://bigshop/<service>` URIs, all
/// signed by one CA.
struct InternalTLS: Sendable {
    var certificateFile: String
    var keyFile: String
    var caFile: String

    /// The configuration's internal TLS files, or nil when it names none.
    init?(_ configuration: BigShopConfiguration) {
        guard let certificate = configuration.internalTLSCertificatePath, let key = configuration.internalTLSKeyPath,
            let ca = configuration.internalCAPath
        else { return nil }
        self.init(certificateFile: certificate, keyFile: key, caFile: ca)
    }

    init(certificateFile: String, keyFile: String, caFile: String) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.caFile = caFile
    }

    /// The URI that names `service` in a certificate.
    static func uri(of service: String) -> String { "spiffe://bigshop/\(service)" }

    /// The internal port's side: clients must present a certificate of the CA.
    func serverSecurity(logger: Logger) throws -> TLSServerSecurity {
        try TLSServerSecurity(certificateChainFile: certificateFile, privateKeyFile: keyFile, clientTrustRootsFile: caFile, logger: logger)
    }

    /// The side of a client of `service`'s peers: presents this process's
    /// certificate and accepts only a server whose certificate names `service`.
    func clientSecurity(for service: String) throws -> TLSClientSecurity {
        try TLSClientSecurity(
            trustRootsFile: caFile, certificateChainFile: certificateFile, privateKeyFile: keyFile,
            requiredServerURI: Self.uri(of: service))
    }

    /// The services this process's certificate names.
    func certificateServiceNames() throws -> Set<String> {
        let identity = try TLSPeerIdentity(certificateFile: certificateFile)
        return InternalCallInterceptor.serviceNames(in: identity)
    }
}
