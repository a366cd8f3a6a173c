#ifndef BENCH_MALLOC_COUNTER_H
#define BENCH_MALLOC_COUNTER_H
#include <stdint.h>
/// Heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc,
/// memalign) made by the whole process since it started.
uint64_t bench_malloc_count(void);
#endif
