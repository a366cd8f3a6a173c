public import BigRPCNIO
import Foundation
public import NIOCore
import NIOSSL

/// TLS 1.3 (and nothing older) on every connection of a
/// ``BigRPCClientTransport``, verifying the server's certificate and name:
///
/// ```swift
/// var configuration = BigRPCClientTransport.Configuration()
/// configuration.security = try TLSClientSecurity(trustRootsFile: "ca.pem")
/// ```
///
/// The server's certificate must be signed by a trusted CA (the system's, or
/// those of `trustRootsFile`) and be valid for the host connected to: its
/// DNS name, or its IP address when the host is one. ``serverName``
/// overrides the name checked (and sent as SNI). Calls waiting for a
/// connection whose handshake fails get UNAVAILABLE, with a message that
/// starts "TLS handshake failed" and says why.
public struct TLSClientSecurity: ClientConnectionSecurity {
    /// The name the server's certificate must be valid for, instead of the
    /// host connected to; nil checks the host.
    public let serverName: String?
    /// How long a handshake may take.
    public let handshakeTimeout: Duration
    /// A URI the server's certificate must name (such as
    /// `spiffe://bigshop/orders`), checked instead of its host name.
    public let requiredServerURI: String?

    private let context: NIOSSLContext

    /// Loads and checks the files; throws a ``TLSConfigurationError`` naming
    /// the file when one is missing, unreadable or invalid.
    ///
    /// - Parameters:
    ///   - trustRootsFile: PEM CA certificates to trust instead of the
    ///     system's (a private CA).
    ///   - serverName: the name the server's certificate must be valid for,
    ///     when it is not the host connected to (e.g. connecting by address).
    ///   - certificateChainFile: for mutual TLS, this client's PEM certificate
    ///     chain, leaf first.
    ///   - privateKeyFile: for mutual TLS, the client certificate's
    ///     unencrypted PEM private key.
    ///   - handshakeTimeout: how long a handshake may take.
    ///   - requiredServerURI: a URI SAN the server's certificate must have
    ///     (service identity, as SPIFFE names it); when set, the certificate
    ///     is checked for it instead of for the host name.
    public init(
        trustRootsFile: String? = nil,
        serverName: String? = nil,
        certificateChainFile: String? = nil,
        privateKeyFile: String? = nil,
        handshakeTimeout: Duration = .seconds(10),
        requiredServerURI: String? = nil
    ) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv13
        tls.certificateVerification = requiredServerURI == nil ? .fullVerification : .noHostnameVerification
        if let trustRootsFile {
            tls.trustRoots = .certificates(try PEMFile.certificates(trustRootsFile, what: "CA"))
        }
        switch (certificateChainFile, privateKeyFile) {
        case (nil, nil):
            break
        case (let chainFile?, let keyFile?):
            tls.certificateChain = try PEMFile.certificates(chainFile, what: "TLS client certificate").map { .certificate($0) }
            tls.privateKey = .privateKey(try PEMFile.privateKey(keyFile, what: "TLS client private key"))
        default:
            throw TLSConfigurationError("a TLS client certificate needs both its certificate chain file and its private key file")
        }
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw TLSConfigurationError("the TLS client settings cannot be used (\(error))")
        }
        if let serverName, serverName.isEmpty || serverName.utf8.contains(0) {
            throw TLSConfigurationError("the TLS server name \"\(serverName)\" is not a host name")
        }
        self.serverName = serverName
        self.handshakeTimeout = handshakeTimeout
        self.requiredServerURI = requiredServerURI
    }

    public func configure(_ channel: any Channel, host: String) throws -> EventLoopFuture<Void> {
        let name = serverName ?? host
        // An address is not sent as SNI; NIOSSL then checks the certificate's
        // IP addresses against the address connected to.
        let hostname = Self.isIPAddress(name) ? nil : name
        let pipeline = channel.pipeline.syncOperations
        let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: hostname)
        try pipeline.addHandler(tlsHandler)
        let outcome = channel.eventLoop.makePromise(of: Void.self)
        do {
            try pipeline.addHandler(TLSHandshakeHandler(timeout: TimeAmount(handshakeTimeout), staysAfterHandshake: true, outcome: outcome))
        } catch {
            outcome.fail(error)
            throw error
        }
        guard let requiredServerURI else { return outcome.futureResult }
        let handler = NIOLoopBound(tlsHandler, eventLoop: channel.eventLoop)
        return outcome.futureResult.flatMapThrowing {
            let uris = handler.value.peerCertificate.map { TLSPeerIdentity($0).uris } ?? []
            guard uris.contains(requiredServerURI) else {
                channel.close(promise: nil)
                throw TLSHandshakeError(
                    kind: .failed, reason: "the server's certificate does not name \(requiredServerURI) (it names \(uris.joined(separator: ", ")))")
            }
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
