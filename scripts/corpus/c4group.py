"""Reader (and, for tests, writer) of OpenClonk's C4Group archives (.ocg, .ocd, .ocf, ...).

A C4Group file is gzip data whose first two bytes 1F 8B are replaced by 1E 8C. The
decompressed stream is a group:

    header   204 bytes, scrambled: every byte XOR 237, then bytes i and i+2 swapped in each
             group of three (both steps undo themselves)
             id[28] = "RedWolf Design GrpFolder", i32 ver1, i32 ver2, i32 entries,
             maker[32], password[32], i32 creation, i32 original, 92 bytes reserved
    entries  `entries` x 316 bytes, not scrambled:
             name[260], i32 packed, i32 child_group, i32 size, i32 unused, i32 offset,
             u32 time, u8 has_crc, u32 crc, u8 executable, 26 bytes reserved
    data     entry data at (end of the entry table + offset); an entry with child_group = 1
             is itself a group (header + entries + data, not gzipped again)

Folders inside the Debian package (e.g. Music.ocg/) may also be plain directories.
"""
import gzip
import os
import struct

MAGIC = b"RedWolf Design GrpFolder"
HEADER = 204
ENTRY = 316
XOR = 237


def scramble(buf):
    """The header (un)scrambling; applying it twice gives the input back."""
    b = bytearray(x ^ XOR for x in buf)
    for i in range(0, len(b) - 2, 3):
        b[i], b[i + 2] = b[i + 2], b[i]
    return bytes(b)


def _parse(data, base, prefix, out):
    head = scramble(data[base:base + HEADER])
    if not head.startswith(MAGIC):
        raise ValueError(f"not a C4Group at {prefix or '/'}")
    n = struct.unpack("<i", head[36:40])[0]
    if not 0 <= n <= 100000:
        raise ValueError(f"bad entry count {n}")
    table = base + HEADER
    start = table + n * ENTRY
    for k in range(n):
        e = data[table + k * ENTRY:table + (k + 1) * ENTRY]
        name = e[:260].split(b"\0", 1)[0].decode("latin1")
        _packed, child, size, _unused, off = struct.unpack("<5i", e[260:280])
        if off < 0 or size < 0 or start + off + size > len(data):
            raise ValueError(f"entry {name} out of bounds")
        path = f"{prefix}{name}"
        if child:
            _parse(data, start + off, path + "/", out)
        else:
            out.append((path, start + off, size))


def read(path_or_bytes):
    """Return (data, [(path inside the group, offset, size), ...]) for every file."""
    raw = path_or_bytes if isinstance(path_or_bytes, bytes) else open(path_or_bytes, "rb").read()
    if raw[:2] == b"\x1e\x8c":
        raw = gzip.decompress(b"\x1f\x8b" + raw[2:])
    elif raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    out = []
    _parse(raw, 0, "", out)
    return raw, out


def files(path):
    """Yield (path inside the group, bytes) for every file of a C4Group archive."""
    data, entries = read(path)
    for p, off, size in entries:
        yield p, data[off:off + size]


def walk(root):
    """Every file under `root` (a directory holding C4Group files and/or plain folders):
    yield (group file on disk, path inside it or None for a plain file, size)."""
    for dp, dns, fns in os.walk(root):
        dns.sort()
        for fn in sorted(fns):
            fp = os.path.join(dp, fn)
            with open(fp, "rb") as f:
                magic = f.read(2)
            if magic == b"\x1e\x8c":
                _, entries = read(fp)
                for p, _off, size in entries:
                    yield fp, p, size
            else:
                yield fp, None, os.path.getsize(fp)


# --------------------------------------------------------------------------- writer (tests)
def _build(tree):
    """tree: {name: bytes | dict}. Returns the uncompressed group bytes."""
    names = list(tree)
    blobs = [(_build(v), 1) if isinstance(v, dict) else (v, 0) for v in tree.values()]
    head = bytearray(HEADER)
    head[:len(MAGIC)] = MAGIC
    head[28:40] = struct.pack("<3i", 1, 2, len(names))
    table = bytearray()
    off = 0
    for name, (blob, child) in zip(names, blobs):
        e = bytearray(ENTRY)
        nb = name.encode("latin1")
        e[:len(nb)] = nb
        e[260:280] = struct.pack("<5i", 0, child, len(blob), 0, off)
        table += e
        off += len(blob)
    return scramble(bytes(head)) + bytes(table) + b"".join(b for b, _ in blobs)


def write(tree):
    """A C4Group file (gzipped, magic 1E 8C) holding `tree` ({name: bytes | dict})."""
    z = gzip.compress(_build(tree), mtime=0)
    return b"\x1e\x8c" + z[2:]
