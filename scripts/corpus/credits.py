#!/usr/bin/env python3
"""Write pkg/CREDITS.md from the corpus manifest: the source and licence of every clip."""

import collections
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1], newline="")))
by_pkg = collections.defaultdict(list)
for r in rows:
    by_pkg[r["source_package"]].append(r)

print("# Credits\n")
print("Every sound earshot ships is a real recording from a package listed below. Previews in")
print("`pkg/previews/` are shortened, re-encoded copies (Ogg Vorbis, mono, 22.05 kHz, at most 4 s).\n")
print("| source package | clips | licences |")
print("|---|---|---|")
for pkg, rs in sorted(by_pkg.items()):
    lic = sorted({r["licence"] for r in rs})
    print(f"| {pkg} | {len(rs)} | {', '.join(lic)} |")
print("\n## Every clip\n")
print("| id | label | source package | source recording | licence |")
print("|---|---|---|---|---|")
for r in rows:
    rec = r["source_recording"].replace("|", "/")
    print(f"| {r['id']} | {r['label']} | {r['source_package']} | {rec} | {r['licence']} |")
