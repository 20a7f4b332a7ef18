//! Text features: GloVe word vectors from the shipped vocabulary asset, tokenising, and the
//! vector of a label or a free-text query (mean of its known words' vectors, unit norm). A query
//! word the vocabulary lacks is searched as the vocabulary word nearest to it in spelling
//! ([`Vocabulary::correct`]: "vioiln" → "violin").
//!
//! # Vocabulary file (`pkg/vocab.bin`, little-endian)
//! ```text
//! magic      8 bytes  "ESVOCAB\0"
//! version    u32      1
//! n_words    u32
//! dim        u32      (50 for GloVe 6B 50-d)
//! bits       u32      4 or 8: bits per quantised value
//! words_len  u32      byte length of the word block
//! words      UTF-8, the n_words words joined by '\n', most frequent first
//! scales     n_words × bfloat16 (the high 16 bits of an f32): vector = code × scale
//! codes      n_words × ceil(dim × bits / 8) bytes; 8 bits: i8 codes; 4 bits: two codes a byte,
//!            high nibble first, code = nibble − 8 (so −8..=7)
//! ```
//! Rows hold the raw GloVe vectors (not unit-normalised) so that a label's mean is the mean of
//! the real vectors, as in the paper; only the mean is unit-normalised.

use std::collections::HashMap;

use crate::{Error, Result};

/// Longest accepted free-text query, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;

const MAGIC: &[u8; 8] = b"ESVOCAB\0";
const VERSION: u32 = 1;

/// Words that carry no sound: dropped from labels and queries.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "or", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "is",
    "are", "was", "be", "it", "its", "as", "that", "this", "some", "sound", "sounds", "like",
];

/// The word vectors of the vocabulary, dequantised.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    index: HashMap<String, usize>,
    dim: usize,
    vectors: Vec<f32>,
}

/// The vector of a text, with the words that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextVector {
    /// Unit-norm mean of the known words' vectors.
    pub vector: Vec<f32>,
    /// The words the vector is the mean of, in query order (corrected words as corrected).
    pub known: Vec<String>,
    pub unknown: Vec<String>,
    /// Misspelt words and the vocabulary words they were searched as ([`Vocabulary::embed_query`]).
    pub corrected: Vec<(String, String)>,
}

/// How many edits a word of `chars` characters may be from the vocabulary word it is corrected
/// to: none for 1–2 characters, 1 for 3–5, 2 from 6 on (as Lucene's "AUTO" fuzziness), so that
/// short words are not taken for unrelated ones.
pub fn max_edits(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// Edit distance between `a` and `b` counting insertions, deletions, substitutions and swaps of
/// two adjacent characters as one edit each (optimal string alignment, the restricted
/// Damerau–Levenshtein distance); `None` when it is more than `limit`. `rows` is scratch space.
pub fn edit_distance(a: &[char], b: &[char], limit: usize, rows: &mut Vec<usize>) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let w = b.len() + 1;
    // Three rows of the (a.len()+1) × (b.len()+1) table: i − 2, i − 1 and i.
    rows.clear();
    rows.resize(3 * w, 0);
    for (j, cell) in rows[..w].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        let (two, one, cur) = ((i + 1) % 3, (i + 2) % 3, i % 3);
        let (two, one, cur) = (two * w, one * w, cur * w);
        rows[cur] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[one + j] + 1)
                .min(rows[cur + j - 1] + 1)
                .min(rows[one + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[two + j - 2] + 1);
            }
            rows[cur + j] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
    }
    let d = rows[(a.len() % 3) * w + b.len()];
    (d <= limit).then_some(d)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| Error::Invalid(format!("vocabulary is truncated ({what})")))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

impl Vocabulary {
    /// Parse a vocabulary file. Wrong magic, version or sizes, truncation and non-finite scales
    /// are errors, never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(8, "magic")? != MAGIC {
            return Err(Error::Invalid("not an earshot vocabulary file".into()));
        }
        let version = r.u32("version")?;
        if version != VERSION {
            return Err(Error::Invalid(format!(
                "vocabulary version {version} is not supported (expected {VERSION})"
            )));
        }
        let n = r.u32("word count")? as usize;
        let dim = r.u32("dimension")? as usize;
        let bits = r.u32("bits")?;
        if !(1..=4096).contains(&dim) || !matches!(bits, 4 | 8) || n == 0 {
            return Err(Error::Invalid(format!(
                "vocabulary has invalid sizes ({n} words, {dim} dimensions, {bits} bits)"
            )));
        }
        let words_len = r.u32("word block length")? as usize;
        let block = std::str::from_utf8(r.take(words_len, "words")?)
            .map_err(|_| Error::Invalid("vocabulary words are not UTF-8".into()))?;
        let words: Vec<String> = block.split('\n').map(str::to_owned).collect();
        if words.len() != n {
            return Err(Error::Invalid(format!(
                "vocabulary lists {} words but its header says {n}",
                words.len()
            )));
        }
        let scales = r.take(
            n.checked_mul(2)
                .ok_or_else(|| Error::Invalid("vocabulary too large".into()))?,
            "scales",
        )?;
        let row_bytes = (dim * bits as usize).div_ceil(8);
        let codes = r.take(
            n.checked_mul(row_bytes)
                .ok_or_else(|| Error::Invalid("vocabulary too large".into()))?,
            "vectors",
        )?;
        if r.at != bytes.len() {
            return Err(Error::Invalid("vocabulary has trailing bytes".into()));
        }
        let mut vectors = Vec::with_capacity(n * dim);
        for (i, row) in codes.chunks_exact(row_bytes).enumerate() {
            let scale = f32::from_bits(
                u32::from(u16::from_le_bytes([scales[2 * i], scales[2 * i + 1]])) << 16,
            );
            if !scale.is_finite() {
                return Err(Error::Invalid(format!(
                    "vocabulary row {i} has a non-finite scale"
                )));
            }
            if bits == 8 {
                vectors.extend(row.iter().map(|&c| f32::from(c as i8) * scale));
            } else {
                let nibbles = row.iter().flat_map(|&b| [b >> 4, b & 0x0f]);
                vectors.extend(nibbles.take(dim).map(|c| f32::from(c as i8 - 8) * scale));
            }
        }
        let mut index = HashMap::with_capacity(n);
        for (i, w) in words.iter().enumerate() {
            index.entry(w.clone()).or_insert(i);
        }
        Ok(Self {
            words,
            index,
            dim,
            vectors,
        })
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The vector of the `i`-th word.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    pub fn get(&self, word: &str) -> Option<&[f32]> {
        self.index.get(word).map(|&i| self.row(i))
    }

    /// The `k` words whose vectors are nearest to `v` by cosine (index, cosine), best first.
    pub fn nearest(&self, v: &[f32], k: usize) -> Vec<(usize, f32)> {
        crate::index::top_k(&self.vectors, self.dim, v, k, crate::index::Metric::Cosine)
            .into_iter()
            .map(|h| (h.item, h.score))
            .collect()
    }

    /// Split into lower-case words the vocabulary can know: `_`, whitespace and punctuation
    /// separate words; a hyphenated word stays whole when the vocabulary has it ("hi-hat"),
    /// otherwise its parts count; stop words are dropped.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let mut out = Vec::new();
        let rough = lower.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''));
        for token in rough {
            let token = token.trim_matches(|c| c == '-' || c == '\'');
            if token.is_empty() {
                continue;
            }
            if token.contains('-') && !self.index.contains_key(token) {
                out.extend(
                    token
                        .split('-')
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned),
                );
            } else {
                out.push(token.to_owned());
            }
        }
        out.retain(|w| !STOP_WORDS.contains(&w.as_str()));
        out
    }

    /// The vocabulary word a word it does not know is taken for: the nearest in edit distance
    /// ([`edit_distance`]) within [`max_edits`] of the word's length, ties going to the more
    /// frequent word. `None` when the vocabulary knows the word or no word is near enough.
    pub fn correct(&self, word: &str) -> Option<&str> {
        if self.index.contains_key(word) {
            return None;
        }
        let typed: Vec<char> = word.chars().collect();
        let limit = max_edits(typed.len());
        if limit == 0 {
            return None;
        }
        let (mut best, mut best_d) = (None, limit + 1);
        let (mut chars, mut rows) = (Vec::new(), Vec::new());
        // Words are in frequency order, so the first word at the best distance is the most
        // frequent one.
        for (i, w) in self.words.iter().enumerate() {
            if w.len().abs_diff(typed.len()) > 4 * limit {
                continue; // cannot be within `limit` edits, even with multi-byte characters
            }
            chars.clear();
            chars.extend(w.chars());
            if let Some(d) = edit_distance(&typed, &chars, best_d - 1, &mut rows) {
                best = Some(i);
                best_d = d;
                if d == 1 {
                    // Nothing closer than one edit exists for an unknown word.
                    break;
                }
            }
        }
        best.map(|i| self.words[i].as_str())
    }

    /// The vector of a free-text query: as [`Vocabulary::embed`], but a word the vocabulary does
    /// not know is searched as [`Vocabulary::correct`] gives it, when that gives a word.
    pub fn embed_query(&self, text: &str) -> Result<TextVector> {
        self.embed_with(text, true)
    }

    /// The vector of a label or query: the unit-norm mean of its known words' vectors.
    pub fn embed(&self, text: &str) -> Result<TextVector> {
        self.embed_with(text, false)
    }

    fn embed_with(&self, text: &str, correct: bool) -> Result<TextVector> {
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(Error::Invalid(format!(
                "the query is {chars} characters long; the limit is {MAX_QUERY_CHARS}"
            )));
        }
        let tokens = self.tokenize(text);
        if tokens.is_empty() {
            return Err(Error::Invalid(
                "the query has no words to search for".into(),
            ));
        }
        let mut sum = vec![0.0f64; self.dim];
        let (mut known, mut unknown, mut corrected) = (Vec::new(), Vec::new(), Vec::new());
        for t in tokens {
            let (word, fixed) = match self.get(&t) {
                Some(_) => (t, None),
                None => match self.correct(&t).filter(|_| correct) {
                    Some(c) => (c.to_owned(), Some(t)),
                    None => {
                        unknown.push(t);
                        continue;
                    }
                },
            };
            if let Some(v) = self.get(&word) {
                sum.iter_mut().zip(v).for_each(|(s, &x)| *s += f64::from(x));
            }
            if let Some(typed) = fixed {
                corrected.push((typed, word.clone()));
            }
            known.push(word);
        }
        if known.is_empty() {
            return Err(Error::Invalid(format!(
                "no word of the query is in the vocabulary ({})",
                unknown.join(", ")
            )));
        }
        let norm = sum.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            return Err(Error::Invalid(
                "the query's words have a zero vector".into(),
            ));
        }
        let vector = sum.iter().map(|x| (x / norm) as f32).collect();
        Ok(TextVector {
            vector,
            known,
            unknown,
            corrected,
        })
    }
}

/// Write a vocabulary file (the shipped one is written by `scripts/vocab/make_vocab.py`; this
/// makes the tests' small ones); `rows` are `dim`-long vectors.
#[cfg(test)]
fn encode(words: &[&str], rows: &[Vec<f32>], bits: u32) -> Result<Vec<u8>> {
    let dim = rows.first().map_or(0, Vec::len);
    if words.len() != rows.len() || dim == 0 || rows.iter().any(|r| r.len() != dim) {
        return Err(Error::Invalid("words and vectors do not match".into()));
    }
    if !matches!(bits, 4 | 8) || words.iter().any(|w| w.contains('\n') || w.is_empty()) {
        return Err(Error::Invalid("invalid word or bit width".into()));
    }
    let block = words.join("\n");
    let mut b = Vec::new();
    b.extend_from_slice(MAGIC);
    for v in [
        VERSION,
        words.len() as u32,
        dim as u32,
        bits,
        block.len() as u32,
    ] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(block.as_bytes());
    let qmax = if bits == 8 { 127.0 } else { 7.0 };
    let scales: Vec<f32> = rows
        .iter()
        .map(|r| r.iter().fold(0.0f32, |m, x| m.max(x.abs())) / qmax)
        .map(|s| bf16_round(if s > 0.0 { s } else { 1.0 }))
        .collect();
    for s in &scales {
        b.extend_from_slice(&((s.to_bits() >> 16) as u16).to_le_bytes());
    }
    for (r, &s) in rows.iter().zip(&scales) {
        let codes: Vec<i8> = r
            .iter()
            .map(|x| (x / s).round().clamp(-qmax, qmax) as i8)
            .collect();
        if bits == 8 {
            b.extend(codes.iter().map(|&c| c as u8));
        } else {
            for pair in codes.chunks(2) {
                let hi = (pair[0] + 8) as u8;
                let lo = pair.get(1).map_or(8, |&c| (c + 8) as u8);
                b.push(hi << 4 | lo);
            }
        }
    }
    Ok(b)
}

/// Round to the nearest bfloat16 (ties to even), returned as the f32 it stands for.
#[cfg(test)]
fn bf16_round(x: f32) -> f32 {
    let bits = x.to_bits();
    let rounded = bits.wrapping_add(0x7fff + ((bits >> 16) & 1)) & 0xffff_0000;
    f32::from_bits(rounded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn vocab(bits: u32) -> Vocabulary {
        let words = [
            "dog", "bark", "hi-hat", "hi", "hat", "gunshot", "gunfire", "or", "zero",
        ];
        let rows: Vec<Vec<f32>> = (0..words.len())
            .map(|i| {
                (0..6)
                    .map(|d| {
                        if words[i] == "zero" {
                            0.0
                        } else {
                            ((i * 7 + d * 3) % 11) as f32 - 5.0
                        }
                    })
                    .collect()
            })
            .collect();
        Vocabulary::from_bytes(&encode(&words, &rows, bits).unwrap()).unwrap()
    }

    #[test]
    fn round_trip_keeps_vectors_within_quantisation_error() {
        for (bits, tol) in [(8, 5.0 / 127.0 * 0.5 + 0.02), (4, 5.0 / 7.0 * 0.5 + 0.02)] {
            let v = vocab(bits);
            assert_eq!(v.len(), 9);
            assert_eq!(v.dim(), 6);
            let dog = v.get("dog").unwrap();
            for (d, &x) in dog.iter().enumerate() {
                let exact = ((d * 3) % 11) as f32 - 5.0;
                assert!((x - exact).abs() <= tol, "{bits} bits: {x} vs {exact}");
            }
        }
    }

    #[test]
    fn tokenizer_splits_labels_and_keeps_known_hyphenated_words() {
        let v = vocab(8);
        assert_eq!(v.tokenize("Gunshot_or_gunfire"), ["gunshot", "gunfire"]);
        assert_eq!(v.tokenize("Hi-hat"), ["hi-hat"]);
        assert_eq!(v.tokenize("Tom-tom_drum"), ["tom", "tom", "drum"]);
        assert_eq!(v.tokenize("  a DOG, barking!  "), ["dog", "barking"]);
    }

    #[test]
    fn embed_is_the_unit_mean_of_known_words() {
        let v = vocab(8);
        let t = v.embed("Gunshot_or_gunfire").unwrap();
        let (a, b) = (v.get("gunshot").unwrap(), v.get("gunfire").unwrap());
        let mean: Vec<f32> = a.iter().zip(b).map(|(x, y)| (x + y) / 2.0).collect();
        let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
        for (x, m) in t.vector.iter().zip(&mean) {
            assert!((x - m / norm).abs() < 1e-6);
        }
        assert_eq!(t.known, ["gunshot", "gunfire"]);
        let t = v.embed("dog qwxz").unwrap();
        assert_eq!(
            (t.known, t.unknown),
            (vec!["dog".to_string()], vec!["qwxz".to_string()])
        );
    }

    #[test]
    fn queries_without_known_words_are_errors() {
        let v = vocab(8);
        assert!(matches!(v.embed(""), Err(Error::Invalid(m)) if m.contains("no words")));
        assert!(
            matches!(v.embed(" _ , the or "), Err(Error::Invalid(m)) if m.contains("no words"))
        );
        assert!(
            matches!(v.embed("qwxz blorp"), Err(Error::Invalid(m)) if m.contains("qwxz, blorp"))
        );
        assert!(matches!(v.embed("zero"), Err(Error::Invalid(m)) if m.contains("zero vector")));
        let long = "dog ".repeat(2500);
        assert!(matches!(v.embed(&long), Err(Error::Invalid(m)) if m.contains("10000 characters")));
        // Emoji and right-to-left text are just unknown words.
        assert!(v.embed("🐶 كلب").is_err());
        assert!(v.embed("🐶 dog").is_ok());
    }

    fn distance(a: &str, b: &str, limit: usize) -> Option<usize> {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        edit_distance(&a, &b, limit, &mut Vec::new())
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_substitutions_and_swaps() {
        assert_eq!(distance("violin", "violin", 2), Some(0));
        assert_eq!(distance("vioiln", "violin", 2), Some(1), "adjacent swap");
        assert_eq!(distance("vilin", "violin", 2), Some(1), "insertion");
        assert_eq!(distance("violiin", "violin", 2), Some(1), "deletion");
        assert_eq!(distance("violon", "violin", 2), Some(1), "substitution");
        assert_eq!(distance("vilon", "violin", 2), Some(2));
        assert_eq!(distance("kitten", "sitting", 3), Some(3));
        assert_eq!(distance("kitten", "sitting", 2), None, "over the limit");
        assert_eq!(distance("", "dog", 3), Some(3));
        assert_eq!(distance("dog", "", 2), None);
        assert_eq!(
            distance("ca", "abc", 3),
            Some(3),
            "restricted: no edit inside a swap"
        );
        assert_eq!(distance("glockenspeil", "glockenspiel", 2), Some(1));
        assert_eq!(
            distance("violín", "violin", 2),
            Some(1),
            "characters, not bytes"
        );
        // Symmetric, and agrees with a plain full-table computation on many pairs.
        let words = [
            "bark", "brak", "barking", "barkign", "drum", "durm", "hum", "ahum", "x",
        ];
        for a in words {
            for b in words {
                let full = osa_full(a, b);
                assert_eq!(distance(a, b, 9), Some(full), "{a} {b}");
                assert_eq!(distance(b, a, 9), Some(full), "{b} {a}");
                for limit in 0..full {
                    assert_eq!(distance(a, b, limit), None, "{a} {b} within {limit}");
                }
            }
        }
    }

    /// The optimal-string-alignment distance from the whole table, as a reference.
    fn osa_full(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    fn spelling_vocab() -> Vocabulary {
        // Frequency order: earlier words are more frequent.
        let words = [
            "the", "dog", "bark", "violin", "barking", "viola", "violins", "dig", "bar",
        ];
        let rows: Vec<Vec<f32>> = (0..words.len())
            .map(|i| (0..4).map(|d| (i * 4 + d) as f32 + 1.0).collect())
            .collect();
        Vocabulary::from_bytes(&encode(&words, &rows, 8).unwrap()).unwrap()
    }

    #[test]
    fn unknown_words_are_corrected_to_the_nearest_then_most_frequent_word() {
        let v = spelling_vocab();
        assert_eq!(v.correct("vioiln"), Some("violin"));
        assert_eq!(
            v.correct("vilon"),
            None,
            "5 letters: at most one edit (two from violin)"
        );
        assert_eq!(v.correct("barkign"), Some("barking"));
        // "violis": one edit from "violin" and from "violins"; "violin" is more frequent.
        assert_eq!(v.correct("violis"), Some("violin"));
        // "violns": two edits from "violin", one from "violins": the nearer word wins.
        assert_eq!(v.correct("violns"), Some("violins"));
        // "dgo": one swap from "dog"; "dag" is one edit from "dog" and "dig": "dog" comes first.
        assert_eq!(v.correct("dgo"), Some("dog"));
        assert_eq!(v.correct("dag"), Some("dog"));
        // Known words, short words and far words are not corrected.
        assert_eq!(v.correct("dog"), None);
        assert_eq!(v.correct("dg"), None, "two letters: no correction");
        assert_eq!(v.correct("dgoo"), None, "4 letters: at most one edit");
        assert_eq!(v.correct("vxolxn"), Some("violin"), "6 letters: two edits");
        assert_eq!(v.correct("vxxlxn"), None, "three edits");
        assert_eq!(v.correct("🐶"), None);
    }

    #[test]
    fn queries_are_searched_as_their_corrected_words_and_labels_are_not() {
        let v = spelling_vocab();
        let t = v.embed_query("dgo vioiln qwxz").unwrap();
        assert_eq!(t.known, ["dog", "violin"]);
        assert_eq!(t.unknown, ["qwxz"]);
        assert_eq!(
            t.corrected,
            [
                ("dgo".to_string(), "dog".to_string()),
                ("vioiln".to_string(), "violin".to_string())
            ]
        );
        assert_eq!(t.vector, v.embed("dog violin").unwrap().vector);
        // Without correction the same text has one known word less.
        let strict = v.embed("dgo vioiln").unwrap_err();
        assert!(matches!(strict, Error::Invalid(m) if m.contains("dgo, vioiln")));
        assert!(v.embed("dog").unwrap().corrected.is_empty());
        assert!(v.embed_query("qwxz blorp").is_err());
    }

    #[test]
    fn damaged_files_are_errors() {
        let good = encode(&["dog", "cat"], &[vec![1.0, 2.0], vec![3.0, 4.0]], 4).unwrap();
        assert!(Vocabulary::from_bytes(&good).is_ok());
        for cut in [0, 7, 12, 30, good.len() - 1] {
            assert!(
                Vocabulary::from_bytes(&good[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut wrong_version = good.clone();
        wrong_version[8] = 9;
        assert!(
            matches!(Vocabulary::from_bytes(&wrong_version), Err(Error::Invalid(m)) if m.contains("version 9"))
        );
        let mut nan_scale = good.clone();
        let at = 8 + 5 * 4 + "dog\ncat".len();
        nan_scale[at..at + 2].copy_from_slice(&0x7fc0u16.to_le_bytes());
        assert!(Vocabulary::from_bytes(&nan_scale).is_err());
        let mut trailing = good;
        trailing.push(0);
        assert!(Vocabulary::from_bytes(&trailing).is_err());
    }
}
