// libyaml (Debian libyaml-dev) for the map-file reader. Its header and library sit on the
// default search paths, so the module needs no pkg-config lookup.
#ifndef SOCMAP_LIBYAML_SHIM_H
#define SOCMAP_LIBYAML_SHIM_H
#include <yaml.h>
#endif
