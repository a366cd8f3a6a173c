/// Runs `body` for every index in `0..<count`, at most `width` at a time,
/// and returns the results in index order.
func concurrentMap<T: Sendable>(
    _ count: Int,
    width: Int,
    _ body: @escaping @Sendable (Int) async -> T
) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { (index, await body(index)) }
            next += 1
        }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < count {
                let index = next
                group.addTask { (index, await body(index)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
