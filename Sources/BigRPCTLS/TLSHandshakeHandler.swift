import NIOCore
import NIOSSL
import NIOTLS

/// Watches one TLS handshake from just behind the NIOSSL handler: bounds its
/// time and completes `outcome` when it succeeds or fails. Errors raised
/// during the handshake end here (as a ``TLSHandshakeError`` in `outcome`)
/// instead of reaching the BigRPC handlers; NIOSSL closes the connection
/// after a failure, and so does this handler after a timeout.
///
/// After the handshake it either leaves the pipeline (`staysAfterHandshake`
/// false: the server, where every handler costs on each read) or stays to
/// pass on later TLS errors as ``TLSError``s that say why in words (the
/// client: under TLS 1.3 a server refuses a client certificate only after
/// the client's handshake is done).
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private enum State {
        case waiting
        case done
    }

    private var state = State.waiting
    private let timeout: TimeAmount
    private let staysAfterHandshake: Bool
    private let outcome: EventLoopPromise<Void>
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, staysAfterHandshake: Bool, outcome: EventLoopPromise<Void>) {
        self.timeout = timeout
        self.staysAfterHandshake = staysAfterHandshake
        self.outcome = outcome
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armTimer(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Removed without an outcome only when the pipeline is torn down.
        finish(.failure(TLSHandshakeError.closed))
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context: context)
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .handshakeCompleted = event as? TLSUserEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        finish(.success(()))
        context.fireUserInboundEventTriggered(event)
        if !staysAfterHandshake {
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .waiting:
            finish(.failure(TLSHandshakeError(error)))
            context.close(promise: nil)
        case .done:
            context.fireErrorCaught(TLSError(error) ?? error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(TLSHandshakeError.closed))
        context.fireChannelInactive()
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard case .waiting = state, timer == nil else { return }
        let timeout = self.timeout
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let loopBoundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            guard case .waiting = handler.value.state else { return }
            handler.value.finish(.failure(TLSHandshakeError.timedOut(after: timeout)))
            loopBoundContext.value.close(promise: nil)
        }
    }

    private func finish(_ result: Result<Void, TLSHandshakeError>) {
        guard case .waiting = state else { return }
        state = .done
        timer?.cancel()
        timer = nil
        switch result {
        case .success: outcome.succeed()
        case .failure(let error): outcome.fail(error)
        }
    }
}
