import BigRPC
import Testing

/// `Metadata` holds one string value per key; keys are lowercased on the way
/// in, so lookups never depend on the caller's casing.
@Suite struct MetadataTests {
    @Test func keysAreLowercasedFromEverySource() {
        let fromDictionary = Metadata(["X-Request-ID": "a"])
        let fromLiteral: Metadata = ["X-Request-ID": "a"]
        var bySubscript = Metadata()
        bySubscript["X-Request-ID"] = "a"
        for metadata in [fromDictionary, fromLiteral, bySubscript] {
            #expect(metadata.dictionary == ["x-request-id": "a"])
            #expect(Array(metadata.map(\.key)) == ["x-request-id"])
        }
        #expect(fromDictionary == fromLiteral && fromLiteral == bySubscript)
    }

    @Test func lookupsIgnoreCase() {
        let metadata: Metadata = ["authorization": "Bearer t"]
        #expect(metadata["authorization"] == "Bearer t")
        #expect(metadata["Authorization"] == "Bearer t")
        #expect(metadata["AUTHORIZATION"] == "Bearer t")
        #expect(metadata["authorisation"] == nil)
    }

    @Test func valuesAreKeptExactly() {
        let metadata: Metadata = ["k": "  Mixed Case, commas; and ünïcode  "]
        #expect(metadata["k"] == "  Mixed Case, commas; and ünïcode  ")
    }

    @Test func aKeyHoldsOneValueTheLastSet() {
        var metadata = Metadata()
        metadata["reason"] = "A"
        metadata["REASON"] = "B"
        #expect(metadata.count == 1)
        #expect(metadata["reason"] == "B")
    }

    @Test func settingNilRemovesTheKey() {
        var metadata: Metadata = ["a": "1", "b": "2"]
        metadata["A"] = nil
        #expect(metadata.dictionary == ["b": "2"])
        #expect(metadata.count == 1)
        metadata["b"] = nil
        #expect(metadata.isEmpty)
        #expect(metadata == Metadata())
    }

    @Test func emptyMetadata() {
        let empty: Metadata = [:]
        #expect(empty.isEmpty)
        #expect(empty.count == 0)
        #expect(empty.dictionary.isEmpty)
        #expect(empty.description == "[]")
    }

    @Test func mergeAddsPairsAndReplacesSharedKeys() {
        var metadata: Metadata = ["a": "1", "b": "2"]
        metadata.merge(["B": "two", "c": "3"])
        #expect(metadata.dictionary == ["a": "1", "b": "two", "c": "3"])
    }

    @Test func mergingLeavesTheOriginalAlone() {
        let original: Metadata = ["a": "1"]
        let merged = original.merging(["a": "one", "b": "2"])
        #expect(merged.dictionary == ["a": "one", "b": "2"])
        #expect(original.dictionary == ["a": "1"])
    }

    @Test func descriptionIsSortedByKey() {
        let metadata: Metadata = ["b": "2", "A": "1", "c": "3"]
        #expect(metadata.description == "[a: 1, b: 2, c: 3]")
    }

    @Test func validKeysAreLowercaseASCIILettersDigitsDashUnderscoreDot() {
        for key in ["x-request-id", "a", "0", "a.b_c-1", "retry-after-ms", "-", "_", "."] {
            #expect(Metadata.isValidKey(key), "\(key)")
        }
        for key in ["", "X-Request-Id", "a b", "key:", "a/b", "é", "tab\t", "new\nline", "a=b", "ümlaut"] {
            #expect(!Metadata.isValidKey(key), "\(key.debugDescription)")
        }
    }

    @Test func conventionalKeysAreValidWireKeys() {
        #expect(Metadata.authorizationKey == "authorization")
        #expect(Metadata.requestIDKey == "x-request-id")
        #expect(Metadata.idempotencyKey == "idempotency-key")
        #expect(Metadata.retryAfterKey == "retry-after-ms")
        #expect(Metadata.reasonKey == "reason")
        for key in [Metadata.authorizationKey, Metadata.requestIDKey, Metadata.idempotencyKey, Metadata.retryAfterKey, Metadata.reasonKey] {
            #expect(Metadata.isValidKey(key))
        }
    }

    @Test func aLiteralRepeatingAKeyKeepsTheLastValue() {
        let metadata: Metadata = ["k": "first", "k": "last"]
        #expect(metadata.dictionary == ["k": "last"])
    }

    /// Case variants are one key: the value written last in the literal
    /// wins, as for a key repeated in the same casing.
    @Test func aLiteralRepeatingAKeyInAnotherCaseKeepsTheLastValue() {
        let lowercaseLast: Metadata = ["Key": "first", "KEY": "second", "key": "last"]
        #expect(lowercaseLast.dictionary == ["key": "last"])
        let lowercaseFirst: Metadata = ["key": "first", "KEY": "second", "Key": "last"]
        #expect(lowercaseFirst.dictionary == ["key": "last"])
        // Many keys, so that a winner picked in hash order fails for some.
        for index in 0..<20 {
            let metadata: Metadata = ["Key-\(index)": "first", "KEY-\(index)": "second", "key-\(index)": "last"]
            #expect(metadata["key-\(index)"] == "last")
        }
    }
}
