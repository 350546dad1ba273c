#!/usr/bin/env python3
"""Build socmap's corrupted-DTB corpus (one defect per output file).

Run from anywhere:

    python3 Tests/SoCMapFDTTests/Fixtures/bad/make-corpus.py

Inputs (paths relative to this script's directory):
  ../qemu-virt-aarch64-1g.dtb  QEMU dump. It is 1 MiB of mostly zero padding,
                               so it is first trimmed (totalsize = end of the
                               strings block) to keep the outputs small.
  base.dtb                     dtc output for ../zynq-like.dts; compiled here
                               with `dtc -I dts -O dtb` if it does not exist.

Only the Python standard library is used; `dtc` must be on PATH to build
base.dtb (when missing) and deep-nesting.dtb. Outputs are deterministic: the
same inputs give byte-identical files. See README.md for what each file
contains and how dtc/fdtdump/libfdt react to it.
"""

import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9

# Header field byte offsets (all big-endian u32).
H_MAGIC = 0
H_TOTALSIZE = 4
H_OFF_STRUCT = 8
H_OFF_STRINGS = 12
H_OFF_RSVMAP = 16
H_VERSION = 20
H_LAST_COMP = 24
H_BOOT_CPU = 28
H_SIZE_STRINGS = 32
H_SIZE_STRUCT = 36


def u32(buf, off):
    return struct.unpack_from(">I", buf, off)[0]


def put_u32(buf, off, value):
    struct.pack_into(">I", buf, off, value)


def align4(n):
    return (n + 3) & ~3


def walk(blob):
    """Yield (kind, path, name, offset, length) for each tag of a valid blob.

    For FDT_PROP, offset is the byte offset of the property value and length
    its size; for FDT_BEGIN_NODE / FDT_END_NODE, offset is the tag offset.
    """
    off_struct = u32(blob, H_OFF_STRUCT)
    off_strings = u32(blob, H_OFF_STRINGS)
    pos = off_struct
    stack = []
    while True:
        tag = u32(blob, pos)
        tag_off = pos
        pos += 4
        if tag == FDT_BEGIN_NODE:
            end = blob.index(b"\0", pos)
            name = blob[pos:end].decode()
            pos = align4(end + 1)
            stack.append(name)
            yield ("begin", "/" + "/".join(stack[1:]), name, tag_off, 0)
        elif tag == FDT_END_NODE:
            yield ("end", "/" + "/".join(stack[1:]), stack[-1], tag_off, 0)
            stack.pop()
        elif tag == FDT_PROP:
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            nend = blob.index(b"\0", off_strings + nameoff)
            pname = blob[off_strings + nameoff:nend].decode()
            yield ("prop", "/" + "/".join(stack[1:]), pname, pos, length)
            pos = align4(pos + length)
        elif tag == FDT_NOP:
            continue
        elif tag == FDT_END:
            return
        else:
            raise ValueError("unexpected tag %#x at %#x" % (tag, tag_off))


def find_prop(blob, path, name):
    """Return (value offset, length) of property `name` on node `path`."""
    for kind, p, n, off, length in walk(blob):
        if kind == "prop" and p == path and n == name:
            return off, length
    raise KeyError("%s:%s not found" % (path, name))


def set_cell_prop(blob, path, name, value):
    off, length = find_prop(blob, path, name)
    assert length == 4, (path, name, length)
    put_u32(blob, off, value)


def trim(blob):
    """Copy of `blob` with totalsize cut to the end of its last block."""
    end = max(
        u32(blob, H_OFF_STRUCT) + u32(blob, H_SIZE_STRUCT),
        u32(blob, H_OFF_STRINGS) + u32(blob, H_SIZE_STRINGS),
    )
    out = bytearray(blob[:end])
    put_u32(out, H_TOTALSIZE, end)
    return out


def load(path):
    with open(path, "rb") as f:
        blob = bytearray(f.read())
    assert u32(blob, H_MAGIC) == FDT_MAGIC, path
    return blob


def run_dtc(dts_path, dtb_path):
    subprocess.run(
        ["dtc", "-I", "dts", "-O", "dtb", "-o", dtb_path, dts_path],
        check=True,
        stderr=subprocess.PIPE,
    )


# --- corruptions of the (trimmed) QEMU blob -------------------------------


def truncated(q):
    return q[: len(q) // 2]


def bad_magic(q):
    out = bytearray(q)
    # Magic written little-endian, as a byte-order bug in a writer would.
    struct.pack_into("<I", out, H_MAGIC, FDT_MAGIC)
    return out


def bad_version(q):
    out = bytearray(q)
    put_u32(out, H_VERSION, 1)
    put_u32(out, H_LAST_COMP, 99)
    return out


def totalsize_too_large(q):
    out = bytearray(q)
    put_u32(out, H_TOTALSIZE, len(q) + 0x1000)
    return out


def struct_misaligned(q):
    """Shift the structure block one byte later; contents otherwise intact."""
    off_struct = u32(q, H_OFF_STRUCT)
    out = bytearray(q[:off_struct]) + b"\0" + bytearray(q[off_struct:])
    put_u32(out, H_OFF_STRUCT, off_struct + 1)
    put_u32(out, H_OFF_STRINGS, u32(q, H_OFF_STRINGS) + 1)
    put_u32(out, H_TOTALSIZE, len(out))
    return out


def blocks_overlap(q):
    """Claim the structure block runs to the end of the blob (over strings)."""
    out = bytearray(q)
    put_u32(out, H_SIZE_STRUCT, len(q) - u32(q, H_OFF_STRUCT))
    return out


def unbalanced(q):
    """Turn the FDT_END_NODE closing the root's first child into FDT_NOP."""
    out = bytearray(q)
    for kind, path, _name, off, _len in walk(q):
        if kind == "end" and path.count("/") == 1 and path != "/":
            put_u32(out, off, FDT_NOP)
            return out, path
    raise AssertionError("no root child")


# --- corruptions of base.dtb (zynq-like.dts) -------------------------------


def reg_vs_size_cells(b):
    out = bytearray(b)
    set_cell_prop(out, "/amba/i2c@e0004000", "#size-cells", 1)
    return out


def reg_odd_length(b):
    """Shrink the length field of one reg from 8 to 6 bytes.

    The value is still padded to 8 bytes in the stream, so the tag walk and
    fdt_check_full are unaffected; only the reg length is wrong.
    """
    out = bytearray(b)
    off, length = find_prop(out, "/amba/serial@e0001000", "reg")
    assert length == 8
    put_u32(out, off - 8, 6)
    return out


def address_cells(b, value):
    out = bytearray(b)
    set_cell_prop(out, "/amba", "#address-cells", value)
    return out


def ranges_bad_length(b):
    out = bytearray(b)
    set_cell_prop(out, "/amba_pl@40000000", "#address-cells", 2)
    return out


def deep_nesting(depth, tmpdir):
    lines = ["/dts-v1/;", "", "/ {", "\tcompatible = \"socmap,deep-nesting\";"]
    for i in range(1, depth + 1):
        lines.append("\t" * i + "level%d {" % i)
    lines.append("\t" * (depth + 1) + "leaf-depth = <%d>;" % depth)
    for i in range(depth, 0, -1):
        lines.append("\t" * i + "};")
    lines.append("};")
    dts = os.path.join(tmpdir, "deep.dts")
    dtb = os.path.join(tmpdir, "deep.dtb")
    with open(dts, "w") as f:
        f.write("\n".join(lines) + "\n")
    run_dtc(dts, dtb)
    with open(dtb, "rb") as f:
        return f.read()


def main():
    os.chdir(HERE)
    if not os.path.exists("base.dtb"):
        run_dtc(os.path.join("..", "zynq-like.dts"), "base.dtb")
    qemu = trim(load(os.path.join("..", "qemu-virt-aarch64-1g.dtb")))
    base = load("base.dtb")

    unbal, unbal_node = unbalanced(qemu)
    outputs = [
        ("truncated.dtb", truncated(qemu)),
        ("bad-magic.dtb", bad_magic(qemu)),
        ("bad-version.dtb", bad_version(qemu)),
        ("totalsize-too-large.dtb", totalsize_too_large(qemu)),
        ("struct-misaligned.dtb", struct_misaligned(qemu)),
        ("blocks-overlap.dtb", blocks_overlap(qemu)),
        ("unbalanced-nodes.dtb", unbal),
        ("reg-vs-size-cells.dtb", reg_vs_size_cells(base)),
        ("reg-odd-length.dtb", reg_odd_length(base)),
        ("address-cells-0.dtb", address_cells(base, 0)),
        ("address-cells-5.dtb", address_cells(base, 5)),
        ("ranges-bad-length.dtb", ranges_bad_length(base)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        outputs.append(("deep-nesting.dtb", deep_nesting(200, tmp)))

    for name, data in outputs:
        with open(name, "wb") as f:
            f.write(bytes(data))
        print("%-26s %6d bytes" % (name, len(data)))
    print("unbalanced-nodes.dtb: END_NODE of %s replaced by NOP" % unbal_node)
    return 0


if __name__ == "__main__":
    sys.exit(main())
