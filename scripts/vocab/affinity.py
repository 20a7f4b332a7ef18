#!/usr/bin/env python3
"""Write the text prior's affinity table: each vocabulary word's nearest classes by the sentence
model all-MiniLM-L6-v2 (scripts/vocab/minilm.py), for `earshot prior --affinity`
(crates/core/src/rank.rs `Affinity`).

    .cache/venv-vocab/bin/python scripts/vocab/affinity.py [--out .cache/minilm/affinity.json]

Every word of pkg/vocab.bin is embedded as "the sound of WORD", every class as "the sound of
LABEL" (the label's words: "the sound of canidae dogs wolves"); that template on both sides
found the class of the most validation words of crates/cli/eval/class-words.csv (0.74, against
0.64 for the bare words; docs/results.md). With --glosses each class also gets its WordNet
senses' definitions ("bleat: the sound of sheep or goats"), a word taking its best cosine over
the class's texts; --scrub-eval removes the evaluation lists' words (and their inflections)
from those definitions. Only the labels' text is used, never a sound's label.

With --anchors (the shipped table: crates/cli/eval/class-words.csv) each class also stands for its
class words ("the sound of WORD", from the same cached vectors), a word taking its best cosine
over the label and them; --anchor-split train builds the table `earshot prior --affinity-fit`
chooses the weights with (the validation words are then no anchors). --max-rank keeps entries to
GloVe's commonest words.

A word is kept when its best cosine is at least --min-cosine, with the classes within --margin
of its best (at most --top); the cosines are stored in hundredths. The labels' own words get no
entry (--label-words own: their own classes at cosine 1). Output: a JSON object of
class label → "word:cos word:cos …". The words' vectors are cached under .cache/minilm/ (about
20 minutes on 2 busy cores the first time).
"""

import argparse
import csv
import json
import os
import re
import sys

import numpy as np

import class_words
import make_vocab
import wordnet
from minilm import MiniLM

ROOT = make_vocab.ROOT
CACHE = os.path.join(ROOT, ".cache", "minilm")
TEMPLATE = "the sound of {}"


def label_text(label):
    return label.replace("_", " ").lower()


def senses(label, wn):
    """The label's own WordNet senses: nouns of the sound files and verbs (as class_synsets)."""
    out, seen = [], set()
    for lemma in wordnet.class_lemmas(label, wn, make_vocab.STOP):
        found = [s for s in wn.senses(lemma, "n") if s.lexfile in wordnet.SOUND_NOUN_FILES]
        for s in found + wn.senses(lemma, "v"):
            if (s.pos, s.offset) not in seen:
                seen.add((s.pos, s.offset))
                out.append(s)
    return out


def definition(synset):
    return re.split(r'[;"]', synset.gloss, maxsplit=1)[0].strip()


def word_vectors(model, words):
    """MiniLM vectors of TEMPLATE.format(word) for `words`, cached by the word list."""
    os.makedirs(CACHE, exist_ok=True)
    names, vectors = os.path.join(CACHE, "vocab-words.txt"), os.path.join(CACHE, "vocab-sound-of.npy")
    if os.path.exists(names) and os.path.exists(vectors):
        with open(names) as f:
            cached = f.read().split("\n")[:-1]
        if cached == words:
            return np.load(vectors).astype(np.float32)
    out = np.zeros((len(words), 384), np.float16)
    for s in range(0, len(words), 5000):
        out[s:s + 5000] = model.embed([TEMPLATE.format(w) for w in words[s:s + 5000]])
        print(f"embedded {min(s + 5000, len(words))} of {len(words)} words", file=sys.stderr, flush=True)
    np.save(vectors, out)
    with open(names, "w") as f:
        f.write("\n".join(words) + "\n")
    return out.astype(np.float32)


def class_anchors(model, classes, glosses, scrub, wn):
    """Unit vectors of each class's texts and the class of each."""
    texts, owner = [TEMPLATE.format(label_text(c)) for c in classes], list(range(len(classes)))
    if glosses:
        held = class_words.eval_words(wn) if scrub else set()
        for ci, c in enumerate(classes):
            for s in senses(c, wn):
                text = f"{label_text(c)}: {definition(s)}"
                if held:
                    text = " ".join(w for w in re.findall(r"[A-Za-z'-]+|[^\sA-Za-z]", text)
                                    if w.lower() not in held)
                texts.append(text)
                owner.append(ci)
    return model.embed(texts), np.array(owner)


def word_anchors(words_vec, index, path, split):
    """Unit vectors of the class words of a class-words CSV (`word,class,split`; `split`: only
    that split's words, or `all`) and their classes' names, from the vocabulary's vectors."""
    rows = []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if (split == "all" or row["split"] == split) and row["word"] in index:
                rows.append((row["word"], row["class"]))
    vecs = np.stack([words_vec[index[w]] for w, _ in rows]) if rows else np.zeros((0, 384), np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True).clip(1e-12), [c for _, c in rows]


def affinities(words_vec, anchors, owner, classes):
    """Each word's best cosine to each class's texts (words × classes)."""
    sims = words_vec @ anchors.T
    out = np.full((len(words_vec), len(classes)), -1.0, np.float32)
    for ci in range(len(classes)):
        out[:, ci] = sims[:, owner == ci].max(1)
    return out


def label_tokens(classes):
    """Each word of the labels (hyphenated words whole and in parts: "tom-tom", "tom") and the
    classes whose label has it."""
    out = {}
    for c in classes:
        for tok in re.split(r"[^0-9a-z'-]+", c.lower()):
            tok = tok.strip("-'")
            if tok:
                for w in {tok, *(p for p in tok.split("-") if p)}:
                    out.setdefault(w, set()).add(c)
    return out


def table(words, aff, classes, min_cosine, margin, top, label_words="skip"):
    """Each word's classes within `margin` of its best (at most `top`), for words whose best
    cosine is at least `min_cosine`. A word of a label is left out (`skip`: the labels are the
    prior's anchors and their sounds' tags) or stands for the classes whose label has it at
    cosine 1 (`own`: "organ" is Organ's, "bass" each bass class's), whatever the model says."""
    per_class = {c: [] for c in classes}
    kept = 0
    own = label_tokens(classes)
    for w, row in zip(words, aff):
        if w in own and not (label_words == "own" and w in make_vocab.STOP):
            if label_words == "own":
                kept += 1
                for c in sorted(own[w]):
                    per_class[c].append(f"{w}:100")
            continue
        order = np.argsort(-row)[:top]
        best = row[order[0]]
        if best < min_cosine:
            continue
        kept += 1
        for ci in order:
            if row[ci] >= best - margin:
                per_class[classes[ci]].append(f"{w}:{int(round(float(row[ci]) * 100))}")
    return {c: " ".join(v) for c, v in per_class.items() if v}, kept


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--labels", default=os.path.join(ROOT, "scripts", "corpus", "manifest.csv"))
    ap.add_argument("--vocab", default=os.path.join(ROOT, "pkg", "vocab.bin"))
    ap.add_argument("--glosses", action="store_true", help="the classes' WordNet definitions too")
    ap.add_argument("--scrub-eval", action="store_true",
                    help="with --glosses: leave the evaluation lists' words out of the definitions")
    ap.add_argument("--anchors", help="a class-words CSV: its words stand for their classes too "
                    "(a word's cosine to a class is its best over the label and these words)")
    ap.add_argument("--anchor-split", default="all", choices=["train", "validation", "all"],
                    help="with --anchors: only this split's words (train: for choosing the "
                         "prior's weights on the validation words)")
    ap.add_argument("--max-rank", type=int, default=None,
                    help="only words among GloVe's N most frequent (and the --anchors words) get "
                         "an entry: the words people type")
    ap.add_argument("--min-cosine", type=float, default=0.6)
    ap.add_argument("--margin", type=float, default=0.05)
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("--label-words", choices=["skip", "own"], default="skip",
                    help="a label's words: no entry, or their own classes at cosine 1")
    ap.add_argument("--out", default=os.path.join(CACHE, "affinity.json"))
    args = ap.parse_args()

    with open(args.labels, newline="") as f:
        classes = sorted({row["label"] for row in csv.DictReader(f)})
    words = sorted(class_words.vocab_words(args.vocab))
    model = MiniLM()
    wn = wordnet.WordNet(wordnet.find_dir(make_vocab.DEBIAN_CACHE))
    vecs = word_vectors(model, words)
    anchors, owner = class_anchors(model, classes, args.glosses, args.scrub_eval, wn)
    if args.anchors:
        index = {w: i for i, w in enumerate(words)}
        vecs_a, names = word_anchors(vecs, index, args.anchors, args.anchor_split)
        row = {c: i for i, c in enumerate(classes)}
        keep = [i for i, c in enumerate(names) if c in row]
        anchors = np.concatenate([anchors, vecs_a[keep]])
        owner = np.concatenate([owner, np.array([row[names[i]] for i in keep], dtype=owner.dtype)])
    aff = affinities(vecs, anchors, owner, classes)
    if args.max_rank is not None:
        import pyarrow.parquet as pq
        _, index_path = make_vocab.glove_files()
        rank = {w: i for i, w in enumerate(pq.read_table(index_path).column(0).to_pylist())}
        anchored = set()
        if args.anchors:
            with open(args.anchors, newline="") as f:
                anchored = {row["word"] for row in csv.DictReader(f)}
        keep = [i for i, w in enumerate(words)
                if rank.get(w, len(rank)) < args.max_rank or w in anchored]
        words, aff = [words[i] for i in keep], aff[keep]
    out, kept = table(words, aff, classes, args.min_cosine, args.margin, args.top, args.label_words)
    text = json.dumps(out, sort_keys=True, separators=(",", ":"))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    import gzip
    print(f"wrote {args.out}: {kept} of {len(words)} words, {len(text) / 1e3:.0f} kB "
          f"({len(gzip.compress(text.encode(), 9)) / 1e3:.0f} kB gzip)")


if __name__ == "__main__":
    main()
