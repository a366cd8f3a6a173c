import Testing

/// Inputs found by the libFuzzer harness (scripts/fuzz), kept as regression
/// fixtures in `Fixtures/fuzz/`: raw message bytes, without the byte that
/// selects the harness. Decoding each must throw or round-trip.
@Suite struct FuzzRegressionTests {
    @Test(arguments: try Fixtures.names(in: "fuzz"))
    func replay(_ name: String) throws {
        DecodeOracle.check(try Fixtures.bytes("fuzz/\(name)"))
    }
}
