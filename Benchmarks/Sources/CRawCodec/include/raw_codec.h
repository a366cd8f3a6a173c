#ifndef BENCH_RAW_CODEC_H
#define BENCH_RAW_CODEC_H
#include <stddef.h>
#include <stdint.h>
/// Encodes then decodes the benchmark Order (10 items) `iterations` times with
/// protobuf-c, the way C code would: fill the struct, get_packed_size, malloc,
/// pack, unpack, free_unpacked, free. Returns a checksum so nothing is elided.
uint64_t bench_c_order_roundtrip(int iterations);
/// The same for the small message (Reservation).
uint64_t bench_c_small_roundtrip(int iterations);
/// Encode only / decode only of the order (decode from a prepared encoding).
uint64_t bench_c_order_encode(int iterations);
uint64_t bench_c_order_decode(int iterations);
/// The packed size of the C order (to check that every side encodes the same message).
size_t bench_c_order_size(void);
size_t bench_c_small_size(void);
#endif
