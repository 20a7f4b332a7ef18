//! The shipped vocabulary (`pkg/vocab.bin`) knows the words people use for the corpus's sounds,
//! and a misspelt word is searched as the word meant. The words are chosen by
//! `scripts/vocab/make_vocab.py` (WordNet, onomatopoeia, then the most frequent GloVe words).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use earshot_core::Vocabulary;

const VOCAB: &[u8] = include_bytes!("../../../pkg/vocab.bin");

/// Words for the sounds of the corpus's classes (and of the classes corpus v2 adds).
const SOUND_WORDS: &[&str] = &[
    // named in the issue
    "woof",
    "neigh",
    "whinny",
    "oink",
    "piglet",
    "birdsong",
    "chirping",
    "songbird",
    "bongos",
    "maracas",
    "bleating",
    "ewe",
    "shriek",
    "quack",
    "meow",
    "purr",
    "creak",
    "clang",
    "strumming",
    "footstep",
    "thunderclap",
    "barking",
    "glockenspiel",
    // dogs and wolves
    "bark",
    "barks",
    "barked",
    "growl",
    "growling",
    "howl",
    "howling",
    "yelp",
    "yelping",
    "whimper",
    "puppy",
    "puppies",
    "hound",
    "wolf",
    "wolves",
    "coyote",
    // horses
    "horse",
    "horses",
    "neighing",
    "whinnying",
    "gallop",
    "galloping",
    "hoof",
    "hoofs",
    "hooves",
    "stallion",
    "mare",
    "pony",
    "foal",
    "snort",
    "snorting",
    // pigs
    "pig",
    "pigs",
    "hog",
    "swine",
    "grunt",
    "grunting",
    "squeal",
    "squealing",
    "sow",
    "boar",
    // sheep and goats
    "sheep",
    "lamb",
    "lambs",
    "bleat",
    "baa",
    "goat",
    "goats",
    // cattle
    "cow",
    "cows",
    "moo",
    "mooing",
    "cattle",
    "calf",
    "bull",
    "bellow",
    // birds
    "bird",
    "birds",
    "chirp",
    "chirps",
    "tweet",
    "tweeting",
    "twitter",
    "warble",
    "warbling",
    "sparrow",
    "robin",
    "crow",
    "caw",
    "cawing",
    "owl",
    "hoot",
    "hooting",
    "pigeon",
    "coo",
    "cooing",
    "songbirds",
    // fowl
    "chicken",
    "chickens",
    "hen",
    "hens",
    "rooster",
    "cluck",
    "clucking",
    "cackle",
    "duck",
    "ducks",
    "quacking",
    "goose",
    "geese",
    "honk",
    "turkey",
    "gobble",
    "fowl",
    // cats
    "cat",
    "cats",
    "kitten",
    "meowing",
    "purring",
    "hiss",
    "hissing",
    // insects
    "insect",
    "insects",
    "bee",
    "bees",
    "buzz",
    "buzzing",
    "cricket",
    "crickets",
    "cicada",
    "mosquito",
    "fly",
    // strings and keys
    "guitar",
    "guitars",
    "strum",
    "strummed",
    "pluck",
    "plucking",
    "acoustic",
    "electric",
    "bass",
    "violin",
    "violins",
    "fiddle",
    "cello",
    "viola",
    "bow",
    "harp",
    "harpsichord",
    "piano",
    "pianist",
    "keyboard",
    "organ",
    // winds and brass
    "flute",
    "clarinet",
    "oboe",
    "bassoon",
    "saxophone",
    "sax",
    "trumpet",
    "trombone",
    "tuba",
    "horn",
    "harmonica",
    "accordion",
    // percussion
    "drum",
    "drums",
    "drumming",
    "drummer",
    "snare",
    "cymbal",
    "cymbals",
    "hi-hat",
    "tom-tom",
    "tambourine",
    "cowbell",
    "bongo",
    "maraca",
    "tabla",
    "djembe",
    "xylophone",
    "marimba",
    "vibraphone",
    "rimshot",
    "woodblock",
    "timpani",
    // voices
    "choir",
    "chorus",
    "singing",
    "sing",
    "singer",
    "chant",
    "chanting",
    "speech",
    "speaking",
    "talking",
    "voice",
    "whisper",
    "whispering",
    // screams, laughter, crying
    "scream",
    "screaming",
    "screamed",
    "shrieking",
    "yell",
    "yelling",
    "shout",
    "shouting",
    "laugh",
    "laughing",
    "laughter",
    "giggle",
    "giggling",
    "chuckle",
    "cry",
    "crying",
    // clapping
    "clap",
    "clapping",
    "applause",
    "applauding",
    // footsteps
    "footsteps",
    "walking",
    "stomp",
    "stomping",
    // tools
    "saw",
    "sawing",
    "chop",
    "chopping",
    "axe",
    "hammer",
    "hammering",
    "knock",
    "knocking",
    // rustle, crackle, rattle
    "rustle",
    "rustling",
    "crackle",
    "crackling",
    "rattle",
    "rattling",
    // water
    "stream",
    "brook",
    "creek",
    "river",
    "water",
    "splash",
    "splashing",
    "trickle",
    "gurgle",
    "gurgling",
    "drip",
    "dripping",
    "waterfall",
    // weather
    "rain",
    "raining",
    "rainfall",
    "drizzle",
    "downpour",
    "thunder",
    "thunderstorm",
    "lightning",
    "storm",
    "wind",
    "windy",
    "gust",
    "breeze",
    // trains
    "train",
    "trains",
    "locomotive",
    "whistle",
    "railway",
    // fire, explosions, guns
    "fire",
    "flames",
    "burning",
    "explosion",
    "explosions",
    "blast",
    "boom",
    "bang",
    "gunshot",
    "gunfire",
    "gunshots",
    // doors and glass
    "door",
    "doors",
    "slam",
    "slamming",
    "creaking",
    "squeak",
    "squeaking",
    "glass",
    "shattering",
    "smash",
    "breaking",
    // engines and aircraft
    "engine",
    "engines",
    "motor",
    "roar",
    "roaring",
    "rumble",
    "rumbling",
    "car",
    "helicopter",
    "aircraft",
    "airplane",
    "jet",
    "propeller",
    // machines and everyday
    "computer",
    "typing",
    "keystroke",
    "clatter",
    "clink",
    "clank",
    "thud",
    "thump",
    "tick",
    "ticking",
    "beep",
    "ring",
    "ringing",
    "chime",
];

fn shipped() -> Vocabulary {
    Vocabulary::from_bytes(VOCAB).unwrap()
}

#[test]
fn sound_words_are_known() {
    assert!(SOUND_WORDS.len() >= 300, "{} words", SOUND_WORDS.len());
    let v = shipped();
    let missing: Vec<&str> = SOUND_WORDS
        .iter()
        .copied()
        .filter(|w| v.get(w).is_none())
        .collect();
    assert!(missing.is_empty(), "not in pkg/vocab.bin: {missing:?}");
    // Each is one word to the tokenizer, so a query of it searches that word.
    for w in SOUND_WORDS {
        assert_eq!(v.tokenize(w), [*w], "{w}");
    }
}

#[test]
fn every_class_label_has_its_words() {
    let v = shipped();
    let manifest = include_str!("../../../scripts/corpus/manifest.csv");
    let mut labels: Vec<&str> = manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(2))
        .collect();
    // The classes corpus v2 adds.
    labels.extend([
        "Door",
        "Fire",
        "Glass",
        "Gunshot_or_gunfire",
        "Explosion",
        "Laughter",
        "Thunder",
        "Rain",
        "Engine",
        "Aircraft",
        "Helicopter",
        "Computer_keyboard",
        "Insect",
        "Hammer",
        "Footsteps",
        "Water",
        "Wind",
        "Speech",
        "Scream",
        "Glockenspiel",
    ]);
    for label in labels {
        let t = v.embed(label).unwrap();
        assert!(t.unknown.is_empty(), "{label}: {:?} unknown", t.unknown);
    }
}

#[test]
fn misspelt_words_are_searched_as_the_word_meant() {
    let v = shipped();
    for (typed, meant) in [
        ("vioiln", "violin"),
        ("glockenspeil", "glockenspiel"),
        ("trumpett", "trumpet"),
        ("thundr", "thunder"),
        ("helicoptre", "helicopter"),
        ("tambourin", "tambourine"),
        ("saxaphone", "saxophone"),
        ("xylophon", "xylophone"),
        ("harmonika", "harmonica"),
    ] {
        assert_eq!(v.correct(typed), Some(meant), "{typed}");
        let t = v.embed_query(typed).unwrap();
        assert_eq!(t.corrected, [(typed.to_string(), meant.to_string())]);
        assert_eq!(t.vector, v.embed(meant).unwrap().vector);
    }
    // Words far from every vocabulary word stay unknown (the tests of refused queries use them).
    for far in ["qwxzvk", "zzqj", "qwxzv", "zzxq", "blxrqfzq"] {
        assert_eq!(v.correct(far), None, "{far}");
    }
    // Known words are never corrected.
    for w in ["violin", "dog", "bark"] {
        assert_eq!(v.correct(w), None);
    }
}
