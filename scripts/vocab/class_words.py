#!/usr/bin/env python3
"""Write crates/cli/eval/class-words.csv: words that mean a class, beyond its label, for the
model's text prior (`earshot train --class-words`, crates/core/src/rank.rs `TextPrior`).

    .cache/venv-vocab/bin/python scripts/vocab/class_words.py [--out crates/cli/eval/class-words.csv]

The words are each class's WordNet sound words one step from the label's senses
(scripts/vocab/wordnet.py `class_synsets` with --hyper-depth 1 --hypo-depth 1: its sound senses
with their synonyms, direct hypernyms and hyponyms, the animals their definitions name and
derivationally related words: "bleat" → baa, ewe, kid; "pig" → hog, piglet, oink). Deeper
relations bring in words named after something else (a dog's breeds "sheepdog", a bird's
"goatsucker") that pull the plain words to the wrong class. A word WordNet gives to two classes
is kept for neither. --glove-filter keeps only the words GloVe 6B 50-d puts nearer their label
than any other (the anchors before the sentence model's affinities). Left out: the labels' own
words, and every word of the evaluation lists (crates/cli/eval/free-text.csv, phrases.csv) with
its inflections, so that those lists stay queries the prior has never seen.

Each word gets a split by a hash of the word: `train` words are the prior's anchors, the
`validation` words choose its weights (`earshot train`, `earshot prior`). Only words among
GloVe's --validation-max-rank most frequent can be validation words, as the words people type
are common ones (a rare word is always an anchor). Columns: `word,class,split,cosine`.
"""

import argparse
import csv
import hashlib
import os
import re
import struct
import sys

import numpy as np
import pyarrow.parquet as pq

import make_vocab
import wordnet

ROOT = make_vocab.ROOT
EVAL = os.path.join(ROOT, "crates", "cli", "eval")


def split_of(word, validation_share):
    h = int(hashlib.sha256(word.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "validation" if h < validation_share else "train"


def vocab_words(path):
    """The words of a vocabulary file (format: make_vocab.encode)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"ESVOCAB\0":
        sys.exit(f"{path}: not an earshot vocabulary")
    _version, _count, _dim, _bits, block = struct.unpack("<5I", data[8:28])
    return set(data[28:28 + block].decode().split("\n"))


def eval_words(wn):
    """Every word of the evaluation lists, with the base forms and inflections WordNet gives."""
    words = set()
    for name, column in (("free-text.csv", "word"), ("phrases.csv", "phrase")):
        with open(os.path.join(EVAL, name), newline="") as f:
            for row in csv.DictReader(f):
                words.update(re.findall(r"[a-z]+(?:['-][a-z]+)*", row[column].lower()))
    out = set(words)
    for w in words:
        for pos in ("n", "v"):
            for b in wn.base_forms(w, pos):
                out.add(b)
                out.update(wn.inflections(b, pos))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", default=os.path.join(ROOT, "scripts", "corpus", "manifest.csv"))
    ap.add_argument("--vocab", default=os.path.join(ROOT, "pkg", "vocab.bin"),
                    help="only words this vocabulary file has (the app must know them)")
    ap.add_argument("--min-cosine", type=float, default=0.5)
    ap.add_argument("--validation-share", type=float, default=0.5)
    ap.add_argument("--glove-filter", action="store_true",
                    help="keep a word only where GloVe puts it nearest its class's label at "
                         "--min-cosine or more (the anchors before the sentence model's "
                         "affinities; it makes GloVe right by construction on the validation words)")
    ap.add_argument("--hyper-depth", type=int, default=1,
                    help="WordNet hypernyms of the label's senses up to this depth")
    ap.add_argument("--hypo-depth", type=int, default=1,
                    help="WordNet hyponyms of the label's senses up to this depth")
    ap.add_argument("--validation-max-rank", type=int, default=50000,
                    help="only words among GloVe's N most frequent can be validation words (the "
                         "words people type); rarer ones are always anchors")
    ap.add_argument("--out", default=os.path.join(EVAL, "class-words.csv"))
    args = ap.parse_args()

    emb_path, index_path = make_vocab.glove_files()
    words = pq.read_table(index_path).column(0).to_pylist()
    emb = np.load(emb_path)
    index = {w: i for i, w in enumerate(words)}
    with open(args.labels, newline="") as f:
        classes = sorted({row["label"] for row in csv.DictReader(f)})
    known = vocab_words(args.vocab)

    def unit(v):
        return v / np.linalg.norm(v)

    label_vecs = []
    label_words = set()
    for c in classes:
        ws = [w for w in make_vocab.label_words(c, index) if w in index]
        if not ws:
            sys.exit(f"label {c!r} has no GloVe word")
        label_words.update(ws)
        label_vecs.append(unit(np.mean([emb[index[w]] for w in ws], 0)))
    labels = np.stack(label_vecs)

    wn = wordnet.WordNet(wordnet.find_dir(make_vocab.DEBIAN_CACHE))
    held_out = eval_words(wn)
    rows = []
    for ci, c in enumerate(classes):
        synsets = wordnet.class_synsets(c, wn, make_vocab.STOP, hyper_depth=args.hyper_depth,
                                        hypo_depth=args.hypo_depth)
        for w in sorted(wordnet.words_of(synsets, wn)):
            if (w not in index or not make_vocab.WORD.fullmatch(w) or w in label_words
                    or w in held_out or w in make_vocab.STOP or w not in known):
                continue
            cos = labels @ unit(emb[index[w]])
            if not args.glove_filter or (cos[ci] >= args.min_cosine and int(cos.argmax()) == ci):
                common = args.validation_max_rank is None or index[w] < args.validation_max_rank
                split = split_of(w, args.validation_share) if common else "train"
                rows.append((w, c, split, round(float(cos[ci]), 3)))
    # A word WordNet gives to two classes is kept for neither (argmax already makes this rare).
    count = {}
    for w, *_ in rows:
        count[w] = count.get(w, 0) + 1
    rows = [r for r in rows if count[r[0]] == 1]
    with open(args.out, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["word", "class", "split", "cosine"])
        out.writerows(sorted(rows, key=lambda r: (r[1], r[0])))
    per = {}
    for _, c, s, _ in rows:
        per.setdefault(c, {"train": 0, "validation": 0})[s] += 1
    print(f"wrote {args.out}: {len(rows)} words for {len(per)} of {len(classes)} classes "
          f"({sum(p['train'] for p in per.values())} train, "
          f"{sum(p['validation'] for p in per.values())} validation); "
          f"{len(held_out)} evaluation words and forms left out")


if __name__ == "__main__":
    main()
