public import BigRPC
public import NIOCore

/// A layer under the frames of each server connection, such as TLS
/// (`BigRPCTLS`): its handlers go at the front of the connection's pipeline,
/// before the framing handlers, so the frames inside are the same.
///
/// Set it as ``BigRPCServer/Configuration/security``; nil serves plain TCP.
public protocol ServerConnectionSecurity: Sendable {
    /// Adds the layer's handlers to an accepted connection. Called on the
    /// channel's event loop before BigRPC adds its own handlers; a throw
    /// closes the connection.
    func configure(_ channel: any Channel) throws

    /// Values that every call on the connection carries in
    /// `ServerContext.values`, for interceptors and handlers (for example the
    /// verified identity in the peer's certificate). Asked once per
    /// connection, on its event loop, when its first stream opens: after the
    /// layer's handshake, since frames only arrive once it is done.
    func connectionValues(_ channel: any Channel) -> ServerContextValues
}

extension ServerConnectionSecurity {
    /// No values.
    public func connectionValues(_ channel: any Channel) -> ServerContextValues {
        ServerContextValues()
    }
}

/// A layer under the frames of each client connection, such as TLS
/// (`BigRPCTLS`): its handlers go at the front of the connection's pipeline,
/// before the framing handlers.
///
/// Set it as ``BigRPCClientTransport/Configuration/security``; nil connects
/// with plain TCP.
public protocol ClientConnectionSecurity: Sendable {
    /// Adds the layer's handlers to a new connection to `host` (as the
    /// transport was given it: a name or an address). Called on the channel's
    /// event loop before BigRPC adds its own handlers.
    ///
    /// - Returns: a future that succeeds once the connection can carry frames
    ///   (for TLS: the handshake succeeded), or fails with an error that says
    ///   why it never will. The transport sends no call before it succeeds,
    ///   and fails the calls waiting for the connection with UNAVAILABLE and
    ///   that error's description when it fails.
    func configure(_ channel: any Channel, host: String) throws -> EventLoopFuture<Void>
}
