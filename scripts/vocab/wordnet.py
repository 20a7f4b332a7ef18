"""WordNet 3.0 (Debian `wordnet-base`) read from its database files, and the sound words it gives
for earshot's classes.

The database format is documented in wndb(5): one synset a line in `data.noun` / `data.verb`
(offset, lexicographer file, words, pointers, `| gloss`), lemmas in `index.*`, irregular forms in
`*.exc`. Only what the vocabulary builder needs is read: nouns and verbs, their words, pointers
and glosses.
"""

import glob
import os
import re
import subprocess

DEBIAN_PACKAGE = "wordnet-base=1:3.0-37"

# Lexicographer files (wndb(5), lexnames(5)) whose noun senses can be the sound of a class: acts,
# animals, artifacts, communication, events, groups (a choir), natural objects (a stream),
# phenomena, substances (water, glass). Leaves out e.g. a person called a dog, pork, tree bark.
SOUND_NOUN_FILES = {4, 5, 6, 10, 11, 14, 17, 19, 27}

# Synsets whose hyponyms (nouns) or troponyms (verbs) are words for sounds and for making them:
# sound "the sudden occurrence of an audible event" (noise, bang, creak, neigh, birdsong...),
# sound "the particular auditory effect produced by a given cause", sound "auditory sensation",
# animal communication (birdsong, birdcall);
# verbs: sound/go "make a certain noise", sound "give off a certain sound", sound "cause to sound"
# (strum, ring, drum...), utter/emit "utter sounds" (bark, neigh, oink, quack, meow...).
SOUND_ROOTS = [("n", 7371293), ("n", 4981139), ("n", 5718254), ("n", 6796506),
               ("v", 2176286), ("v", 2135066), ("v", 2179536), ("v", 983842)]


def find_dir(cache):
    """The WordNet database directory: installed, or the Debian package unpacked into `cache`."""
    for d in ("/usr/share/wordnet", os.path.join(cache, "wordnet-base", "usr", "share", "wordnet")):
        if os.path.exists(os.path.join(d, "data.noun")):
            return d
    os.makedirs(cache, exist_ok=True)
    subprocess.run(["apt-get", "download", DEBIAN_PACKAGE], cwd=cache, check=True)
    deb = sorted(glob.glob(os.path.join(cache, "wordnet-base_*.deb")))[-1]
    subprocess.run(["dpkg-deb", "-x", deb, os.path.join(cache, "wordnet-base")], check=True)
    return os.path.join(cache, "wordnet-base", "usr", "share", "wordnet")


class Synset:
    __slots__ = ("pos", "offset", "lexfile", "words", "pointers", "gloss")

    def __init__(self, pos, offset, lexfile, words, pointers, gloss):
        self.pos, self.offset, self.lexfile = pos, offset, lexfile
        self.words, self.pointers, self.gloss = words, pointers, gloss


class WordNet:
    def __init__(self, directory):
        self.synsets = {}
        self.lemmas = {"n": {}, "v": {}}
        self.exceptions = {"n": {}, "v": {}}  # inflected form -> base forms
        self.inflected = {"n": {}, "v": {}}  # base form -> irregular inflected forms
        for pos, name in (("n", "noun"), ("v", "verb")):
            with open(os.path.join(directory, f"data.{name}"), encoding="latin-1") as f:
                for line in f:
                    if line.startswith(" "):
                        continue  # licence header
                    s = self._parse(line)
                    self.synsets[(pos, s.offset)] = s
            with open(os.path.join(directory, f"index.{name}"), encoding="latin-1") as f:
                for line in f:
                    if line.startswith(" "):
                        continue
                    fields = line.split()
                    n_synsets = int(fields[2])
                    self.lemmas[pos][fields[0]] = [int(o) for o in fields[-n_synsets:]]
            with open(os.path.join(directory, f"{name}.exc"), encoding="latin-1") as f:
                for line in f:
                    form, *bases = line.split()
                    self.exceptions[pos].setdefault(form, []).extend(bases)
                    for b in bases:
                        self.inflected[pos].setdefault(b, []).append(form)

    @staticmethod
    def _parse(line):
        body, _, gloss = line.partition(" | ")
        f = body.split()
        offset, lexfile, pos = int(f[0]), int(f[1]), f[2]
        pos = "a" if pos == "s" else pos
        n_words = int(f[3], 16)
        # Words lose WordNet's adjective markers such as "(a)"; case is kept for the caller.
        words = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]) for i in range(n_words)]
        at = 4 + 2 * n_words
        n_ptrs = int(f[at])
        pointers = []
        for i in range(n_ptrs):
            sym, off, ppos, _src = f[at + 1 + 4 * i: at + 5 + 4 * i]
            pointers.append((sym, "a" if ppos == "s" else ppos, int(off)))
        return Synset(pos, offset, lexfile, words, pointers, gloss.strip())

    def get(self, pos, offset):
        return self.synsets.get((pos, offset))

    def base_forms(self, word, pos):
        """WordNet's morphy: the lemmas an inflected word can be (exceptions, then suffix rules)."""
        word = word.lower()
        out = []
        if word in self.lemmas[pos]:
            out.append(word)
        for b in self.exceptions[pos].get(word, []):
            if b in self.lemmas[pos] and b not in out:
                out.append(b)
        rules = {"n": [("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
                       ("men", "man"), ("ies", "y"), ("s", "")],
                 "v": [("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""),
                       ("ing", "e"), ("ing", ""), ("s", "")]}[pos]
        for suffix, repl in rules:
            if word.endswith(suffix) and len(word) > len(suffix) + 1:
                b = word[: -len(suffix)] + repl
                if b in self.lemmas[pos] and b not in out:
                    out.append(b)
        return out

    def senses(self, lemma, pos):
        return [self.synsets[(pos, o)] for o in self.lemmas[pos].get(lemma, [])]

    def closure(self, synset, symbols, depth):
        """Synsets reached from `synset` over pointers in `symbols`, up to `depth` steps (itself
        excluded); depth None means no limit."""
        seen, frontier, out = {(synset.pos, synset.offset)}, [synset], []
        step = 0
        while frontier and (depth is None or step < depth):
            step += 1
            nxt = []
            for s in frontier:
                for sym, pos, off in s.pointers:
                    if sym in symbols and (pos, off) not in seen:
                        seen.add((pos, off))
                        t = self.synsets.get((pos, off))
                        if t is not None:
                            out.append(t)
                            nxt.append(t)
            frontier = nxt
        return out

    def inflections(self, lemma, pos):
        """The lemma with its regular and irregular inflections (plural; -s, -ing, -ed). Some
        generated forms are not English; the caller keeps only those GloVe has."""
        forms = {lemma}
        forms.update(self.inflected[pos].get(lemma, []))
        if "_" in lemma or "-" in lemma or not lemma.isalpha():
            return forms
        forms.add(third_person(lemma))
        if pos == "v":
            forms.update(participles(lemma))
        return forms


VOWELS = "aeiou"


def third_person(w):
    """Plural of a noun, third person singular of a verb."""
    if re.search(r"(s|x|z|ch|sh)$", w):
        return w + "es"
    if re.search(r"[^aeiou]y$", w):
        return w[:-1] + "ies"
    return w + "s"


def participles(w):
    """-ing and -ed forms. A final consonant doubles after a single short vowel in a one-syllable
    word (strum → strumming, chop → chopped, clap → clapping)."""
    if w.endswith("ie"):
        return {w[:-2] + "ying", w + "d"}
    if w.endswith("e") and not w.endswith(("ee", "ye", "oe")):
        return {w[:-1] + "ing", w + "d"}
    if re.search(r"[^aeiou]y$", w):
        return {w + "ing", w[:-1] + "ied"}
    one_syllable = len(re.findall(r"[aeiouy]+", w)) == 1
    if one_syllable and re.search(r"(^|[^aeiou])[aeiou][bdgklmnprtz]$", w):
        return {w + w[-1] + "ing", w + w[-1] + "ed"}
    return {w + "ing", w + "ed"}


# Labels that are neither a WordNet lemma nor named by their last word: the lemmas they stand for.
LABEL_LEMMAS = {"canidae_dogs_wolves": ["dog", "wolf"], "marimba_xylophone": ["marimba", "xylophone"],
                "tom-tom_drum": ["tom-tom", "drum"]}


def class_lemmas(label, wn, stop):
    """WordNet lemmas a class label names: each side of "X_or_Y" as a whole when WordNet has it
    ("acoustic_guitar", "computer_keyboard"), else its last word, the head ("Crash_cymbal" →
    cymbal), as base forms ("footsteps" → footstep); LABEL_LEMMAS for the few other labels."""
    low = label.lower()
    if low in LABEL_LEMMAS:
        return list(LABEL_LEMMAS[low])
    out = []
    for side in low.split("_or_"):
        words = [w for w in re.split(r"[_\s]+", side) if w and w not in stop]
        if not words:
            continue
        whole = "_".join(words)
        bases = wn.base_forms(whole, "n") + wn.base_forms(whole, "v")
        if not bases:
            bases = wn.base_forms(words[-1], "n") + wn.base_forms(words[-1], "v")
        out += [b for b in bases if b not in out]
    return out


def class_synsets(label, wn, stop, hyper_depth=2, hypo_depth=3):
    """The synsets of a class's sounds: the label's sound senses (SOUND_NOUN_FILES) and verb
    senses, their hypernyms to `hyper_depth`, hyponyms / troponyms to `hypo_depth`; the animals
    the definitions of the label's sound senses name ("bleat: the sound of sheep or goats" →
    sheep, ewe, lamb, goat, kid); and the words derivationally related to them (bark → to bark,
    songbird → birdsong)."""
    found = {}

    def add(s):
        found[(s.pos, s.offset)] = s

    own = []
    for lemma in class_lemmas(label, wn, stop):
        own += [s for s in wn.senses(lemma, "n") if s.lexfile in SOUND_NOUN_FILES]
        own += wn.senses(lemma, "v")
    for s in own:
        add(s)
        if s.pos == "n":
            for t in wn.closure(s, {"@"}, hyper_depth) + wn.closure(s, {"~"}, hypo_depth):
                add(t)
        else:
            for t in wn.closure(s, {"~"}, 1):
                add(t)
    partners = [wn.get(pos, off) for s in own for sym, pos, off in s.pointers
                if sym == "+" and pos in ("n", "v")]
    for s in own + [p for p in partners if p is not None]:
        # Sound events and communication (nouns); verbs of communication and perception.
        if (s.pos, s.lexfile) not in (("n", 10), ("n", 11), ("v", 32), ("v", 39)):
            continue
        for w in definition_words(s):
            for b in wn.base_forms(w, "n"):
                for t in wn.senses(b, "n"):
                    if t.lexfile == 5:  # animals
                        add(t)
                        for u in wn.closure(t, {"~"}, 2):
                            add(u)
    # Derivationally related words: of the label's own senses, nouns and verbs (songbird →
    # birdsong, bark → to bark); of the others, verbs.
    own_keys = {(s.pos, s.offset) for s in own}
    for s in list(found.values()):
        for sym, pos, off in s.pointers:
            if sym == "+" and (pos == "v" or (pos == "n" and (s.pos, s.offset) in own_keys)):
                t = wn.get(pos, off)
                if t is not None:
                    add(t)
    return list(found.values())


def sound_synsets(wn):
    """Every synset under SOUND_ROOTS: the words WordNet has for sounds and for making them."""
    out = {}
    for pos, off in SOUND_ROOTS:
        root = wn.get(pos, off)
        out[(pos, off)] = root
        for s in wn.closure(root, {"~"}, None):
            out[(s.pos, s.offset)] = s
    return list(out.values())


def definition_words(synset):
    """The words of a synset's definition (its gloss before the first example or `;`)."""
    definition = re.split(r'[;"]', synset.gloss, maxsplit=1)[0]
    return set(re.findall(r"[a-z]+", definition.lower()))


def words_of(synsets, wn):
    """Single-word lemmas of `synsets` (lower case) with their inflections."""
    out = set()
    for s in synsets:
        for w in s.words:
            w = w.lower()
            if "_" in w:
                continue
            out.update(wn.inflections(w, s.pos if s.pos in ("n", "v") else "n"))
    return out
