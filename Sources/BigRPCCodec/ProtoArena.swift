#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator that lives for one encode or one decode: the C structs,
/// strings and arrays a message is packed from, or unpacked into, are built
/// here and released together, with no bookkeeping of what to free. Nothing
/// allocated from an arena outlives it.
///
/// The arena is a plain value on the stack of the call that owns it, lent out
/// by pointer (``withArena(_:)``), and its first block is on that stack too:
/// a message whose C structs fit in ``firstBlockSize`` bytes costs no heap
/// allocation at all. Measured (Benchmarks/, callgrind): a class-based arena
/// with a malloc'd first block cost a small decode ~9% more than protobuf-c's
/// own mallocs; this one costs neither the object nor the block.
struct ProtoArena {
    /// Every allocation is aligned to this many bytes, enough for any field of
    /// a protobuf-c struct (pointers, `int64_t`, `double`, `size_t`).
    static let alignment = 8
    /// The first block, on the caller's stack. At most 1 KiB:
    /// `withUnsafeTemporaryAllocation` checks the stack's room with a system
    /// call for anything larger.
    static let firstBlockSize = 1024
    /// The first block the arena allocates itself, when the stack block is
    /// full (an order of ten lines unpacks into ~3 KiB); each next one doubles.
    private static let firstHeapBlockSize = 4096
    private static let maxBlockSize = 64 * 1024
    /// Each heap block starts with the address of the previous one: the list
    /// `release()` frees, with no array to allocate.
    private static let headerSize = 16

    private var cursor: UnsafeMutableRawPointer
    private var remaining: Int
    private var nextBlockSize = ProtoArena.firstHeapBlockSize
    /// The newest heap block (the stack block is not among them).
    private var lastBlock: UnsafeMutableRawPointer?

    /// An arena whose first block is `firstBlock` (`firstBlockSize` bytes,
    /// 8-byte aligned), owned by the caller and outliving the arena.
    private init(firstBlock: UnsafeMutableRawPointer) {
        cursor = firstBlock
        remaining = ProtoArena.firstBlockSize
    }

    /// Runs `body` with an arena whose first block is on this stack frame; the
    /// arena's heap blocks are freed when `body` returns or throws. The pointer
    /// is valid only inside `body`.
    static func withArena<R, E: Error>(
        _ body: (UnsafeMutablePointer<ProtoArena>) throws(E) -> R
    ) throws(E) -> R {
        try withUnsafeTemporaryAllocation(byteCount: firstBlockSize, alignment: alignment) {
            (firstBlock) throws(E) -> R in
            var arena = ProtoArena(firstBlock: firstBlock.baseAddress!)
            defer { arena.release() }
            return try withUnsafeMutablePointer(to: &arena) { (pointer) throws(E) -> R in try body(pointer) }
        }
    }

    /// Frees every heap block.
    private mutating func release() {
        var block = lastBlock
        while let current = block {
            block = current.load(as: UnsafeMutableRawPointer?.self)
            free(current)
        }
        lastBlock = nil
    }

    /// Uninitialized, 8-byte aligned memory valid until the arena is released.
    @inline(__always)
    mutating func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let size = (max(byteCount, 1) + ProtoArena.alignment - 1) & ~(ProtoArena.alignment - 1)
        if size <= remaining {
            let result = cursor
            cursor += size
            remaining -= size
            return result
        }
        return allocateBlock(size)
    }

    private mutating func allocateBlock(_ size: Int) -> UnsafeMutableRawPointer {
        if size > nextBlockSize / 2 {
            // Large payloads (a 300 KB bytes field) get a block of their own so the
            // current block keeps serving small allocations.
            return newBlock(size)
        }
        let block = newBlock(nextBlockSize)
        cursor = block + size
        remaining = nextBlockSize - size
        nextBlockSize = min(nextBlockSize * 2, ProtoArena.maxBlockSize)
        return block
    }

    /// A heap block of `size` usable bytes, linked into the list to free.
    private mutating func newBlock(_ size: Int) -> UnsafeMutableRawPointer {
        guard let block = malloc(ProtoArena.headerSize + size) else {
            fatalError("BigRPCCodec: out of memory allocating \(size) bytes")
        }
        block.storeBytes(of: lastBlock, as: UnsafeMutableRawPointer?.self)
        lastBlock = block
        return block + ProtoArena.headerSize
    }

    /// Copies `bytes` into the arena.
    mutating func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        let destination = allocate(bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            destination.copyMemory(from: source, byteCount: bytes.count)
        }
        return destination
    }
}
