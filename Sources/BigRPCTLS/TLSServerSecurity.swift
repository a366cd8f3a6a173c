public import BigRPC
public import BigRPCNIO
import Foundation
public import Logging
public import NIOCore
public import NIOSSL

/// TLS 1.3 (and nothing older) on every connection of a ``BigRPCServer``,
/// with a certificate chain and private key from PEM files:
///
/// ```swift
/// var configuration = BigRPCServer.Configuration()
/// configuration.security = try TLSServerSecurity(certificateChainFile: "cert.pem", privateKeyFile: "key.pem")
/// ```
///
/// A client that speaks plain text gets a plain-text GOAWAY (UNAVAILABLE,
/// "this port requires TLS") rather than a TLS alert it could not read. A
/// handshake must finish within ``handshakeTimeout``. Failed handshakes are
/// logged at debug each, and at notice as a count at most once a minute.
///
/// With `clientTrustRootsFile` (mutual TLS), clients must present a
/// certificate signed by one of those CAs; calls then carry the verified
/// ``TLSPeerIdentity`` in `ServerContext.values`.
public struct TLSServerSecurity: ServerConnectionSecurity {
    /// The DNS names and IP addresses the certificate is valid for.
    public let certificateNames: [String]
    /// When the certificate expires.
    public let certificateNotValidAfter: Date
    /// Whether clients must present a certificate (mutual TLS).
    public let requiresClientCertificate: Bool
    /// How long a handshake may take before the connection is closed.
    public let handshakeTimeout: Duration
    /// The checked settings, for another listener that must serve the same
    /// certificate the same way (the shop's HTTP edge).
    public let tlsConfiguration: TLSConfiguration

    private let context: NIOSSLContext
    private let failures: HandshakeFailureLog

    /// Loads and checks the files; throws a ``TLSConfigurationError`` naming
    /// the file when one is missing, unreadable or invalid, or when the key
    /// does not belong to the certificate.
    ///
    /// - Parameters:
    ///   - certificateChainFile: PEM certificates: the server's first, then
    ///     the intermediates that lead to a root clients trust.
    ///   - privateKeyFile: the server certificate's unencrypted PEM private key.
    ///   - clientTrustRootsFile: PEM CA certificates; when set, clients must
    ///     present a certificate signed by one of them (mutual TLS).
    ///   - handshakeTimeout: how long a handshake may take.
    ///   - logger: where failed handshakes are logged.
    public init(
        certificateChainFile: String,
        privateKeyFile: String,
        clientTrustRootsFile: String? = nil,
        handshakeTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "bigrpc.tls")
    ) throws {
        let chain = try PEMFile.certificates(certificateChainFile, what: "TLS certificate")
        let key = try PEMFile.privateKey(privateKeyFile, what: "TLS private key")
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        tls.minimumTLSVersion = .tlsv13
        if let clientTrustRootsFile {
            let roots = try PEMFile.certificates(clientTrustRootsFile, what: "client CA")
            tls.trustRoots = .certificates(roots)
            // Clients have no host name to check; their identity is in the
            // certificate, for interceptors to check.
            tls.certificateVerification = .noHostnameVerification
            tls.sendCANameList = true
        }
        tlsConfiguration = tls
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSConfigurationError(
                "the TLS private key in \(privateKeyFile) does not fit the certificate in \(certificateChainFile) (\(error))"
            )
        }
        certificateNames = Self.names(of: chain[0])
        certificateNotValidAfter = Date(timeIntervalSince1970: TimeInterval(chain[0].notValidAfter))
        requiresClientCertificate = clientTrustRootsFile != nil
        self.handshakeTimeout = handshakeTimeout
        failures = HandshakeFailureLog(logger: logger)
    }

    public func configure(_ channel: any Channel) throws {
        let pipeline = channel.pipeline.syncOperations
        let failures = self.failures
        let peer = channel.remoteAddress
        try pipeline.addHandler(
            PlainTextRefusalHandler { firstByte, peer in
                let hex = String(firstByte, radix: 16)
                failures.record("a plain-text client (first byte 0x\(hex.count == 1 ? "0" + hex : hex))", peer: peer)
            })
        try pipeline.addHandler(NIOSSLServerHandler(context: context))
        let outcome = channel.eventLoop.makePromise(of: Void.self)
        outcome.futureResult.whenFailure { error in
            // Closing before the handshake is what port scanners and TCP
            // health checks do: not worth more than debug.
            if let error = error as? TLSHandshakeError, error.kind == .closed { return }
            failures.record(String(describing: (error as? TLSHandshakeError)?.reason ?? "\(error)"), peer: peer)
        }
        do {
            try pipeline.addHandler(TLSHandshakeHandler(timeout: TimeAmount(handshakeTimeout), staysAfterHandshake: false, outcome: outcome))
        } catch {
            outcome.fail(error)
            throw error
        }
    }

    public func connectionValues(_ channel: any Channel) -> ServerContextValues {
        var values = ServerContextValues()
        if requiresClientCertificate,
            let certificate = try? channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self).peerCertificate
        {
            values[TLSPeerIdentity.self] = TLSPeerIdentity(certificate)
        }
        return values
    }

    /// The DNS names and IP addresses in a certificate's subject alternative names.
    static func names(of certificate: NIOSSLCertificate) -> [String] {
        certificate._subjectAlternativeNames().compactMap { name in
            switch name.nameType {
            case .dnsName: String(decoding: name.contents, as: UTF8.self)
            case .ipAddress: address(Array(name.contents))
            default: nil
            }
        }
    }
}

/// An IP address SAN as text: four bytes dotted, sixteen as eight hex groups.
private func address(_ bytes: [UInt8]) -> String? {
    switch bytes.count {
    case 4:
        return bytes.map(String.init).joined(separator: ".")
    case 16:
        return stride(from: 0, to: 16, by: 2)
            .map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    default:
        return nil
    }
}

extension TimeAmount {
    /// A `Duration` as a `TimeAmount`, saturating instead of overflowing.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflowAgain) = nanoseconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        self = overflow || overflowAgain ? .nanoseconds(seconds < 0 ? .min : .max) : .nanoseconds(total)
    }
}
