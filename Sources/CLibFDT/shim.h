// The few libfdt macros socmap needs, as functions Swift can call. Debian's libfdt-dev
// ships the headers and libfdt.so; there is no pkg-config file.
#ifndef SOCMAP_LIBFDT_SHIM_H
#define SOCMAP_LIBFDT_SHIM_H
#include <libfdt.h>

static inline uint32_t socmap_fdt_magic(const void *fdt) { return fdt_magic(fdt); }
static inline uint32_t socmap_fdt_totalsize(const void *fdt) { return fdt_totalsize(fdt); }
static inline uint32_t socmap_fdt_version(const void *fdt) { return fdt_version(fdt); }
static inline uint32_t socmap_fdt_last_comp_version(const void *fdt) { return fdt_last_comp_version(fdt); }
static inline uint32_t socmap_fdt_off_dt_struct(const void *fdt) { return fdt_off_dt_struct(fdt); }
static inline uint32_t socmap_fdt_off_dt_strings(const void *fdt) { return fdt_off_dt_strings(fdt); }
static inline uint32_t socmap_fdt_off_mem_rsvmap(const void *fdt) { return fdt_off_mem_rsvmap(fdt); }
static inline uint32_t socmap_fdt_size_dt_struct(const void *fdt) { return fdt_size_dt_struct(fdt); }
static inline uint32_t socmap_fdt_size_dt_strings(const void *fdt) { return fdt_size_dt_strings(fdt); }
static inline uint32_t socmap_fdt_header_size(void) { return (uint32_t)sizeof(struct fdt_header); }

#endif
