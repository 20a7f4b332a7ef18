"""Tests of the corpus builder's parsers and rules: python3 -m unittest discover scripts/corpus"""
import csv
import gzip
import io
import os
import re
import struct
import sys
import tempfile
import unittest
import wave
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import c4group  # noqa: E402
import sf2  # noqa: E402
import sources  # noqa: E402

try:
    import build  # noqa: E402  (needs numpy)
except ImportError:  # pragma: no cover
    build = None


def wav_bytes(n=2205, rate=22050):
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{n}h", *[(i * 37) % 2000 - 1000 for i in range(n)]))
    return b.getvalue()


def read_manifest():
    with open(HERE / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


class C4GroupTest(unittest.TestCase):
    def test_scramble_is_its_own_inverse_and_not_identity(self):
        data = bytes(range(204))
        self.assertNotEqual(c4group.scramble(data), data)
        self.assertEqual(c4group.scramble(c4group.scramble(data)), data)

    def test_scramble_matches_the_documented_steps(self):
        # XOR 237, then swap bytes i and i+2 of every group of three
        self.assertEqual(c4group.scramble(b"\x00\x01\x02"), bytes([2 ^ 237, 1 ^ 237, 0 ^ 237]))

    def test_round_trip_nested(self):
        a, b, c = wav_bytes(100), b"hello", wav_bytes(300)
        blob = c4group.write({"A.wav": a, "Sub.ocg": {"Deep.ocg": {"C.ogg": c}, "b.txt": b}})
        self.assertEqual(blob[:2], b"\x1e\x8c")
        got = dict(c4group.files(self._tmp(blob)))
        self.assertEqual(got, {"A.wav": a, "Sub.ocg/Deep.ocg/C.ogg": c, "Sub.ocg/b.txt": b})

    def test_header_is_scrambled_on_disk(self):
        raw = gzip.decompress(b"\x1f\x8b" + c4group.write({"x": b"1"})[2:])
        self.assertNotIn(c4group.MAGIC, raw[:204])
        self.assertTrue(c4group.scramble(raw[:204]).startswith(c4group.MAGIC))

    def test_rejects_garbage_and_out_of_bounds(self):
        with self.assertRaises(ValueError):
            c4group.read(b"\x1e\x8c" + gzip.compress(b"x" * 300)[2:])
        good = bytearray(gzip.decompress(b"\x1f\x8b" + c4group.write({"x": b"1234"})[2:]))
        struct.pack_into("<i", good, 204 + 268, 10 ** 6)   # size of entry 0 far too large
        with self.assertRaises(ValueError):
            c4group.read(gzip.compress(bytes(good)))

    def _tmp(self, blob):
        fd, p = tempfile.mkstemp(suffix=".ocg")
        os.write(fd, blob)
        os.close(fd)
        self.addCleanup(os.remove, p)
        return p


class SplitTest(unittest.TestCase):
    @unittest.skipIf(build is None, "numpy missing")
    def test_pinned_recordings_keep_their_split(self):
        pinned = {"a": "train", "b": "test", "c": "validation"}
        recs = {"a", "b", "c"} | {f"new{i}" for i in range(20)}
        out = build.assign_splits(recs, pinned)
        for k, v in pinned.items():
            self.assertEqual(out[k], v)
        self.assertEqual(set(out), recs)

    @unittest.skipIf(build is None, "numpy missing")
    def test_new_class_gets_test_and_validation(self):
        for n in (3, 4, 7, 40):
            out = build.assign_splits({f"r{i}" for i in range(n)}, {})
            c = {sp: sum(1 for v in out.values() if v == sp) for sp in ("train", "validation", "test")}
            self.assertGreaterEqual(c["test"], 1, out)
            self.assertGreaterEqual(c["validation"], 1, out)
            self.assertGreaterEqual(c["train"], 1, out)
            if n == 40:
                self.assertEqual((c["test"], c["validation"], c["train"]), (6, 6, 28))

    @unittest.skipIf(build is None, "numpy missing")
    def test_deterministic(self):
        recs = {f"r{i}" for i in range(25)}
        self.assertEqual(build.assign_splits(recs, {"r1": "test"}),
                         build.assign_splits(set(sorted(recs, reverse=True)), {"r1": "test"}))

    def test_v1_splits_are_kept_in_the_manifest(self):
        with open(HERE / "splits-v1.csv", newline="") as f:
            pinned = {r["source_recording"]: r["split"] for r in csv.DictReader(f)}
        rows = read_manifest()
        self.assertGreater(len(pinned), 1000)
        for r in rows:
            if r["source_recording"] in pinned:
                self.assertEqual(r["split"], pinned[r["source_recording"]], r["id"])


class ForbiddenTest(unittest.TestCase):
    def test_no_judging_package_in_sources_or_manifest(self):
        self.assertEqual(len(sources.FORBIDDEN), 9)
        for pkg in sources.FORBIDDEN:
            self.assertNotIn(pkg, sources.PACKAGES)
        rows = read_manifest()
        self.assertGreater(len(rows), 1000)
        for r in rows:
            for pkg in sources.FORBIDDEN:
                self.assertNotEqual(r["source_package"], pkg)
                self.assertFalse(r["source_recording"].startswith(pkg + ":"), r["id"])
        text = "\n".join((HERE / f).read_text() for f in ("build.py", "sources.py"))
        for pkg in sources.FORBIDDEN:
            # named only in the FORBIDDEN list itself
            self.assertEqual(text.count(f'"{pkg}"'), 1, pkg)

    def test_manifest_rows_are_consistent(self):
        rows = read_manifest()
        ids = [r["id"] for r in rows]
        self.assertEqual(len(ids), len(set(ids)))
        split_of = {}
        for r in rows:
            self.assertIn(r["split"], ("train", "validation", "test"))
            self.assertEqual(split_of.setdefault(r["source_recording"], r["split"]), r["split"])
            self.assertTrue(r["source_recording"].startswith(r["source_package"] + ":"), r["id"])
            self.assertLessEqual(float(r["duration"]), 4.0 + 1e-3)


class RulesTest(unittest.TestCase):
    def test_ufoai(self):
        m = lambda n: sources._match(sources.UFOAI, n)  # noqa: E731
        self.assertEqual(m("footsteps/gravel3"), "Walk_footsteps")
        self.assertEqual(m("weapons/bullet-rifle-3x"), "Gunshot_or_gunfire")
        self.assertEqual(m("misc/breakglass05"), "Glass")
        self.assertEqual(m("doors/door2-open"), "Door")
        self.assertIsNone(m("weapons/bullet-gauss"))      # sci-fi weapon
        self.assertIsNone(m("weapons/reload-rifle"))
        self.assertIsNone(m("aliens/ortnok/die1"))        # creature
        self.assertIsNone(m("footsteps/crouch"))

    def test_openclonk(self):
        m = lambda n: sources._match(sources.OPENCLONK, n)  # noqa: E731
        self.assertEqual(m("Sound.ocg:Environment.ocg/Lightning.ocg/Thunder3"), "Thunder")
        self.assertEqual(m("Sound.ocg:Clonk.ocg/Skin.ocg/Steampunk.ocg/Laughter2"), "Laughter")
        self.assertIsNone(m("Sound.ocg:Animals.ocg/Mooq.ocg/Die1"))   # fantasy creature
        self.assertIsNone(m("Sound.ocg:UI.ocg/Click"))

    def test_others(self):
        self.assertEqual(sources._match(sources.MEGAGLEST,
                                        "techs/megapack/factions/indian/units/bull/sounds/bull_die2"),
                         "Cow")
        self.assertIsNone(sources._match(sources.MEGAGLEST,
                                         "techs/megapack/factions/magic/units/dragon/sounds/dragon_die1"))
        self.assertEqual(sources._match(sources.FLIGHTGEAR, "Sounds/helicopter"), "Helicopter")
        self.assertIsNone(sources._match(sources.FLIGHTGEAR, "Sounds/mk-viii/bank-angle"))
        self.assertEqual(sources._match(sources.CSOUND, "Tuba F#1"), "Tuba")
        self.assertIsNone(sources._match(sources.CSOUND, "Clavinet A0"))
        synthetic = lambda n: re.search(sources.CSOUND_SYNTHETIC, n, re.I)  # noqa: E731
        self.assertTrue(synthetic("SawBassWave C1"))
        self.assertTrue(synthetic("Reed Wave C3"))
        self.assertFalse(synthetic("Ocean Wave"))
        self.assertEqual(sources._match(sources.REDECLIPSE, "voice/haha2"), "Laughter")
        self.assertEqual(sources._match(sources.OPENARENA, "sound/player/footsteps/boot3"),
                         "Walk_footsteps")

    def test_pk3_reader_labels_by_path(self):
        fd, p = tempfile.mkstemp(suffix=".pk3")
        os.close(fd)
        self.addCleanup(os.remove, p)
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("sound/world/wind1.wav", wav_bytes())
            z.writestr("sound/misc/menu1.wav", wav_bytes())
        recs = list(sources._pk3("openarena-data", p, sources.OPENARENA, "GPL-2+"))
        self.assertEqual([(r.label, r.src) for r in recs],
                         [("Wind", "openarena-data:" + os.path.basename(p) + ":sound/world/wind1.wav")])
        self.assertEqual(recs[0].data(), wav_bytes())
        self.assertEqual(recs[0].crops, sources.AMBIENT_CROPS)

    def test_redeclipse_voice_takes_share_one_source_recording(self):
        with tempfile.TemporaryDirectory() as root:
            d = Path(root, "usr/share/games/redeclipse/data/sounds")
            for rel in ("voice/haha.ogg", "voice/haha2.ogg", "player/footstep.ogg",
                        "player/footstep2.ogg", "weapons/plasma/primary.ogg"):
                (d / rel).parent.mkdir(parents=True, exist_ok=True)
                (d / rel).write_bytes(b"")
            recs = list(sources.redeclipse(root))
        srcs = {Path(r.path).relative_to(d).as_posix(): (r.label, r.src) for r in recs}
        self.assertEqual(srcs["voice/haha.ogg"], srcs["voice/haha2.ogg"])
        self.assertEqual(srcs["voice/haha.ogg"][0], "Laughter")
        self.assertNotEqual(srcs["player/footstep.ogg"], srcs["player/footstep2.ogg"])
        self.assertNotIn("weapons/plasma/primary.ogg", srcs)   # sci-fi weapon

    def test_long_ambiences_give_more_segments(self):
        self.assertGreater(sources._crops("Rain"), sources._crops("Door"))


if __name__ == "__main__":
    unittest.main()
