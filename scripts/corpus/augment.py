#!/usr/bin/env python3
"""Augmented copies of the corpus audio, to train a joint space that does not lean on source cues
(issue 15, item 2(iv); docs/results.md, "Augmentation that breaks source cues").

    python3 scripts/corpus/augment.py --copies 3          # -j N worker processes (default 2)

For each clip of .cache/corpus/manifest.csv and each copy k = 1..K, writes
.cache/corpus/aug/<k>/clips/<class>/<id>.wav (mono 22 050 Hz 16-bit, the clip's length) and
.cache/corpus/aug/<k>/manifest.csv (the same rows and ids, `path` pointing at the copy), plus
effects.csv (what was applied to each clip), so `earshot features --manifest
.cache/corpus/aug/<k>/manifest.csv` gives the copies' clip vectors. Deterministic: the effects of
clip `id`, copy k, come from a generator seeded with sha256(seed, id, k).

Every copy gets, in this order (sox 14.4 does the signal processing; numpy only mixes and scales):

- pitch: `sox pitch`, uniform in ±200 cents (±2 semitones);
- EQ tilt: `sox bass +t` and `treble −t`, t uniform in ±6 dB;
- band filters: 1–2 `sox equalizer` peaks, centre log-uniform in 100–8000 Hz, Q 1, gain ±12 dB;
- reverb (half the copies): `sox reverb`, reverberance 10–70 %, room scale 10–100 %;
- background noise (four copies in five): an ambience clip (Rain, Wind, Stream, Ocean) at an SNR
  uniform in 5–25 dB against the clip's RMS, from a random offset, looped to the clip's length;
- gain: the clip's RMS moved by −10…+6 dB (scaled down when the peak would exceed 0.99).

`--effects` keeps a subset (e.g. `--effects gain,eq`) for ablations.

The noise pool is the train split's ambience clips of packages outside `--spare` (by default the
six largest packages, the ones `earshot lopo --largest 6` holds out), never the clip's own
package: no held-out package's audio, and no validation or test clip, enters a training copy.
"""
import argparse
import csv
import hashlib
import multiprocessing as mp
import os
import subprocess
import sys
import wave
from collections import Counter

import numpy as np

RATE = 22050
AMBIENCE = ("Rain", "Wind", "Stream", "Ocean")
EFFECTS = ("pitch", "eq", "reverb", "noise", "gain")


def read_wav(path):
    """Mono float32 samples of a 16-bit PCM WAV (the corpus's format)."""
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == RATE, path
        data = w.readframes(w.getnframes())
    return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


def write_wav(path, x):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    os.replace(tmp, path)


def rng_for(seed, clip_id, k):
    h = hashlib.sha256(f"{seed}\0{clip_id}\0{k}".encode()).digest()
    return np.random.default_rng(int.from_bytes(h[:8], "little"))


def rms(x):
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def draw(rng, effects):
    """The sox effect chain and the mixing parameters of one copy (every draw is made whatever
    `effects` keeps, so a subset changes nothing else)."""
    cents = rng.uniform(-200, 200)
    tilt = rng.uniform(-6, 6)
    bands = [
        (float(np.exp(rng.uniform(np.log(100), np.log(8000)))), rng.uniform(-12, 12))
        for _ in range(rng.integers(1, 3))
    ]
    reverb = rng.random() < 0.5
    reverberance, room = rng.uniform(10, 70), rng.uniform(10, 100)
    noise = rng.random() < 0.8
    snr = rng.uniform(5, 25)
    noise_pick, noise_offset = rng.random(), rng.random()
    gain = rng.uniform(-10, 6)
    chain = ["vol", "0.25"]  # headroom: the level is set afterwards
    if "pitch" in effects:
        chain += ["pitch", f"{cents:.1f}"]
    if "eq" in effects:
        chain += ["bass", f"{tilt:.2f}", "treble", f"{-tilt:.2f}"]
        for f, g in bands:
            chain += ["equalizer", f"{f:.0f}", "1q", f"{g:.2f}"]
    if "reverb" in effects and reverb:
        chain += ["reverb", f"{reverberance:.0f}", "50", f"{room:.0f}"]
    chain += ["rate", str(RATE)]
    return {
        "chain": chain,
        "noise": "noise" in effects and noise,
        "snr": snr,
        "noise_pick": noise_pick,
        "noise_offset": noise_offset,
        "gain": gain if "gain" in effects else 0.0,
    }


def sox(path, chain, n):
    """`path` through the sox effects `chain`, as `n` float32 samples (cut or zero-padded)."""
    out = subprocess.run(
        ["sox", "-V1", path, "-t", "f32", "-c", "1", "-"] + chain,
        check=True,
        capture_output=True,
    ).stdout
    y = np.frombuffer(out, dtype="<f4").astype(np.float32)
    return np.pad(y, (0, max(0, n - len(y))))[:n]


POOL = {}


def init(pool):
    for p in pool:
        POOL.setdefault(p[0], []).append((p[1], read_wav(p[2])))


def work(job):
    row, k, seed, effects, corpus, out = job
    src = os.path.join(corpus, row["path"])
    dst = os.path.join(out, str(k), row["path"])
    x = read_wav(src)
    p = draw(rng_for(seed, row["id"], k), effects)
    y = sox(src, p["chain"], len(x)) if len(x) else x
    noise_id = ""
    pool = [c for pkg, cs in POOL.items() if pkg != row["source_package"] for c in cs]
    if p["noise"] and pool and rms(y) > 0:
        noise_id, n = pool[int(p["noise_pick"] * len(pool))]
        start = int(p["noise_offset"] * len(n))
        n = np.resize(np.roll(n, -start), len(y))
        if rms(n) > 0:
            y = y + n * (rms(y) / rms(n)) * 10 ** (-p["snr"] / 20)
    if rms(y) > 0:
        y = y * (rms(x) / rms(y)) * 10 ** (p["gain"] / 20)
        peak = float(np.max(np.abs(y)))
        if peak > 0.99:
            y = y * (0.99 / peak)
    write_wav(dst, y)
    snr = f"{p['snr']:.1f}" if noise_id else ""
    return {"id": row["id"], "sox": " ".join(p["chain"]), "noise": noise_id, "snr": snr,
            "gain": f"{p['gain']:.1f}"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", default=".cache/corpus/manifest.csv")
    ap.add_argument("--out", default=".cache/corpus/aug")
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--effects", default=",".join(EFFECTS))
    ap.add_argument("--spare", default="",
                    help="packages whose clips are never noise (comma-separated; default: the six largest)")
    ap.add_argument("-j", type=int, default=2)
    a = ap.parse_args()
    effects = set(a.effects.split(","))
    unknown = effects - set(EFFECTS)
    if unknown:
        sys.exit(f"augment.py: unknown effects {sorted(unknown)} (known: {', '.join(EFFECTS)})")
    corpus = os.path.dirname(os.path.abspath(a.manifest))
    with open(a.manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0].keys())
    spare = set(a.spare.split(",")) if a.spare else {
        p for p, _ in Counter(r["source_package"] for r in rows).most_common(6)}
    pool = [(r["source_package"], r["id"], os.path.join(corpus, r["path"])) for r in rows
            if r["label"] in AMBIENCE and r["split"] == "train" and r["source_package"] not in spare]
    print(f"noise pool: {len(pool)} ambience clips of {len({p[0] for p in pool})} packages "
          f"(never from {', '.join(sorted(spare))})", file=sys.stderr)
    for k in range(1, a.copies + 1):
        jobs = [(r, k, a.seed, effects, corpus, a.out) for r in rows]
        with mp.Pool(a.j, initializer=init, initargs=(pool,)) as p:
            done = p.map(work, jobs, chunksize=16)
        d = os.path.join(a.out, str(k))
        with open(os.path.join(d, "manifest.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        with open(os.path.join(d, "effects.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(done[0].keys()), lineterminator="\n")
            w.writeheader()
            w.writerows(done)
        print(f"copy {k}: {len(done)} clips in {d} (effects: {','.join(sorted(effects))})",
              file=sys.stderr)


if __name__ == "__main__":
    main()
