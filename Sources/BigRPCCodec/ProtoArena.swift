#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator that lives for one encode or one decode of a larger
/// message: the C structs, strings and arrays a message is packed from, or
/// unpacked into, are built here and released together, with no bookkeeping
/// of what to free. Nothing allocated from an arena outlives it.
///
/// Small messages decode with protobuf-c's own allocator: measured faster
/// there (see ``ProtoCodec``).
final class ProtoArena {
    /// Every allocation is aligned to this many bytes, enough for any field of
    /// a protobuf-c struct (pointers, `int64_t`, `double`, `size_t`).
    static let alignment = 8
    private static let maxBlockSize = 64 * 1024

    /// The size of an encode's first block, which the caller lends (on its
    /// stack): most messages fit in it, so most encodes allocate no block.
    static let firstBlockSize = 1024
    /// The first block's size for a decode of a larger message (an order of
    /// ten lines unpacks into ~3 KiB); the arena allocates it.
    static let decodeFirstBlockSize = 4096

    private var cursor: UnsafeMutableRawPointer
    private var remaining: Int
    private var nextBlockSize: Int
    /// Every block and oversize allocation the arena made itself, freed in
    /// `deinit` (a lent first block is not among them).
    private var blocks: [UnsafeMutableRawPointer] = []

    /// An arena whose first block is `firstBlock` (`firstBlockSize` bytes,
    /// 8-byte aligned), owned by the caller and outliving the arena.
    init(firstBlock: UnsafeMutableRawPointer) {
        cursor = firstBlock
        remaining = ProtoArena.firstBlockSize
        nextBlockSize = ProtoArena.firstBlockSize * 4
    }

    /// An arena whose first block it allocates itself.
    init(firstBlockSize: Int) {
        let first = ProtoArena.mallocOrDie(firstBlockSize)
        cursor = first
        remaining = firstBlockSize
        nextBlockSize = firstBlockSize * 4
        blocks = [first]
    }

    deinit {
        for block in blocks { free(block) }
    }

    /// Uninitialized, 8-byte aligned memory valid until the arena is released.
    func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let size = (max(byteCount, 1) + ProtoArena.alignment - 1) & ~(ProtoArena.alignment - 1)
        if size <= remaining {
            let result = cursor
            cursor += size
            remaining -= size
            return result
        }
        if size > nextBlockSize / 2 {
            // Large payloads (a 300 KB bytes field) get a block of their own so the
            // current block keeps serving small allocations.
            let block = ProtoArena.mallocOrDie(size)
            blocks.append(block)
            return block
        }
        let block = ProtoArena.mallocOrDie(nextBlockSize)
        blocks.append(block)
        cursor = block + size
        remaining = nextBlockSize - size
        nextBlockSize = min(nextBlockSize * 2, ProtoArena.maxBlockSize)
        return block
    }

    /// Copies `bytes` into the arena.
    func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        let destination = allocate(bytes.count)
        if let source = bytes.baseAddress, bytes.count > 0 {
            destination.copyMemory(from: source, byteCount: bytes.count)
        }
        return destination
    }

    private static func mallocOrDie(_ size: Int) -> UnsafeMutableRawPointer {
        guard let pointer = malloc(size) else {
            fatalError("BigRPCCodec: out of memory allocating \(size) bytes")
        }
        return pointer
    }
}
