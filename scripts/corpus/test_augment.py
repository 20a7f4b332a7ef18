"""Tests of scripts/corpus/augment.py (python3 -m unittest discover -s scripts/corpus)."""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

try:
    import numpy as np
    import augment  # noqa: E402  (needs numpy)
except ImportError:  # pragma: no cover
    augment = None


@unittest.skipIf(augment is None, "numpy missing")
class Draws(unittest.TestCase):
    def test_seeded_per_clip_and_copy(self):
        a = augment.draw(augment.rng_for(1, "x", 1), set(augment.EFFECTS))
        self.assertEqual(a, augment.draw(augment.rng_for(1, "x", 1), set(augment.EFFECTS)))
        self.assertNotEqual(a, augment.draw(augment.rng_for(1, "x", 2), set(augment.EFFECTS)))
        self.assertNotEqual(a, augment.draw(augment.rng_for(1, "y", 1), set(augment.EFFECTS)))

    def test_a_subset_of_effects_keeps_the_others_draws(self):
        full = augment.draw(augment.rng_for(1, "x", 1), set(augment.EFFECTS))
        quiet = augment.draw(augment.rng_for(1, "x", 1), {"pitch", "eq", "reverb", "gain"})
        self.assertFalse(quiet["noise"])
        self.assertEqual(quiet["chain"], full["chain"])
        self.assertEqual(quiet["gain"], full["gain"])
        only_gain = augment.draw(augment.rng_for(1, "x", 1), {"gain"})
        self.assertEqual(only_gain["chain"], ["vol", "0.25", "rate", str(augment.RATE)])


@unittest.skipIf(augment is None or shutil.which("sox") is None, "numpy or sox missing")
class Copies(unittest.TestCase):
    def test_copies_keep_ids_and_length_and_take_noise_from_other_unspared_packages(self):
        with tempfile.TemporaryDirectory() as d:
            rows = []
            t = np.arange(4410) / augment.RATE
            for i, (label, pkg, split) in enumerate([
                ("Dog", "a", "train"), ("Wind", "b", "train"), ("Rain", "c", "train"),
                ("Wind", "a", "train"), ("Rain", "d", "test"),
            ]):
                path = f"clips/{label}/{pkg}-{i}.wav"
                x = 0.3 * np.sin(2 * np.pi * (220 + 50 * i) * t) if label == "Dog" \
                    else 0.1 * np.random.default_rng(i).standard_normal(len(t))
                augment.write_wav(os.path.join(d, path), x)
                rows.append({"id": f"{pkg}-{i}", "path": path, "label": label,
                             "source_package": pkg, "split": split})
            with open(os.path.join(d, "manifest.csv"), "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rows[0]))
                w.writeheader()
                w.writerows(rows)
            out = os.path.join(d, "aug")
            run = [sys.executable, str(HERE / "augment.py"), "--manifest",
                   os.path.join(d, "manifest.csv"), "--out", out, "--copies", "2",
                   "--spare", "c", "-j", "1"]
            subprocess.run(run, check=True, capture_output=True)
            first = (Path(out) / "1" / rows[0]["path"]).read_bytes()
            for k in (1, 2):
                with open(os.path.join(out, str(k), "manifest.csv"), newline="") as f:
                    self.assertEqual([r["id"] for r in csv.DictReader(f)], [r["id"] for r in rows])
                with open(os.path.join(out, str(k), "effects.csv"), newline="") as f:
                    for e in csv.DictReader(f):
                        # The pool is b-1 and a-3 (c is spared, d-4 is a test clip), and a
                        # clip never gets its own package's noise.
                        own = e["id"].split("-")[0]
                        allowed = {"b-1", "a-3"} - {n for n in ("b-1", "a-3") if n[0] == own}
                        self.assertIn(e["noise"], allowed | {""}, e)
                for r in rows:
                    y = augment.read_wav(os.path.join(out, str(k), r["path"]))
                    self.assertEqual(len(y), len(t))
                    self.assertLessEqual(float(np.max(np.abs(y))), 0.99 + 1e-4)
            subprocess.run(run, check=True, capture_output=True)
            self.assertEqual((Path(out) / "1" / rows[0]["path"]).read_bytes(), first)


if __name__ == "__main__":
    unittest.main()
