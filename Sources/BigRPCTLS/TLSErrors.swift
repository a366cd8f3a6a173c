import Foundation
import NIOCore
import NIOSSL

/// Why a TLS handshake did not complete, in words a person can act on.
public struct TLSHandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in broad strokes.
    public enum Kind: Hashable, Sendable {
        /// TLS itself refused: an untrusted or mismatched certificate, an
        /// unsupported version, or bytes that are not TLS.
        case failed
        /// The handshake did not finish within the handshake timeout.
        case timedOut
        /// The peer closed the connection before the handshake finished.
        case closed
    }

    public var kind: Kind
    /// TLS's own reasons (e.g. `CERTIFICATE_VERIFY_FAILED`), with a hint when
    /// one is known.
    public var reason: String

    public init(kind: Kind, reason: String) {
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "TLS handshake failed: \(reason)" }

    static func timedOut(after timeout: TimeAmount) -> TLSHandshakeError {
        TLSHandshakeError(kind: .timedOut, reason: "no handshake within \(timeout.nanoseconds / 1_000_000) ms")
    }

    static let closed = TLSHandshakeError(
        kind: .closed,
        reason: "the peer closed the connection during the handshake (is it serving TLS on this port?)"
    )

    /// Describes an error swift-nio-ssl raised during a handshake.
    init(_ error: any Error) {
        switch error {
        case NIOSSLError.handshakeFailed(let boringSSLError):
            let reasons = TLSReasons.codes(boringSSLError)
            if reasons == ["EOF during handshake"] {
                self = .closed
                return
            }
            self.init(kind: .failed, reason: TLSReasons.text(reasons, else: "\(boringSSLError)"))
        case let error as BoringSSLError:
            self.init(kind: .failed, reason: TLSReasons.text(TLSReasons.codes(error), else: "\(error)"))
        case let error as NIOSSLExtraError where error == .failedToValidateHostname:
            self.init(kind: .failed, reason: "the server's certificate is not valid for the name or address connected to")
        default:
            self.init(kind: .failed, reason: "\(error)")
        }
    }
}

/// A TLS error after the handshake: an alert from the peer (under TLS 1.3,
/// a server refusing the client's certificate arrives only now) or a record
/// that does not decrypt.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// TLS's own reasons, with a hint when one is known.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { "TLS error: \(reason)" }

    /// nil for what is not TLS refusing something (a peer closing without
    /// saying goodbye, say).
    init?(_ error: any Error) {
        switch error {
        case let error as BoringSSLError:
            self.init(reason: TLSReasons.text(TLSReasons.codes(error), else: "\(error)"))
        case NIOSSLError.handshakeFailed(let error), NIOSSLError.shutdownFailed(let error):
            self.init(reason: TLSReasons.text(TLSReasons.codes(error), else: "\(error)"))
        default:
            return nil
        }
    }
}

/// BoringSSL's reason codes, and hints for the common ones.
enum TLSReasons {
    /// The codes of an error stack: `CERTIFICATE_VERIFY_FAILED` from
    /// `error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at …`.
    static func codes(_ error: BoringSSLError) -> [String] {
        let stack: NIOBoringSSLErrorStack
        switch error {
        case .sslError(let errors), .unknownError(let errors): stack = errors
        default: return []
        }
        return stack.map { entry in
            var text = entry.description
            if let at = text.range(of: " at ", options: .backwards) { text = String(text[..<at.lowerBound]) }
            if let colon = text.lastIndex(of: ":") { text = String(text[text.index(after: colon)...]) }
            return text.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The codes with their hints, or `fallback` when there is none.
    static func text(_ codes: [String], else fallback: String) -> String {
        guard !codes.isEmpty else { return fallback }
        let known = codes.compactMap { hints[$0] }
        let text = codes.joined(separator: ", ")
        return known.isEmpty ? text : "\(text) (\(known.joined(separator: "; ")))"
    }

    private static let hints: [String: String] = [
        "CERTIFICATE_VERIFY_FAILED":
            "the peer's certificate is not signed by a trusted CA, or has expired; give the CA that signed it (--cacert)",
        "TLSV1_ALERT_UNKNOWN_CA": "the peer does not trust the CA that signed this side's certificate",
        "WRONG_VERSION_NUMBER": "the peer does not speak TLS: is it a plain-text port?",
        "UNSUPPORTED_PROTOCOL": "the peer offers no TLS version this side accepts (TLS 1.3 only)",
        "TLSV1_ALERT_PROTOCOL_VERSION": "the peer accepts no TLS version this side offers (TLS 1.3 only)",
        "PEER_DID_NOT_RETURN_A_CERTIFICATE": "this server requires a client certificate",
        "TLSV1_ALERT_CERTIFICATE_REQUIRED": "the server requires a client certificate",
    ]
}
