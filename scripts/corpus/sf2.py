"""Minimal SoundFont 2 reader: sample headers, raw 16-bit sample data, and the
preset -> instrument -> sample mapping (with the key range each sample is used for).

RIFF 'sfbk' { LIST 'INFO', LIST 'sdta' { 'smpl' (int16 LE) }, LIST 'pdta' { phdr, pbag,
pmod, pgen, inst, ibag, imod, igen, shdr } }. Generator 41 = instrument, 53 = sampleID,
43 = keyRange (lo, hi). shdr records are 46 bytes: name[20], start, end, startloop,
endloop, sampleRate (u32), originalPitch (u8), pitchCorrection (i8), sampleLink (u16),
sampleType (u16). Offsets are in sample frames into 'smpl'.
"""
import struct
from dataclasses import dataclass, field


@dataclass
class Sample:
    index: int
    name: str
    start: int
    end: int
    loop_start: int
    loop_end: int
    rate: int
    pitch: int
    pitch_corr: int
    link: int
    type: int
    presets: set = field(default_factory=set)   # (bank, program, preset name)
    keys: set = field(default_factory=set)      # MIDI keys it is mapped to (drum kits)


def _chunks(buf, off, end):
    while off + 8 <= end:
        cid = buf[off:off + 4]
        size = struct.unpack("<I", buf[off + 4:off + 8])[0]
        yield cid, off + 8, size
        off += 8 + size + (size & 1)


def read_sf2(path):
    """Return (samples list, smpl memoryview of int16 bytes)."""
    buf = open(path, "rb").read()
    assert buf[:4] == b"RIFF" and buf[8:12] == b"sfbk", "not an SF2"
    smpl = None
    pdta = {}
    for cid, off, size in _chunks(buf, 12, len(buf)):
        if cid != b"LIST":
            continue
        kind = buf[off:off + 4]
        for sid, soff, ssize in _chunks(buf, off + 4, off + size):
            if kind == b"sdta" and sid == b"smpl":
                smpl = memoryview(buf)[soff:soff + ssize]
            elif kind == b"pdta":
                pdta[sid.decode()] = buf[soff:soff + ssize]

    def recs(name, fmt):
        n = struct.calcsize(fmt)
        d = pdta[name]
        return [struct.unpack(fmt, d[i:i + n]) for i in range(0, len(d), n)]

    shdr = recs("shdr", "<20sIIIIIBbHH")[:-1]  # last is EOS
    samples = [Sample(i, r[0].split(b"\0")[0].decode("latin1").strip(), *r[1:])
               for i, r in enumerate(shdr)]
    phdr = recs("phdr", "<20sHHHIII")
    pbag = recs("pbag", "<HH")
    pgen = recs("pgen", "<HH")
    inst = recs("inst", "<20sH")
    ibag = recs("ibag", "<HH")
    igen = recs("igen", "<HH")

    def inst_samples(i):
        out = []
        for b in range(inst[i][1], inst[i + 1][1]):
            keys = None
            for g in range(ibag[b][0], ibag[b + 1][0]):
                oper, amt = igen[g]
                if oper == 43:
                    keys = (amt & 0xFF, amt >> 8)
                elif oper == 53:
                    out.append((amt, keys))
        return out

    for p in range(len(phdr) - 1):
        pname = phdr[p][0].split(b"\0")[0].decode("latin1").strip()
        prog, bank = phdr[p][1], phdr[p][2]
        for b in range(phdr[p][3], phdr[p + 1][3]):
            pkeys = None
            for g in range(pbag[b][0], pbag[b + 1][0]):
                oper, amt = pgen[g]
                if oper == 43:
                    pkeys = (amt & 0xFF, amt >> 8)
                elif oper == 41:
                    for sid, keys in inst_samples(amt):
                        s = samples[sid]
                        s.presets.add((bank, prog, pname))
                        k = keys or pkeys
                        if k:
                            lo, hi = k
                            if pkeys:
                                lo, hi = max(lo, pkeys[0]), min(hi, pkeys[1])
                            s.keys.update(range(lo, hi + 1))
    return samples, smpl
