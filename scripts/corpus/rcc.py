"""Minimal reader for Qt binary resource files (.rcc), format versions 1-3.

Layout (Qt's rcc.cpp / qresource.cpp): header b'qres', u32 version, u32 tree offset,
u32 data offset, u32 names offset, [u32 overall flags if version >= 3]; all big-endian.
Tree nodes are 14 bytes (v1) or 22 bytes (v2+, 8 extra bytes of mtime):
  u32 name_offset, u16 flags, then for a directory (flags & 2): u32 child_count,
  u32 first_child_index; for a file: u16 territory, u16 language, u32 data_offset.
Names: u16 length (UTF-16 units), u32 hash, UTF-16BE text.
Data: u32 size then bytes; flag 1 = zlib (payload = u32 BE uncompressed size + zlib
stream), flag 4 = zstd frame.
"""
import struct
import zlib


def _zstd_decompress(b):
    try:
        import zstandard
    except ImportError as e:  # pragma: no cover
        raise RuntimeError("zstd-compressed rcc entry: pip install zstandard") from e
    return zstandard.ZstdDecompressor().decompress(b, max_output_size=1 << 30)


def read_rcc(path):
    """Yield (path_inside_rcc, bytes) for every file in the archive."""
    buf = open(path, "rb").read()
    if buf[:4] != b"qres":
        raise ValueError(f"{path}: not an rcc file")
    version, tree, data, names = struct.unpack(">IIII", buf[4:20])
    node_size = 14 if version == 1 else 22

    def name(off):
        n = struct.unpack(">H", buf[names + off:names + off + 2])[0]
        s = names + off + 6
        return buf[s:s + 2 * n].decode("utf-16-be")

    def walk(idx, prefix):
        o = tree + idx * node_size
        name_off, flags = struct.unpack(">IH", buf[o:o + 6])
        nm = "" if idx == 0 else name(name_off)
        p = f"{prefix}/{nm}" if nm else prefix
        if flags & 2:
            count, first = struct.unpack(">II", buf[o + 6:o + 14])
            for c in range(first, first + count):
                yield from walk(c, p)
        else:
            doff = struct.unpack(">I", buf[o + 10:o + 14])[0]
            d = data + doff
            size = struct.unpack(">I", buf[d:d + 4])[0]
            payload = buf[d + 4:d + 4 + size]
            if flags & 1:
                payload = zlib.decompress(payload[4:])
            elif flags & 4:
                payload = _zstd_decompress(payload)
            yield p, payload

    yield from walk(0, "")
