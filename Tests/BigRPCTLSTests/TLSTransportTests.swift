import BigRPC
import BigRPCNIO
import BigRPCProtos
import BigRPCTLS
import Foundation
import NIOCore
import NIOPosix
import TLSTestSupport
import Testing

/// BigRPC over TLS 1.3 on real loopback sockets, with a CA and certificates
/// made by `openssl` for each test.
@Suite(.timeLimit(.minutes(2)))
struct TLSTransportTests {
    @Test func aClientTrustingTheCACallsOverTLSByAddress() async throws {
        try await withTLSServer { server, certificates in
            let security = try TLSClientSecurity(trustRootsFile: certificates.caFile)
            let response = try await healthCheck(port: server.port, security: security)
            #expect(response.status == .serving)
        }
    }

    @Test func theCertificateMustBeValidForTheNameConnectedTo() async throws {
        // A certificate for `localhost` only: no IP address in it.
        try await withTLSServer(localhostOnly: true) { server, certificates in
            let trusting = try TLSClientSecurity(trustRootsFile: certificates.caFile)
            #expect(try await healthCheck(port: server.port, host: "localhost", security: trusting).status == .serving)

            let byAddress = try #require(
                await rpcError {
                    try await healthCheck(port: server.port, host: "127.0.0.1", security: trusting)
                })
            #expect(byAddress.code == .unavailable)
            #expect(byAddress.message.contains("TLS handshake failed: the server's certificate is not valid for"), "\(byAddress)")

            let named = try TLSClientSecurity(trustRootsFile: certificates.caFile, serverName: "localhost")
            #expect(try await healthCheck(port: server.port, host: "127.0.0.1", security: named).status == .serving)

            let misnamed = try TLSClientSecurity(trustRootsFile: certificates.caFile, serverName: "shop.example.com")
            let error = try #require(await rpcError { try await healthCheck(port: server.port, security: misnamed) })
            #expect(error.code == .unavailable)
            #expect(error.message.contains("TLS handshake failed: the server's certificate is not valid for"), "\(error)")
        }
    }

    @Test func aClientTrustingAnotherCAFailsClearly() async throws {
        try await withTLSServer { server, certificates in
            let security = try TLSClientSecurity(trustRootsFile: certificates.wrongCAFile)
            let error = try #require(await rpcError { try await healthCheck(port: server.port, security: security) })
            #expect(error.code == .unavailable)
            #expect(error.message.contains("TLS handshake failed: CERTIFICATE_VERIFY_FAILED"), "\(error)")
            // The server goes on serving clients that trust its CA.
            let good = try TLSClientSecurity(trustRootsFile: certificates.caFile)
            #expect(try await healthCheck(port: server.port, security: good).status == .serving)
        }
    }

    @Test func aClientTrustingOnlyTheSystemCAsRefusesAPrivateCA() async throws {
        try await withTLSServer { server, _ in
            let security = try TLSClientSecurity()
            let error = try #require(await rpcError { try await healthCheck(port: server.port, security: security) })
            #expect(error.code == .unavailable)
            #expect(error.message.contains("TLS handshake failed"), "\(error)")
        }
    }

    @Test func aPlainTextClientGetsTheReasonNotAHang() async throws {
        try await withTLSServer { server, _ in
            // The call's deadline is far; failing with UNAVAILABLE and the
            // server's reason (not DEADLINE_EXCEEDED) shows it did not hang.
            let error = try #require(
                await rpcError {
                    try await healthCheck(port: server.port, security: nil, timeout: .seconds(60))
                })
            #expect(error.code == .unavailable)
            #expect(error.message.contains("this port requires TLS"), "\(error)")
        }
    }

    @Test func aPlainTextPeerReadsAPlainGoAwayThenTheEndOfTheStream() async throws {
        try await withTLSServer { server, _ in
            let received = try await rawExchange(
                port: server.port, send: Array("GET / HTTP/1.1\r\nHost: shop\r\n\r\n".utf8), timeout: .seconds(30)
            )
            #expect(received.closed)
            var buffer = ByteBuffer(bytes: received.bytes)
            let frame = try #require(try FrameParser().parse(&buffer))
            #expect(frame.type == .goAway)
            let goAway = try Bigrpc_V1_GoAway(serializedBytes: frame.payload.readableBytesView)
            #expect(goAway.code == StatusCode.unavailable.rawValue)
            #expect(goAway.message == "this port requires TLS")
            #expect(goAway.lastStreamId == 0)
        }
    }

    @Test func aTLSClientToAPlainPortFailsClearly() async throws {
        try await withTLSServer(tls: false) { server, certificates in
            let security = try TLSClientSecurity(trustRootsFile: certificates.caFile)
            let error = try #require(await rpcError { try await healthCheck(port: server.port, security: security) })
            #expect(error.code == .unavailable)
            #expect(error.message.contains("TLS handshake failed"), "\(error)")
        }
    }

    @Test func aStalledHandshakeIsClosedAfterTheHandshakeTimeout() async throws {
        try await withTLSServer(handshakeTimeout: .seconds(1)) { server, _ in
            // The start of a TLS record, then nothing.
            let received = try await rawExchange(port: server.port, send: [0x16, 0x03, 0x01], timeout: .seconds(30))
            #expect(received.closed, "the server kept a stalled handshake open")
        }
    }

    @Test func onlyTLS13IsAccepted() async throws {
        try await withTLSServer { server, certificates in
            let target = "127.0.0.1:\(server.port)"
            let tls13 = try await OpenSSLCommand.run(
                ["s_client", "-connect", target, "-tls1_3", "-CAfile", certificates.caFile, "-verify_return_error"],
                timeout: .seconds(30)
            )
            #expect(tls13.output.contains("TLSv1.3"), "\(tls13.output)")
            #expect(tls13.output.contains("Verify return code: 0 (ok)"), "\(tls13.output)")

            let tls12 = try await OpenSSLCommand.run(
                ["s_client", "-connect", target, "-tls1_2", "-CAfile", certificates.caFile],
                timeout: .seconds(30)
            )
            #expect(tls12.exitCode != 0, "\(tls12.output)")
            #expect(tls12.output.contains("alert protocol version"), "\(tls12.output)")
        }
    }

    @Test func configurationErrorsNameTheFile() async throws {
        let certificates = try await TestCertificates.make()
        defer { certificates.remove() }
        let missing = certificates.path("missing.pem")
        #expect(throws: TLSConfigurationError("the TLS certificate file \(missing) does not exist")) {
            try TLSServerSecurity(certificateChainFile: missing, privateKeyFile: certificates.serverKeyFile)
        }
        let garbage = certificates.path("garbage.pem")
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let error = try #require(throws: TLSConfigurationError.self) {
            try TLSServerSecurity(certificateChainFile: garbage, privateKeyFile: certificates.serverKeyFile)
        }
        #expect(error.description.contains(garbage))
        // The key of another certificate.
        let mismatch = try #require(throws: TLSConfigurationError.self) {
            try TLSServerSecurity(certificateChainFile: certificates.serverCertificateFile, privateKeyFile: certificates.clientKeyFile)
        }
        #expect(mismatch.description.contains("does not fit the certificate"), "\(mismatch)")
        let keyAsCertificate = try #require(throws: TLSConfigurationError.self) {
            try TLSServerSecurity(certificateChainFile: certificates.serverKeyFile, privateKeyFile: certificates.serverKeyFile)
        }
        #expect(keyAsCertificate.description.contains("TLS certificate file"), "\(keyAsCertificate)")
        #expect(throws: TLSConfigurationError.self) {
            try TLSClientSecurity(trustRootsFile: missing)
        }

        let security = try TLSServerSecurity(
            certificateChainFile: certificates.serverCertificateFile,
            privateKeyFile: certificates.serverKeyFile
        )
        #expect(Set(security.certificateNames) == ["localhost", "127.0.0.1"])
        #expect(security.certificateNotValidAfter > Date())
    }
}

/// Mutual TLS: the server asks for client certificates and hands the
/// verified identity to interceptors.
@Suite(.timeLimit(.minutes(2)))
struct MutualTLSTests {
    @Test func aClientCertificateSignedByTheClientCAIsVerifiedAndItsIdentitySeen() async throws {
        let recorder = PeerIdentityRecorder()
        try await withTLSServer(clientCertificates: true, interceptors: [recorder]) { server, certificates in
            let security = try TLSClientSecurity(
                trustRootsFile: certificates.caFile,
                certificateChainFile: certificates.clientCertificateFile,
                privateKeyFile: certificates.clientKeyFile
            )
            #expect(try await healthCheck(port: server.port, security: security).status == .serving)
            let identity = try #require(recorder.seen.withLock { $0.first } ?? nil)
            #expect(identity.uris == [TestCertificates.clientURI])
            #expect(!identity.certificateDER.isEmpty)
        }
    }

    @Test func aClientWithoutACertificateOrWithAnotherCAsIsRefused() async throws {
        let recorder = PeerIdentityRecorder()
        try await withTLSServer(clientCertificates: true, interceptors: [recorder]) { server, certificates in
            let anonymous = try TLSClientSecurity(trustRootsFile: certificates.caFile)
            let refused = try #require(await rpcError { try await healthCheck(port: server.port, security: anonymous) })
            #expect(refused.code == .unavailable)
            // Under TLS 1.3 the client's handshake is over before the server
            // refuses it: the refusal arrives as an alert on the connection.
            #expect(refused.message.contains("CERTIFICATE_REQUIRED"), "\(refused)")

            let intruder = try TLSClientSecurity(
                trustRootsFile: certificates.caFile,
                certificateChainFile: certificates.wrongClientCertificateFile,
                privateKeyFile: certificates.wrongClientKeyFile
            )
            let unknown = try #require(await rpcError { try await healthCheck(port: server.port, security: intruder) })
            #expect(unknown.code == .unavailable)
            #expect(unknown.message.contains("UNKNOWN_CA"), "\(unknown)")
            #expect(recorder.seen.withLock { $0.isEmpty }, "no call of an unverified client reached an interceptor")
        }
    }
}
