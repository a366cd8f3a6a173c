import BigRPCTLS
import Foundation
import Logging

extension BigShopApp {
    /// TLS for the public port when the configuration names a certificate
    /// and key, after checking them (a missing, unreadable or invalid file
    /// fails the start with a message naming it); nil, with a warning in the
    /// log, when it names neither.
    static func publicPortSecurity(
        _ configuration: BigShopConfiguration, logger: Logger, tlsLogger: Logger
    ) throws -> TLSServerSecurity? {
        switch (configuration.tlsCertificatePath, configuration.tlsKeyPath) {
        case (nil, nil):
            logger.warning(
                "the public port serves plain text: passwords and card numbers cross the network unencrypted (--tls-cert and --tls-key turn on TLS)"
            )
            return nil
        case (let certificate?, let key?):
            let security = try TLSServerSecurity(
                certificateChainFile: certificate,
                privateKeyFile: key,
                logger: tlsLogger
            )
            let expiry = security.certificateNotValidAfter
            let metadata: Logger.Metadata = [
                "names": "\(security.certificateNames.joined(separator: ","))",
                "not-valid-after": "\(ISO8601DateFormatter().string(from: expiry))",
            ]
            logger.info("the public port serves TLS 1.3", metadata: metadata)
            if expiry < Date() {
                logger.warning("the TLS certificate has expired: clients will refuse it", metadata: metadata)
            }
            return security
        case (_?, nil), (nil, _?):
            // BigShopConfiguration.validate() refuses half a pair before this.
            throw BigShopConfigurationError("--tls-cert and --tls-key (tlsCertificatePath, tlsKeyPath) go together: give both or neither")
        }
    }
}
