// Counts the C library allocator's calls by interposing malloc/calloc/realloc. The executable
// defines them, so the dynamic linker binds libswiftCore's calls here too; each forwards to
// glibc's own entry point.
#include "Floor.h"
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static _Atomic uint64_t calls;

void *malloc(size_t size) { atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed); return __libc_realloc(p, size); }

uint64_t floor_malloc_calls(void) { return atomic_load_explicit(&calls, memory_order_relaxed); }
