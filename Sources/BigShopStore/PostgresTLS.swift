import Foundation
import NIOSSL
import PostgresNIO

/// TLS to PostgreSQL, as libpq's `sslmode`, `sslrootcert`, `sslcert` and `sslkey` URL
/// parameters say it.
///
/// | `sslmode` | encrypted | server certificate checked |
/// |---|---|---|
/// | `disable` | no | no |
/// | `prefer` (the default) | if the server offers TLS | no |
/// | `require` | yes, or no connection | no; against `sslrootcert` when it is given (as libpq) |
/// | `verify-ca` | yes | signed by `sslrootcert` |
/// | `verify-full` | yes | signed by `sslrootcert`, and names the URL's host (a DNS or IP subject alternative name) |
///
/// `sslrootcert` is a PEM file of CA certificates, or `system` for the system's trust
/// roots (then only with `verify-full`, as libpq). `sslcert` and `sslkey` (PEM, together)
/// give a client certificate. libpq's `allow` is not supported.
public struct PostgresTLS: Sendable, Hashable {
    /// How much TLS the connection insists on.
    public enum Mode: String, Sendable, Hashable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The `sslmode`.
    public var mode: Mode
    /// `sslrootcert`: a PEM file of trusted CA certificates, or `system`.
    public var rootCertificates: String?
    /// `sslcert`: the client certificate chain, PEM.
    public var certificate: String?
    /// `sslkey`: the client certificate's private key, PEM.
    public var key: String?

    /// libpq's default: `sslmode=prefer`, nothing else.
    public static let preferred = PostgresTLS(checked: .prefer)

    private init(checked mode: Mode) {
        self.mode = mode
    }

    /// Creates settings; throws ``StoreError/invalidConfiguration(_:)`` for a combination
    /// libpq would refuse.
    public init(mode: Mode = .prefer, rootCertificates: String? = nil, certificate: String? = nil, key: String? = nil) throws {
        self.mode = mode
        self.rootCertificates = rootCertificates
        self.certificate = certificate
        self.key = key
        if (mode == .verifyCA || mode == .verifyFull) && rootCertificates == nil {
            throw StoreError.invalidConfiguration(
                "sslmode=\(mode.rawValue) needs sslrootcert=FILE (the CA that signs the server's certificate) or sslrootcert=system")
        }
        if rootCertificates == "system" && mode != .verifyFull {
            throw StoreError.invalidConfiguration("sslrootcert=system needs sslmode=verify-full")
        }
        if (certificate == nil) != (key == nil) {
            throw StoreError.invalidConfiguration("sslcert and sslkey go together: give both or neither")
        }
    }

    /// What is checked of the server's certificate.
    enum Verification: Sendable, Hashable {
        /// Nothing: encryption against a passive listener only.
        case unchecked
        /// Its chain, up to ``PostgresTLS/rootCertificates``.
        case chain
        /// Its chain, and that it names the URL's host.
        case chainAndHost
    }

    /// What is checked, `nil` for no TLS at all.
    var verification: Verification? {
        switch mode {
        case .disable: nil
        case .prefer: .unchecked
        case .require: rootCertificates == nil ? .unchecked : .chain
        case .verifyCA: .chain
        case .verifyFull: .chainAndHost
        }
    }

    /// postgres-nio's setting, with the certificate files read now.
    func driverSetting() throws -> PostgresConnection.Configuration.TLS {
        guard let verification else { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch verification {
        case .unchecked:
            tls.certificateVerification = .none
            // Nothing to trust: spares reading the system's CA bundle at every connection.
            tls.trustRoots = .certificates([])
        case .chain: tls.certificateVerification = .noHostnameVerification
        case .chainAndHost: tls.certificateVerification = .fullVerification
        }
        if verification != .unchecked, let rootCertificates {
            tls.trustRoots = rootCertificates == "system" ? .default : .certificates(try Self.certificates(rootCertificates, "sslrootcert"))
        }
        if let certificate, let key {
            tls.certificateChain = try Self.certificates(certificate, "sslcert").map { .certificate($0) }
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw StoreError.invalidConfiguration("sslkey \(key) is not a readable PEM private key (\(error))")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw StoreError.invalidConfiguration("the TLS settings for PostgreSQL are not usable: \(error)")
        }
        return mode == .prefer ? .prefer(context) : .require(context)
    }

    private static func certificates(_ path: String, _ parameter: String) throws -> [NIOSSLCertificate] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw StoreError.invalidConfiguration("\(parameter) \(path) does not exist or cannot be read")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw StoreError.invalidConfiguration("\(parameter) \(path) is not a PEM certificate file (\(error))")
        }
        guard !certificates.isEmpty else { throw StoreError.invalidConfiguration("\(parameter) \(path) holds no certificate") }
        return certificates
    }

    /// The URL parameters that say these settings, empty for the default.
    var urlQuery: String {
        var items: [String] = []
        if mode != .prefer { items.append("sslmode=\(mode.rawValue)") }
        if let rootCertificates { items.append("sslrootcert=\(rootCertificates)") }
        if let certificate { items.append("sslcert=\(certificate)") }
        if let key { items.append("sslkey=\(key)") }
        return items.joined(separator: "&")
    }
}
