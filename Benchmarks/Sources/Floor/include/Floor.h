// The C floor the benchmarks compare socmap with: the same data, hand-written C, -O2.
#ifndef SOCMAP_FLOOR_H
#define SOCMAP_FLOOR_H
#include <stddef.h>
#include <stdint.h>

/// Index of the last base <= addr (or -1), branch-free lower-bound binary search over a
/// sorted array.
int64_t floor_branchfree_search(const uint64_t *bases, size_t n, uint64_t addr);

/// Eytzinger layout built from sorted bases: slot i (1-based) holds a base; `prev[i]` holds the
/// sorted index of the segment before it. `eyt` and `prev` have n + 1 entries.
void floor_eytzinger_build(const uint64_t *sorted, size_t n, uint64_t *eyt, int64_t *prev);

/// Index of the last base <= addr (or -1) through the Eytzinger layout.
int64_t floor_eytzinger_search(const uint64_t *eyt, const int64_t *prev, size_t n, uint64_t addr);

/// Routes `count` probes: returns the number that hit a segment (bases/lasts sorted).
/// `chained` makes each probe depend on the previous answer (latency); otherwise throughput.
uint64_t floor_run_branchfree(const uint64_t *bases, const uint64_t *lasts, size_t n, const uint64_t *probes, size_t count, int chained, uint64_t mask);
uint64_t floor_run_eytzinger(const uint64_t *eyt, const int64_t *prev, const uint64_t *lasts, size_t n, const uint64_t *probes, size_t count, int chained, uint64_t mask);

/// Walks a DTB with libfdt reading `reg` and `ranges` of every node; returns nodes visited or a
/// negative libfdt error.
int64_t floor_fdt_walk(const void *blob, size_t size);

/// Writes a generated tree with libfdt's sequential writer into `buffer`: `nodes` devices under
/// nested buses of `fanout` children each. Returns the blob size or a negative libfdt error.
int64_t floor_fdt_write(void *buffer, size_t capacity, size_t nodes, size_t fanout);

/// malloc/calloc/realloc calls seen since the process started (this target interposes them).
uint64_t floor_malloc_calls(void);

#endif
