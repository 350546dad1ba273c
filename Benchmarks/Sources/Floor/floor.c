#include "Floor.h"
#include <libfdt.h>
#include <string.h>
#include <stdio.h>

int64_t floor_branchfree_search(const uint64_t *bases, size_t n, uint64_t addr) {
    if (n == 0) return -1;
    const uint64_t *base = bases;
    size_t len = n;
    while (len > 1) {
        size_t half = len / 2;
        base = (base[half] <= addr) ? base + half : base;
        len -= half;
    }
    int64_t i = (int64_t)(base - bases);
    return (*base <= addr) ? i : i - 1;
}

static size_t fill(const uint64_t *sorted, size_t n, uint64_t *eyt, int64_t *prev, size_t k, size_t i) {
    if (k <= n) {
        i = fill(sorted, n, eyt, prev, 2 * k, i);
        eyt[k] = sorted[i];
        prev[k] = (int64_t)i - 1;
        i++;
        i = fill(sorted, n, eyt, prev, 2 * k + 1, i);
    }
    return i;
}

void floor_eytzinger_build(const uint64_t *sorted, size_t n, uint64_t *eyt, int64_t *prev) {
    eyt[0] = 0;
    prev[0] = (int64_t)n - 1;  // "no base above addr": the last segment
    fill(sorted, n, eyt, prev, 1, 0);
}

int64_t floor_eytzinger_search(const uint64_t *eyt, const int64_t *prev, size_t n, uint64_t addr) {
    size_t i = 1;
    while (i <= n) {
        __builtin_prefetch(eyt + i * 8);
        i = 2 * i + (eyt[i] <= addr);
    }
    i >>= __builtin_ffsll(~(long long)i);
    return prev[i];
}

// `mask` is 0 at run time, but the compiler cannot know it: with `chained`, each probe then
// depends on the previous answer (latency); without, probes are independent (throughput).
uint64_t floor_run_branchfree(const uint64_t *bases, const uint64_t *lasts, size_t n, const uint64_t *probes, size_t count, int chained, uint64_t mask) {
    uint64_t hits = 0, carry = 0;
    if (chained) {
        for (size_t p = 0; p < count; p++) {
            uint64_t a = probes[p] ^ (carry & mask);
            int64_t i = floor_branchfree_search(bases, n, a);
            hits += i >= 0 && lasts[i] >= a;
            carry = (uint64_t)i;
        }
    } else {
        for (size_t p = 0; p < count; p++) {
            uint64_t a = probes[p];
            int64_t i = floor_branchfree_search(bases, n, a);
            hits += i >= 0 && lasts[i] >= a;
        }
    }
    return hits;
}

uint64_t floor_run_eytzinger(const uint64_t *eyt, const int64_t *prev, const uint64_t *lasts, size_t n, const uint64_t *probes, size_t count, int chained, uint64_t mask) {
    uint64_t hits = 0, carry = 0;
    if (chained) {
        for (size_t p = 0; p < count; p++) {
            uint64_t a = probes[p] ^ (carry & mask);
            int64_t i = floor_eytzinger_search(eyt, prev, n, a);
            hits += i >= 0 && lasts[i] >= a;
            carry = (uint64_t)i;
        }
    } else {
        for (size_t p = 0; p < count; p++) {
            uint64_t a = probes[p];
            int64_t i = floor_eytzinger_search(eyt, prev, n, a);
            hits += i >= 0 && lasts[i] >= a;
        }
    }
    return hits;
}

int64_t floor_fdt_walk(const void *blob, size_t size) {
    int rc = fdt_check_full(blob, size);
    if (rc) return rc;
    int64_t nodes = 0;
    uint64_t sink = 0;
    int depth = 0;
    for (int off = 0; off >= 0; off = fdt_next_node(blob, off, &depth)) {
        int len;
        const fdt32_t *reg = fdt_getprop(blob, off, "reg", &len);
        if (reg) for (int i = 0; i < len / 4; i++) sink += fdt32_to_cpu(reg[i]);
        const fdt32_t *ranges = fdt_getprop(blob, off, "ranges", &len);
        if (ranges) for (int i = 0; i < len / 4; i++) sink += fdt32_to_cpu(ranges[i]);
        nodes++;
    }
    return sink == 0xFFFFFFFFFFFFFFFFull ? -1 : nodes;
}

int64_t floor_fdt_write(void *buffer, size_t capacity, size_t nodes, size_t fanout) {
    void *fdt = buffer;
    int rc = fdt_create(fdt, (int)capacity);
    if (rc) return rc;
    if ((rc = fdt_finish_reservemap(fdt))) return rc;
    if ((rc = fdt_begin_node(fdt, ""))) return rc;
    fdt_property_u32(fdt, "#address-cells", 1);
    fdt_property_u32(fdt, "#size-cells", 1);
    fdt_property_string(fdt, "model", "generated");
    fdt_property_string(fdt, "compatible", "socmap,bench");
    char name[64];
    size_t made = 0, bus = 0;
    while (made < nodes) {
        uint32_t base = 0x40000000u + (uint32_t)bus * 0x100000u;
        snprintf(name, sizeof name, "bus@%x", base);
        if ((rc = fdt_begin_node(fdt, name))) return rc;
        fdt_property_string(fdt, "compatible", "simple-bus");
        fdt_property_u32(fdt, "#address-cells", 1);
        fdt_property_u32(fdt, "#size-cells", 1);
        fdt32_t ranges[3] = { cpu_to_fdt32(0), cpu_to_fdt32(base), cpu_to_fdt32(0x100000) };
        fdt_property(fdt, "ranges", ranges, sizeof ranges);
        for (size_t c = 0; c < fanout && made < nodes; c++, made++) {
            snprintf(name, sizeof name, "dev@%zx", c * 0x1000);
            if ((rc = fdt_begin_node(fdt, name))) return rc;
            fdt_property_string(fdt, "compatible", "socmap,dev");
            fdt32_t reg[2] = { cpu_to_fdt32((uint32_t)(c * 0x1000)), cpu_to_fdt32(0x1000) };
            fdt_property(fdt, "reg", reg, sizeof reg);
            if ((rc = fdt_end_node(fdt))) return rc;
        }
        if ((rc = fdt_end_node(fdt))) return rc;
        bus++;
    }
    if ((rc = fdt_end_node(fdt))) return rc;
    if ((rc = fdt_finish(fdt))) return rc;
    return fdt_totalsize(fdt);
}
