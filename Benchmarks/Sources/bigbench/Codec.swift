// Comparison 3: encode + decode, BigRPC's wrapper vs swift-protobuf vs protobuf-c from C.
import CRawCodec
import Foundation

func codecBenchmarks(_ options: Options) throws {
    let rounds = options.int("rounds", 7)
    let targetSeconds = options.double("round-seconds", 0.2)

    let bigrpcOrder = BigRPCSamples.order()
    let bigrpcSmall = BigRPCSamples.small()
    let spOrder = SwiftProtobufSamples.order()
    let spSmall = SwiftProtobufSamples.small()
    let bigrpcOrderBytes = try BigRPCCodecBench.bytes(bigrpcOrder)
    let spOrderBytes = try SwiftProtobufCodecBench.orderBytes(spOrder)

    // Every side encodes the same message: same size (field order is the same too).
    precondition(
        bigrpcOrderBytes.count == spOrderBytes.count && spOrderBytes.count == bench_c_order_size(),
        "order sizes differ: \(bigrpcOrderBytes.count) \(spOrderBytes.count) \(bench_c_order_size())")
    let smallSize = try BigRPCCodecBench.bytes(bigrpcSmall).count
    precondition(smallSize == bench_c_small_size())
    precondition(bigrpcOrderBytes == spOrderBytes, "BigRPC and swift-protobuf encode the order differently")

    struct Case {
        var name: String
        var sides: [(String, (Int) throws -> Int)]
    }
    let cases: [Case] = [
        Case(
            name: "Order, 10 items (\(bigrpcOrderBytes.count) B): encode + decode",
            sides: [
                ("BigRPC", { try BigRPCCodecBench.orderRoundtrip(bigrpcOrder, $0) }),
                ("swift-protobuf", { try SwiftProtobufCodecBench.orderRoundtrip(spOrder, $0) }),
                ("protobuf-c (C)", { Int(truncatingIfNeeded: bench_c_order_roundtrip(Int32($0))) }),
            ]),
        Case(
            name: "Order: encode only",
            sides: [
                ("BigRPC", { try BigRPCCodecBench.orderEncode(bigrpcOrder, $0) }),
                ("swift-protobuf", { try SwiftProtobufCodecBench.orderEncode(spOrder, $0) }),
                ("protobuf-c (C)", { Int(truncatingIfNeeded: bench_c_order_encode(Int32($0))) }),
            ]),
        Case(
            name: "Order: decode only",
            sides: [
                ("BigRPC", { try BigRPCCodecBench.orderDecode(bigrpcOrderBytes, $0) }),
                ("swift-protobuf", { try SwiftProtobufCodecBench.orderDecode(spOrderBytes, $0) }),
                ("protobuf-c (C)", { Int(truncatingIfNeeded: bench_c_order_decode(Int32($0))) }),
            ]),
        Case(
            name: "small message (Reservation, \(bench_c_small_size()) B): encode + decode",
            sides: [
                ("BigRPC", { try BigRPCCodecBench.smallRoundtrip(bigrpcSmall, $0) }),
                ("swift-protobuf", { try SwiftProtobufCodecBench.smallRoundtrip(spSmall, $0) }),
                ("protobuf-c (C)", { Int(truncatingIfNeeded: bench_c_small_roundtrip(Int32($0))) }),
            ]),
    ]

    var table = Table(
        title: "3. Codec (medians of \(rounds) alternating rounds; one thread)",
        header: [
            "message", "BigRPC ns/op", "swift-protobuf ns/op", "protobuf-c C ns/op",
            "BigRPC speed-up vs swift-protobuf", "BigRPC ÷ C time", "allocs/op B/sp/C",
        ]
    )
    var sink = 0
    for testCase in cases {
        // Calibrate iterations so a round takes about targetSeconds per side.
        var iterations: [Int] = []
        for (_, run) in testCase.sides {
            var n = 100
            while true {
                let t0 = nowNs()
                sink &+= try run(n)
                let elapsed = Double(nowNs() - t0) / 1e9
                if elapsed > 0.02 {
                    n = max(100, Int(Double(n) * targetSeconds / elapsed))
                    break
                }
                n *= 4
            }
            iterations.append(n)
        }
        var nsPerOp: [[Double]] = Array(repeating: [], count: testCase.sides.count)
        var allocsPerOp: [Double] = Array(repeating: 0, count: testCase.sides.count)
        for round in 0..<rounds {
            for offset in 0..<testCase.sides.count {
                let index = (round + offset) % testCase.sides.count
                let n = iterations[index]
                let m0 = mallocs()
                let t0 = nowNs()
                sink &+= try testCase.sides[index].1(n)
                let t1 = nowNs()
                allocsPerOp[index] = Double(mallocs() - m0) / Double(n)
                nsPerOp[index].append(Double(t1 - t0) / Double(n))
            }
        }
        let medians = nsPerOp.map(median)
        let speedup = median(zip(nsPerOp[1], nsPerOp[0]).map { $0 / $1 })
        let vsC = median(zip(nsPerOp[0], nsPerOp[2]).map { $0 / $1 })
        table.rows.append([
            testCase.name, fmt(medians[0]), fmt(medians[1]), fmt(medians[2]),
            ratio(speedup), ratio(vsC),
            allocsPerOp.map { fmt($0, 1) }.joined(separator: " / "),
        ])
        note("codec \(testCase.name): \(table.rows.last!.joined(separator: " "))")
    }
    table.notes.append(
        "Speed-up = swift-protobuf time ÷ BigRPC time (goal ≥ 2×); BigRPC ÷ C = BigRPC time ÷ protobuf-c time from C (goal ≤ 1.3×). Allocations counted by a malloc interposer. (checksum \(sink & 0xFF))"
    )
    table.emit()
}

/// `codec-profile --case order|small|decode|encode --side bigrpc|swift-protobuf|c --n N`: one side alone, for a profiler.
func codecProfile(_ options: Options) throws {
    let n = options.int("n", 100_000)
    let side = options.string("side", "bigrpc")
    let which = options.string("case", "small")
    let bigrpcOrder = BigRPCSamples.order()
    let bigrpcSmall = BigRPCSamples.small()
    let spOrder = SwiftProtobufSamples.order()
    let spSmall = SwiftProtobufSamples.small()
    let orderBytes = try BigRPCCodecBench.bytes(bigrpcOrder)
    var sink = 0
    let m0 = mallocs()
    let t0 = nowNs()
    switch (side, which) {
    case ("bigrpc", "small"): sink = try BigRPCCodecBench.smallRoundtrip(bigrpcSmall, n)
    case ("bigrpc", "order"): sink = try BigRPCCodecBench.orderRoundtrip(bigrpcOrder, n)
    case ("bigrpc", "encode"): sink = try BigRPCCodecBench.orderEncode(bigrpcOrder, n)
    case ("bigrpc", "decode"): sink = try BigRPCCodecBench.orderDecode(orderBytes, n)
    case ("swift-protobuf", "small"): sink = try SwiftProtobufCodecBench.smallRoundtrip(spSmall, n)
    case ("swift-protobuf", "order"): sink = try SwiftProtobufCodecBench.orderRoundtrip(spOrder, n)
    case ("c", "small"): sink = Int(bench_c_small_roundtrip(Int32(n)))
    case ("c", "order"): sink = Int(truncatingIfNeeded: bench_c_order_roundtrip(Int32(n)))
    default: break
    }
    note("\(side) \(which): \(fmt(Double(nowNs() - t0) / Double(n))) ns/op, \(fmt(Double(mallocs() - m0) / Double(n), 1)) allocs/op (\(sink & 1))")
}
