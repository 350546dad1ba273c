#!/usr/bin/python3
"""Independent oracle: CPU addresses of every `reg` entry in flattened device trees.

Reads DTBs with pylibfdt (Debian python3-libfdt) and shares no code with socmap.
It follows Linux drivers/of/address.c, of_translate_address() (see
shared/reference/device-tree-rules.md, section 2):

* Bus type of a node (of_match_bus, first match wins):
  pci   device_type pci/pciex/vci/ht, or node name "pcie"; cells fixed 3/2,
        flag cell = phys.hi, map() requires the same space class
        (IORESOURCE_IO for 01, IORESOURCE_MEM for 10 and 11, none for 00:
        32/64-bit memory are compatible, config space matches only config).
  isa   node name "isa"; cells fixed 2/1; map() requires bit 0 of cell 0 to match.
  default-flags  of_bus_n_addr_cells(bus) == 3; map() requires cell 0 to be equal.
  default        plain numbers.
  The flag buses compare cells [1..na), and translate() keeps cell 0.
* Cells of a node come from its parent (of_n_addr_cells/of_n_size_cells): a
  missing property is looked up in further ancestors, the root default is 1/1.
  OF_CHECK_COUNTS: 1 <= na <= 4 and ns > 0 at every level, or no translation
  (so a #size-cells = 0 level, e.g. I2C, SPI, /cpus, is untranslatable).
* __of_translate_address walks up: at each bus node, "ranges" absent -> fail;
  empty -> identity; else entries of (na + pna + ns) cells, trailing partial
  entry ignored, the first entry with cp <= da < cp + s (u64 arithmetic, start
  address only) wins, new = parent address + (da - cp); no match -> fail.
  At the root the address (low 64 bits) is the CPU address.
* reg is split into whole (na + ns)-cell entries; a partial tail is ignored.
Not modelled: PPC empty-ranges quirk, indirect-IO (logic_pio) hosts, and PCI
children's assigned-addresses (their reg is translated like any other).

Output: one JSON object per DTB per line (see the socmap corpus tests). An entry's
"cellsDefaulted" is true when a level whose cells were read (the node's parent and
each bus above it, up to where translation stopped) lacks #address-cells or #size-cells.
Usage: oracle.py [--summary] FILE.dtb... | oracle.py [--summary] FOLDER
"""
import json
import os
import sys

import libfdt

MASK64 = (1 << 64) - 1
ROOT_ADDR_CELLS, ROOT_SIZE_CELLS = 1, 1  # OF_ROOT_NODE_{ADDR,SIZE}_CELLS_DEFAULT
PCI_TYPES = ("pci", "pciex", "vci", "ht")


class Node:
    def __init__(self, name, path, parent, props):
        self.name, self.path, self.parent, self.props = name, path, parent, props
        self.base = name.split("@", 1)[0]

    def string(self, prop):
        value = self.props.get(prop)
        return None if value is None else value.split(b"\0", 1)[0].decode("utf-8", "replace")

    def lacks_cells(self):
        """True unless both cell properties are present (and at least one cell long)."""
        return any(len(self.props.get(p, b"")) < 4 for p in ("#address-cells", "#size-cells"))


def cells(data):
    """Big-endian u32 cells of a property; a partial last cell is dropped."""
    return [int.from_bytes(data[i:i + 4], "big") for i in range(0, len(data) - 3, 4)]


def number(cs):
    """of_read_number: the low 64 bits of a big-endian cell sequence."""
    value = 0
    for c in cs:
        value = ((value << 32) | c) & MASK64
    return value


def read_tree(fdt):
    """All nodes in tree order as Node objects (path built like fdt_get_path).

    pylibfdt 1.6.1 has no usable get_path, so paths are joined from get_name.
    An explicit stack keeps arbitrarily deep trees from hitting Python's recursion limit.
    """
    nodes, stack = [], [(0, None)]
    while stack:
        offset, parent = stack.pop()
        props = {}
        poff = fdt.first_property_offset(offset, libfdt.QUIET_NOTFOUND)
        while poff >= 0:
            prop = fdt.get_property_by_offset(poff)
            props[prop.name] = bytes(prop)
            poff = fdt.next_property_offset(poff, libfdt.QUIET_NOTFOUND)
        name = fdt.get_name(offset) if parent else ""
        path = "/" if parent is None else parent.path.rstrip("/") + "/" + name
        node = Node(name, path, parent, props)
        nodes.append(node)
        children = []
        child = fdt.first_subnode(offset, libfdt.QUIET_NOTFOUND)
        while child >= 0:
            children.append((child, node))
            child = fdt.next_subnode(child, libfdt.QUIET_NOTFOUND)
        stack.extend(reversed(children))
    return nodes


def bus_cells(node, prop, default):
    """of_bus_n_addr_cells / of_bus_n_size_cells: node, then its ancestors."""
    while node is not None:
        value = node.props.get(prop)
        if value is not None and len(value) >= 4:
            return cells(value)[0]
        node = node.parent
    return default


def match_bus(node):
    """of_match_bus(node): the bus type the node presents to its children."""
    if node.string("device_type") in PCI_TYPES or node.base == "pcie":
        return "pci"
    if node.base == "isa":
        return "isa"
    if bus_cells(node, "#address-cells", ROOT_ADDR_CELLS) == 3:
        return "default-flags"
    return "default"


def count_cells(bus, parent):
    """bus->count_cells(child): (na, ns) a child of `parent` uses."""
    if bus == "pci":
        return 3, 2
    if bus == "isa":
        return 2, 1
    return (bus_cells(parent, "#address-cells", ROOT_ADDR_CELLS),
            bus_cells(parent, "#size-cells", ROOT_SIZE_CELLS))


def counts_ok(na, ns):
    return 1 <= na <= 4 and ns > 0  # OF_CHECK_COUNTS


def bad_counts(na, ns, where):
    if ns == 0 and 1 <= na <= 4:
        return "untranslatable: #size-cells is 0 at " + where
    return "untranslatable: bad cell count %d/%d at %s" % (na, ns, where)


def pci_space(cell):
    """of_bus_pci_get_flags restricted to IORESOURCE_IO | IORESOURCE_MEM."""
    return {0: 0, 1: 1, 2: 2, 3: 2}[(cell >> 24) & 3]


def bus_map(bus, addr, rng, na, ns, pna):
    """bus->map(): offset of addr inside one ranges entry, or None."""
    if bus == "pci" and pci_space(addr[0]) != pci_space(rng[0]):
        return None
    if bus == "isa" and (addr[0] ^ rng[0]) & 1:
        return None
    if bus == "default-flags" and addr[0] != rng[0]:
        return None
    fna = 0 if bus == "default" else 1
    cp = number(rng[fna:na])
    size = number(rng[na + pna:na + pna + ns])
    da = number(addr[fna:na])
    if da < cp or da >= (cp + size) & MASK64:
        return None
    return da - cp


def bus_translate(bus, addr, offset, na):
    """pbus->translate(): add offset to the low 64 bits (flag buses keep cell 0)."""
    if bus != "default":
        return addr[:1] + bus_translate("default", addr[1:], offset, na - 1)
    value = (number(addr[:na]) + offset) & MASK64
    out = [0] * na
    if na > 1:
        out[na - 2] = value >> 32
    out[na - 1] = value & 0xFFFFFFFF
    return out


def translate(node, addr):
    """__of_translate_address(node, addr, "ranges") -> (cpu, reason, defaulted)."""
    dev, parent = node, node.parent
    bus = match_bus(parent)
    na, ns = count_cells(bus, parent)
    defaulted = parent.lacks_cells()
    if not counts_ok(na, ns):
        return None, bad_counts(na, ns, parent.path), defaulted
    addr = list(addr[:na])
    while True:
        dev, parent = parent, parent.parent
        if parent is None:
            return number(addr[:na]), None, defaulted
        pbus = match_bus(parent)
        pna, pns = count_cells(pbus, parent)
        defaulted = defaulted or parent.lacks_cells()
        if not counts_ok(pna, pns):
            return None, bad_counts(pna, pns, parent.path), defaulted
        ranges = dev.props.get("ranges")
        if ranges is None:
            return None, "untranslatable: no ranges at " + dev.path, defaulted
        if len(ranges) == 0:
            offset, addr = number(addr[:na]), [0] * pna
        else:
            rcells, rone = cells(ranges), na + pna + ns
            for i in range(0, len(rcells) - rone + 1, rone):
                offset = bus_map(bus, addr, rcells[i:i + rone], na, ns, pna)
                if offset is not None:
                    addr = rcells[i + na:i + na + pna]
                    break
            else:
                return None, "untranslatable: no matching ranges entry at " + dev.path, defaulted
        addr = bus_translate(pbus, addr, offset, pna)
        na, ns, bus = pna, pns, pbus


def node_record(node):
    parent = node.parent
    na, ns = count_cells(match_bus(parent), parent)
    reg, one = node.props["reg"], na + ns
    regcells = cells(reg)
    whole = len(regcells) // one if one > 0 else 0
    entries = []
    for i in range(whole):
        entry = regcells[i * one:(i + 1) * one]
        cpu, reason, defaulted = translate(node, entry[:na])
        size = number(entry[na:]) if counts_ok(na, ns) else 0
        if reason is None and size == 0:
            reason = "size is 0"
        elif reason is None and cpu + size - 1 > MASK64:
            reason = "range runs past 2^64"
        if reason is None:
            entries.append({"index": i, "translated": True, "base": hex(cpu),
                            "last": hex(cpu + size - 1), "cellsDefaulted": defaulted})
        else:
            entries.append({"index": i, "translated": False, "reason": reason,
                            "cellsDefaulted": defaulted})
    names = node.props.get("reg-names")
    if names is not None:  # a NUL-terminated string list
        names = [s.decode("utf-8", "replace") for s in names.split(b"\0")[:names.count(b"\0")]]
    enabled, n = True, node
    while n is not None and enabled:
        enabled, n = n.string("status") in (None, "okay", "ok"), n.parent
    return {"path": node.path, "enabled": enabled, "top": node.path.split("/")[1],
            "trailing": len(reg) != whole * one * 4, "regNames": names, "entries": entries}


def process(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        fdt = libfdt.Fdt(data)
        err = libfdt.fdt_check_full(bytearray(data), len(data))
        if err:
            raise libfdt.FdtException(err)
        nodes = read_tree(fdt)
    except libfdt.FdtException as e:
        return {"dtb": path, "error": str(e)}
    return {"dtb": path, "nodes": [node_record(n) for n in nodes
                                   if n.parent is not None and "reg" in n.props]}


def dtb_paths(args):
    if len(args) == 1 and os.path.isdir(args[0]):
        return sorted(os.path.join(root, f) for root, _, files in os.walk(args[0])
                      for f in files if f.endswith(".dtb"))
    return args


def main(argv):
    summary = "--summary" in argv
    args = [a for a in argv if a != "--summary"]
    if not args or any(a.startswith("-") for a in args):
        sys.exit(__doc__.rstrip().rsplit("\n", 1)[-1])
    totals = dict.fromkeys(("DTBs", "errors", "nodes with reg", "entries", "translated",
                            "cellsDefaulted", "trailing nodes"), 0)
    for path in dtb_paths(args):
        try:
            record = process(path)
        except Exception as e:  # never stop the corpus run; report the DTB instead
            record = {"dtb": path, "error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(record))
        totals["DTBs"] += 1
        totals["errors"] += "error" in record
        for node in record.get("nodes", ()):
            totals["nodes with reg"] += 1
            totals["trailing nodes"] += node["trailing"]
            for entry in node["entries"]:
                totals["entries"] += 1
                totals["translated"] += entry["translated"]
                totals["cellsDefaulted"] += entry["cellsDefaulted"]
    if summary:
        print(", ".join("%s: %d" % kv for kv in totals.items()), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
