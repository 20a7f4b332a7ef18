#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to fuzz/corpus/<target>/ from the project's real
files (pkg/, crates/cli/tests/fixtures, crates/core/tests/fixtures), cut down to small inputs:
libFuzzer mutates small files far faster. Run from anywhere: python3 fuzz/seed.py"""

import base64
import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(*parts):
    with open(os.path.join(ROOT, *parts), "rb") as f:
        return f.read()


# features: rate u32 LE, channel byte, interleaved f32 samples.
def feat(rate, ch, samples):
    return struct.pack("<IB", rate, ch) + b"".join(struct.pack("<f", s) for s in samples)


sine = [0.5 * math.sin(i * 0.07) for i in range(600)]
for rate in (22050, 44100, 8000, 192000, 48000, 7919, 1000, 768000):
    out("features", f"sine-{rate}", feat(rate, 0, sine))
out("features", "stereo-44100", feat(44100, 1, sine))
out("features", "eight-48000", feat(48000, 7, sine[:400]))
out("features", "one", feat(22050, 0, [0.5]))
out("features", "silence", feat(22050, 0, [0.0] * 551))
out("features", "dc", feat(22050, 0, [0.9] * 551))
out("features", "clipped", feat(22050, 0, [max(-1.0, min(1.0, 4 * s)) for s in sine]))
out("features", "nan", feat(22050, 0, [float("nan")] + sine[:50]))
out("features", "huge", feat(44100, 0, [3e38, -3e38] * 100))

# model_json: small models of both kinds, every tensor packing.
def tensor(shape, values, dtype):
    if dtype == "plain":
        return {"shape": shape, "values": values}
    if dtype == "f32":
        raw = b"".join(struct.pack("<f", v) for v in values)
        return {"shape": shape, "dtype": "f32", "data": base64.b64encode(raw).decode()}
    if dtype == "f16":
        raw = b"".join(struct.pack("<e", v) for v in values)
        return {"shape": shape, "dtype": "f16", "data": base64.b64encode(raw).decode()}
    rows = shape[0]
    cols = len(values) // rows
    scale = [max(1e-6, max(abs(v) for v in values[r * cols:(r + 1) * cols]) / 127) for r in range(rows)]
    raw = bytes((round(v / scale[i // cols]) & 0xFF) for i, v in enumerate(values))
    return {"shape": shape, "dtype": "i8", "data": base64.b64encode(raw).decode(), "scale": scale}


def dense(name, rows, cols, dtype):
    w = [((i * 37) % 11 - 5) / 10 for i in range(rows * cols)]
    b = [0.01 * i for i in range(rows)]
    return {"name": name, "weight": tensor([rows, cols], w, dtype), "bias": tensor([rows], b, dtype)}


def model(kind, dtype):
    m = {
        "format": "earshot-model",
        "version": 1,
        "text_input": kind,
        "audio": {"feature": "mfcc", "dim": 6, "mean": [0.0] * 6, "std": [1.0] * 6},
        "text": {"feature": "glove-6b-50d", "dim": 3},
        "layers": [dense("s1", 4, 6 if kind == "zero-pad" else 5, dtype), dense("s2", 2, 4, dtype)],
    }
    if kind == "per-modality":
        m["audio_input"] = dense("ai", 5, 6, dtype)
        m["text_input_layer"] = dense("ti", 5, 3, dtype)
    return json.dumps(m).encode()


for kind in ("zero-pad", "per-modality"):
    for dtype in ("plain", "f32", "f16", "i8"):
        out("model_json", f"{kind}-{dtype}.json", model(kind, dtype))
real = json.loads(read("pkg", "model.json"))
out("model_json", "real-head.json", json.dumps({k: real[k] for k in ("format", "version", "text_input", "text")}).encode())

# index: the first items of the shipped index, both storages.
ix = read("pkg", "index.bin")
magic, version, n, dim, dtype, meta_len = ix[:8], *struct.unpack("<5I", ix[8:28])
meta = json.loads(ix[28:28 + meta_len])
row = dim * 4 if dtype == 0 else dim + 4
body = ix[28 + meta_len:]
for keep in (1, 3):
    items = meta["items"][:keep]
    m = json.dumps({**meta, "items": items}).encode()
    for small_dim in (dim, 4):
        vecs = []
        for i in range(keep):
            if dtype == 0:
                v = list(struct.unpack(f"<{dim}f", body[i * row:(i + 1) * row]))
            else:
                scale = struct.unpack("<f", body[i * 4:i * 4 + 4])[0]
                codes = body[n * 4 + i * dim:n * 4 + (i + 1) * dim]
                v = [((c ^ 0x80) - 0x80) * scale for c in codes]
            vecs.append(v[:small_dim])
        head = magic + struct.pack("<5I", 1, keep, small_dim, 0, len(m)) + m
        out("index", f"f32-{keep}-{small_dim}", head + b"".join(struct.pack(f"<{small_dim}f", *v) for v in vecs))
        scales = [max(1e-6, max(abs(x) for x in v) / 127) for v in vecs]
        codes = b"".join(bytes(round(x / s) & 0xFF for x in v) for v, s in zip(vecs, scales))
        head = magic + struct.pack("<5I", 1, keep, small_dim, 1, len(m)) + m
        out("index", f"i8-{keep}-{small_dim}", head + b"".join(struct.pack("<f", s) for s in scales) + codes)
out("index", "header-only", ix[:28])

# text: a vocabulary file (mode byte 0) or a query (mode byte 1).
def vocab(words, dim, bits):
    block = "\n".join(words).encode()
    b = b"ESVOCAB\0" + struct.pack("<5I", 1, len(words), dim, bits, len(block)) + block
    b += b"".join(struct.pack("<H", 0x3C00) for _ in words)  # bf16 scale 2^-7
    for i in range(len(words)):
        if bits == 8:
            b += bytes(((i + j) * 13) & 0xFF for j in range(dim))
        else:
            b += bytes(((i + j) * 7) & 0xFF for j in range((dim + 1) // 2))
    return b


out("text", "vocab8", b"\0" + vocab(["dog", "bark", "hi-hat"], 5, 8))
out("text", "vocab4", b"\0" + vocab(["rain", "glass"], 3, 4))
out("text", "real-head", b"\0" + read("pkg", "vocab.bin")[:512])
for i, q in enumerate([
    "dog barking", "", "   ", "the of and", "hi-hat", "Dog's BARK!!", "rock'n'roll",
    "🐶 dog 🐕", "كلب ينبح", "כלב נובח", "<script>alert(1)</script> dog", "x" * 1001,
    "dog " * 300, "glass_rub", "--", "'''", "naïve café", "İstanbul ß", "\u0000dog\u202e",
]):
    out("text", f"query-{i}", b"\x01" + q.encode())

# decode: the fixtures cut to their first kilobytes, and small WAVs.
for name in ("glass_rub.wav", "glass_rub.flac", "glass_rub.ogg", "glass_rub.mp3"):
    data = read("crates", "cli", "tests", "fixtures", name)
    pick = {"wav": 0, "flac": 1, "ogg": 2, "mp3": 3}[name.rsplit(".", 1)[1]]
    for cut in (64, 1024, 6000):
        out("decode", f"{name}-{cut}", bytes([pick]) + data[:cut])


def wav(rate, ch, frames, fmt=1, bits=16):
    data = b""
    for f in frames:
        for s in f:
            data += struct.pack("<h", int(s * 32767)) if fmt == 1 else struct.pack("<f", s)
    bpf = ch * bits // 8
    return (b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, fmt, ch, rate, rate * bpf, bpf, bits)
            + b"data" + struct.pack("<I", len(data)) + data)


out("decode", "wav-8ch", bytes([0]) + wav(8000, 8, [[0.1 * c for c in range(8)]] * 40))
out("decode", "wav-float", bytes([4]) + wav(22050, 1, [[0.5], [float("nan")], [-0.5]] * 20, fmt=3, bits=32))
out("decode", "wav-empty", bytes([0]) + wav(22050, 1, []))
