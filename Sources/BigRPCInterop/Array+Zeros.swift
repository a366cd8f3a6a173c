extension [UInt8] {
    /// `count` zero bytes: every payload of the conformance service is made of
    /// them.
    static func zeros(_ count: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: count)
    }
}
