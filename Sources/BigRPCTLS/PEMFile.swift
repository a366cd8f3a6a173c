import Foundation
import NIOSSL

/// A TLS setting that cannot be used: a file that is missing, unreadable or
/// not what it should be. The description names the file and says why.
public struct TLSConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Certificates and keys from PEM files, with errors that name the file.
enum PEMFile {
    /// Every certificate in the PEM file at `path`: a chain, leaf first, or
    /// trust roots. `what` names the file in errors ("TLS certificate").
    static func certificates(_ path: String, what: String) throws -> [NIOSSLCertificate] {
        let bytes = try read(path, what: what)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw TLSConfigurationError("the \(what) file \(path) does not hold PEM certificates (\(error))")
        }
        guard !certificates.isEmpty else {
            throw TLSConfigurationError("the \(what) file \(path) holds no PEM certificate")
        }
        return certificates
    }

    /// The unencrypted private key in the PEM file at `path`.
    static func privateKey(_ path: String, what: String) throws -> NIOSSLPrivateKey {
        let bytes = try read(path, what: what)
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw TLSConfigurationError("the \(what) file \(path) does not hold an unencrypted PEM private key (\(error))")
        }
    }

    private static func read(_ path: String, what: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TLSConfigurationError("the \(what) file \(path) does not exist")
        }
        guard !isDirectory.boolValue else {
            throw TLSConfigurationError("the \(what) file \(path) is a directory")
        }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw TLSConfigurationError("the \(what) file \(path) cannot be read (permissions?)")
        }
        return Array(data)
    }
}
