/// The harnesses this executable runs. The first input byte selects one and
/// the rest of the input is its data, so one corpus can feed every harness.
///
/// To add a harness, add a case with the next unused byte, run it from
/// `run(_:)`, and put it in a file of its own. Existing cases keep their bytes
/// so committed corpora stay valid.
enum FuzzTarget: UInt8, CaseIterable {
    /// ``MessageDecoding``: protobuf message decoding with a round-trip oracle.
    case messageDecoding = 0
    /// ``FrameDecoding``: wire frames through the parser and the server's
    /// connection state machine.
    case frameDecoding = 1

    /// Runs the harness selected by the first byte of `input`. Inputs that are
    /// empty or select no harness are ignored.
    static func run(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first, let target = FuzzTarget(rawValue: selector) else { return }
        let data = UnsafeRawBufferPointer(rebasing: input.dropFirst())
        switch target {
        case .messageDecoding:
            MessageDecoding.run(data)
        case .frameDecoding:
            FrameDecoding.run(data)
        }
    }
}
