/// Told of each message of one call as it passes between the transport and
/// the handler (on a server) or the caller (on a client): how an
/// interceptor sees the messages of a stream, which pass after it has
/// called `next` and which it never handles itself.
///
/// A server interceptor installs one on the context it hands to `next`
/// (``ServerContext/observeMessages(with:)``), a client interceptor on the
/// options it hands to `next` (``CallOptions/observeMessages(with:)``):
///
/// ```swift
/// var context = context
/// context.observeMessages(with: counter)
/// try await next(context)
/// ```
///
/// The methods are called on the task that reads or writes the message, at
/// each message, so they must be quick and never block. An observer is a
/// class so that ``CallOptions`` can compare observers by identity.
public protocol RPCMessageObserver: AnyObject, Sendable {
    /// A message came in and was handed on: a request the handler read (on
    /// a server), or a response the caller read (on a client).
    func messageReceived()
    /// A message went out: a response the handler wrote (on a server), or a
    /// request the caller wrote (on a client), once the transport took it.
    func messageSent()
}
