//! What a score means and how bundled sounds' tags take part in ranking them.
//!
//! - [`Logistic`]: a joint-space distance mapped to the probability that the two points share a
//!   class, `σ(a − b·d)`, fitted on validation pairs ([`Logistic::fit`]). A model JSON may carry
//!   one per query kind ([`Calibration`]); scores shown are then such probabilities, so one
//!   query's results differ visibly from top to bottom instead of all reading 0.97.
//! - [`tag_match`]: the share of a text query's words that name a bundled sound's class (its
//!   label's words, singular or plural, "-ing" forms), as a search engine uses tags. Only
//!   labelled (bundled) sounds have tags; a user's own sounds are ranked by the model alone.
//! - [`TextPrior`]: a text query pulled toward the labels nearest to it in word-vector space.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `p(same class | d) = σ(a − b·d)` for a joint-space distance `d = ‖x − y‖₂`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    pub a: f32,
    pub b: f32,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Logistic {
    /// The probability at distance `d`.
    pub fn prob(&self, d: f32) -> f32 {
        sigmoid(f64::from(self.a) - f64::from(self.b) * f64::from(d)) as f32
    }

    /// The probability for a similarity `s = exp(−d)` (the index's [`crate::index::Metric::ExpL2`]).
    pub fn prob_of_similarity(&self, s: f32) -> f32 {
        let d = if s > 0.0 { -s.ln() } else { f32::INFINITY };
        if d.is_infinite() {
            return if self.b >= 0.0 { 0.0 } else { 1.0 };
        }
        self.prob(d)
    }

    /// Maximum-likelihood fit of `σ(a − b·d)` to distances `d` labelled `same` (Newton's
    /// method on the log-likelihood with a tiny ridge, so separable data stays finite). `None`
    /// without at least one pair of each kind.
    pub fn fit(d: &[f32], same: &[bool]) -> Option<Self> {
        let n = d.len().min(same.len());
        let pos = same[..n].iter().filter(|&&s| s).count();
        if pos == 0 || pos == n {
            return None;
        }
        // Distances are scaled to unit mean for a well-conditioned Newton step.
        let scale = d[..n].iter().map(|&x| f64::from(x)).sum::<f64>() / n as f64;
        let scale = if scale > 0.0 { scale } else { 1.0 };
        let (mut a, mut b) = (0.0f64, 0.0f64); // in z = a + b·x, x = d / scale
        let ridge = 1e-6 * n as f64;
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, ridge, 0.0, ridge);
            for (&di, &yi) in d[..n].iter().zip(&same[..n]) {
                let x = f64::from(di) / scale;
                let p = sigmoid(a + b * x);
                let r = f64::from(u8::from(yi)) - p;
                ga += r;
                gb += r * x;
                let w = p * (1.0 - p);
                haa += w;
                hab += w * x;
                hbb += w * x * x;
            }
            ga -= ridge * a;
            gb -= ridge * b;
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-300 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a += da;
            b += db;
            if da.abs() + db.abs() < 1e-10 {
                break;
            }
        }
        let out = Self {
            a: a as f32,
            b: (-b / scale) as f32,
        };
        (out.a.is_finite() && out.b.is_finite()).then_some(out)
    }
}

/// Score calibration stored in a model JSON (`"calibration"`): one mapping per query kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// A text query against a sound: the probability that the sound is of the meant class
    /// (fitted on class-label queries against validation clips).
    pub text_audio: Logistic,
    /// A sound against a sound: the probability that both are of one class (fitted on
    /// validation clips against training clips).
    pub audio_audio: Logistic,
    /// The best score of a text query below which no sound is taken to be close to it (the
    /// collection has no such sound): fitted on validation class names searched with and
    /// without their own clips ([`floor_between`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_floor: Option<f32>,
}

/// The threshold that best tells `present` scores (a query's best result when the collection
/// has what it asks for) from `absent` ones (when it has not): the midpoint between two sorted
/// scores with the highest weighted accuracy, `(2 · share of present ≥ t + share of absent < t)
/// / 3`. Saying "nothing here is close" of a query whose sounds are there is the worse mistake,
/// so it weighs twice. `None` without scores of both kinds.
pub fn floor_between(present: &[f32], absent: &[f32]) -> Option<f32> {
    if present.is_empty() || absent.is_empty() {
        return None;
    }
    let mut all: Vec<f32> = present
        .iter()
        .chain(absent)
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    all.sort_by(f32::total_cmp);
    let accuracy = |t: f32| {
        let p = present.iter().filter(|&&x| x >= t).count() as f64 / present.len() as f64;
        let a = absent.iter().filter(|&&x| x < t).count() as f64 / absent.len() as f64;
        (2.0 * p + a) / 3.0
    };
    let mut best: Option<(f64, f32)> = None;
    for w in all.windows(2) {
        let t = (w[0] + w[1]) / 2.0;
        let acc = accuracy(t);
        if best.is_none_or(|(b, _)| acc > b) {
            best = Some((acc, t));
        }
    }
    best.map(|(_, t)| t)
}

/// A text query pulled toward the classes whose words are nearest to it in word-vector space:
/// the query's joint embedding becomes `(1 − weight)·f(q) + weight·Σ_c w_c·f(label_c)`, where
/// `f` is the text branch and `w_c` is the share of class `c` in `softmax(sharpness · cos(q, a))`
/// over the anchors `a`: every label, and the words of [`TextPrior::words`] for its class. The
/// text branch is trained on a few dozen labels and maps other words less faithfully than the
/// word vectors relate them ("puppy" is near "dog" in GloVe); the pull keeps that relation. It
/// uses the labels' text, never a sound's label, so it holds for unlabelled sounds too. Fitted on
/// validation words (a model JSON's `"text_prior"`). With [`TextPrior::affinity`], the class
/// shares mix in each query word's classes as a sentence model relates them ([`Affinity`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextPrior {
    pub weight: f32,
    pub sharpness: f32,
    /// More anchors per class label: words that mean it (e.g. from WordNet).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub words: BTreeMap<String, Vec<String>>,
    /// Vocabulary words' nearest classes by a sentence model, precomputed offline (older
    /// models have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
}

/// Each vocabulary word's nearest classes in a sentence model's space (all-MiniLM-L6-v2: the
/// word against each class's label and its class words; `scripts/vocab/affinity.py`),
/// kept to a few classes per word and to words near some class. A query's class shares become
/// `(1 − weight)·glove + weight·mean_words softmax(sharpness · cos(word, class))`, the softmax
/// over a word's listed classes, the mean over the query's words that are listed (none listed:
/// the word-vector shares alone). With a `floor`, the mean weighs each word by how far its best
/// cosine is above it, so in a phrase the words that surely name a class ("barking") count more
/// than those barely listed ("distance").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affinity {
    pub weight: f32,
    pub sharpness: f32,
    /// Per class label, its words with their cosine in hundredths: `"sheep:62 lamb:58"`.
    pub words: BTreeMap<String, String>,
    /// The cosine a listed word's weight in a phrase is measured from (the table's lowest best
    /// cosine); `None`: every listed word weighs the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor: Option<f32>,
}

impl Affinity {
    /// Whether the values can be used: `weight` in [0, 1], a finite `sharpness` ≥ 0.
    pub fn is_valid(&self) -> bool {
        (0.0..=1.0).contains(&self.weight) && self.sharpness.is_finite() && self.sharpness >= 0.0
    }

    /// Each word's classes and cosines, from [`Affinity::words`]; `class_row` maps a class label
    /// to its row (labels it gives `None` for are skipped, as are malformed entries).
    pub fn table(
        &self,
        mut class_row: impl FnMut(&str) -> Option<usize>,
    ) -> std::collections::HashMap<String, Vec<(usize, f32)>> {
        let mut out: std::collections::HashMap<String, Vec<(usize, f32)>> = Default::default();
        for (class, word, cos) in entries(&self.words) {
            if let Some(row) = class_row(class) {
                out.entry(word.to_owned()).or_default().push((row, cos));
            }
        }
        out
    }

    /// The lowest best cosine of a table's words (what [`Affinity::floor`] is set to); `None` for
    /// an empty table.
    pub fn floor_of(words: &BTreeMap<String, String>) -> Option<f32> {
        let mut best: std::collections::HashMap<&str, f32> = Default::default();
        for (_, word, cos) in entries(words) {
            let b = best.entry(word).or_insert(f32::NEG_INFINITY);
            *b = b.max(cos);
        }
        best.into_values().reduce(f32::min)
    }
}

/// The entries of an affinity table ([`Affinity::words`]) as (class, word, cosine); malformed
/// entries are skipped.
fn entries(words: &BTreeMap<String, String>) -> impl Iterator<Item = (&str, &str, f32)> {
    words.iter().flat_map(|(class, list)| {
        list.split_whitespace().filter_map(move |entry| {
            let (word, cos) = entry.rsplit_once(':')?;
            Some((class.as_str(), word, cos.parse::<f32>().ok()? / 100.0))
        })
    })
}

impl TextPrior {
    /// Whether the values can be used: `weight` in [0, 1], a finite `sharpness` ≥ 0 (and so for
    /// its affinity).
    pub fn is_valid(&self) -> bool {
        (0.0..=1.0).contains(&self.weight)
            && self.sharpness.is_finite()
            && self.sharpness >= 0.0
            && self.affinity.as_ref().is_none_or(Affinity::is_valid)
    }

    /// The pulled embedding of a query. `tower`: the query through the text branch; `query`:
    /// its word vector; `anchors`: anchor word vectors (rows of `query.len()`), each of the
    /// class `anchor_class[i]`, a row of `labels_joint` (the labels through the text branch,
    /// rows of `tower.len()`); `word_classes`: for each query word that has affinities, its
    /// classes (rows of `labels_joint`) and cosines ([`Affinity::table`]; empty: none).
    pub fn apply(
        &self,
        tower: &[f32],
        query: &[f32],
        anchors: &[f32],
        anchor_class: &[usize],
        labels_joint: &[f32],
        word_classes: &[&[(usize, f32)]],
    ) -> Vec<f32> {
        let dim = tower.len();
        if query.is_empty() || dim == 0 || anchor_class.is_empty() {
            return tower.to_vec();
        }
        let mut shares = self.anchor_shares(query, anchors, anchor_class, labels_joint.len() / dim);
        if let Some(a) = self.affinity.as_ref().filter(|a| a.weight > 0.0) {
            let mut from_words = vec![0.0f32; shares.len()];
            let mut listed = 0.0f32;
            for classes in word_classes.iter().filter(|c| !c.is_empty()) {
                let top = classes
                    .iter()
                    .map(|c| c.1)
                    .fold(f32::NEG_INFINITY, f32::max);
                let e: Vec<f32> = classes
                    .iter()
                    .map(|c| (a.sharpness * (c.1 - top)).exp())
                    .collect();
                let total: f32 = e.iter().sum();
                let weight = a.floor.map_or(1.0, |f| (top - f).max(1e-3));
                for (&(row, _), x) in classes.iter().zip(&e) {
                    if let Some(s) = from_words.get_mut(row) {
                        *s += weight * x / total;
                    }
                }
                listed += weight;
            }
            if listed > 0.0 {
                for (s, f) in shares.iter_mut().zip(&from_words) {
                    *s = (1.0 - a.weight) * *s + a.weight * f / listed;
                }
            }
        }
        let mut out: Vec<f32> = tower.iter().map(|x| (1.0 - self.weight) * x).collect();
        for (wc, row) in shares.iter().zip(labels_joint.chunks_exact(dim)) {
            let k = self.weight * wc;
            for (o, x) in out.iter_mut().zip(row) {
                *o += k * x;
            }
        }
        out
    }

    /// Each class's share (summing to 1 over `classes` classes) of the softmax over the
    /// anchors' cosines to `query`.
    fn anchor_shares(
        &self,
        query: &[f32],
        anchors: &[f32],
        anchor_class: &[usize],
        classes: usize,
    ) -> Vec<f32> {
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        let qn = norm(query);
        let logits: Vec<f32> = anchors
            .chunks_exact(query.len())
            .map(|a| {
                let dot: f32 = a.iter().zip(query).map(|(x, y)| x * y).sum();
                self.sharpness * dot / (qn * norm(a))
            })
            .collect();
        let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut per_class = vec![0.0f32; classes];
        let mut total = 0.0f32;
        for (z, &c) in logits.iter().zip(anchor_class) {
            let e = (z - top).exp();
            if let Some(w) = per_class.get_mut(c) {
                *w += e;
                total += e;
            }
        }
        per_class.iter_mut().for_each(|w| *w /= total.max(1e-30));
        per_class
    }
}

/// A word reduced to a crude stem for tag matching: lower case, plural "s"/"es"/"ies" and
/// "-ing" removed (a doubled final consonant then undoubled: "clapping" → "clap"), "-lves" as
/// "-lf" ("wolves" → "wolf", "calves" → "calf"), and a silent final "e" dropped so that a verb's
/// "-ing" form meets it ("rustle" and "rustling" → "rustl", "chime" and "chiming" → "chim").
pub fn stem(word: &str) -> String {
    let s = plain_stem(word);
    match s.strip_suffix('e') {
        Some(rest) if rest.chars().count() >= 3 && !rest.ends_with('e') => rest.to_string(),
        _ => s,
    }
}

fn plain_stem(word: &str) -> String {
    let w = word.to_lowercase();
    let w = w.strip_suffix("'s").unwrap_or(&w).to_string();
    let n = w.chars().count();
    if n <= 3 {
        return w;
    }
    if let Some(s) = w.strip_suffix("ing") {
        if s.chars().count() >= 3 {
            let c: Vec<char> = s.chars().collect();
            let k = c.len();
            if k >= 2 && c[k - 1] == c[k - 2] && !"aeiouls".contains(c[k - 1]) {
                return c[..k - 1].iter().collect();
            }
            return s.to_string();
        }
    }
    if let Some(s) = w.strip_suffix("ies") {
        return format!("{s}y");
    }
    if let Some(s) = w.strip_suffix("lves") {
        return format!("{s}lf");
    }
    for end in ["ches", "shes", "sses", "xes"] {
        if w.ends_with(end) {
            return w[..w.len() - 2].to_string();
        }
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        return w[..w.len() - 1].to_string();
    }
    w
}

/// The share of `query` tokens whose stem is the stem of one of `tag` tokens or of a part of a
/// hyphenated one ("hi hat" meets `hi-hat`, "toms" `tom-tom`; 0 with no query tokens). "dog"
/// against `Canidae_dogs_wolves`' words is 1; "dog barking" is 0.5.
pub fn tag_match(query: &[String], tag: &[String]) -> f32 {
    if query.is_empty() {
        return 0.0;
    }
    let tags: Vec<String> = tag
        .iter()
        .flat_map(|t| std::iter::once(t.as_str()).chain(t.split('-').filter(|p| p.len() > 1)))
        .map(stem)
        .collect();
    let hits = query.iter().filter(|q| tags.contains(&stem(q))).count();
    hits as f32 / query.len() as f32
}

/// The score of a labelled sound for a text query of `words` words: its model score `p` (0–1)
/// raised by its tag match `m` ([`tag_match`]), `(m·words + p) / (words + 1)`. Sounds whose tags
/// match more of the query's words rank above all that match fewer; the model orders each group.
/// Used only when some class matches the query.
pub fn with_tags(p: f32, m: f32, words: usize) -> f32 {
    let t = words as f32;
    (m.clamp(0.0, 1.0) * t + p.clamp(0.0, 1.0)) / (t + 1.0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn prior(weight: f32, sharpness: f32) -> TextPrior {
        TextPrior {
            weight,
            sharpness,
            words: BTreeMap::new(),
            affinity: None,
        }
    }

    // Two labels in a 2-d word space, (1, 0) and (0, 1), mapped by the text branch to (10, 0)
    // and (0, 10); a third anchor, (1, 1), stands for the second label.
    const ANCHORS: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    const JOINT: [f32; 4] = [10.0, 0.0, 0.0, 10.0];

    #[test]
    fn no_weight_keeps_the_text_branch() {
        let out = prior(0.0, 40.0).apply(&[1.0, 2.0], &[1.0, 0.0], &ANCHORS, &[0, 1], &JOINT, &[]);
        assert_eq!(out, vec![1.0, 2.0]);
    }

    #[test]
    fn full_weight_at_high_sharpness_moves_to_the_nearest_label() {
        // Nearer the first label in word space: lands on its joint embedding, wherever the
        // text branch put it.
        let out = prior(1.0, 80.0).apply(
            &[-5.0, 7.0],
            &[0.9, 0.1],
            &ANCHORS[..4],
            &[0, 1],
            &JOINT,
            &[],
        );
        assert!(
            (out[0] - 10.0).abs() < 1e-3 && out[1].abs() < 1e-3,
            "{out:?}"
        );
    }

    #[test]
    fn zero_sharpness_averages_the_labels_by_their_anchors() {
        // Every anchor weighs the same: the second label has two of three.
        let out =
            prior(1.0, 0.0).apply(&[0.0, 0.0], &[1.0, 0.0], &ANCHORS, &[0, 1, 1], &JOINT, &[]);
        assert!((out[0] - 10.0 / 3.0).abs() < 1e-4 && (out[1] - 20.0 / 3.0).abs() < 1e-4);
    }

    #[test]
    fn an_extra_anchor_pulls_toward_its_label() {
        // (0.8, 0.6) is nearer (1, 0) than (0, 1), but nearer still to the second label's
        // anchor (1, 1).
        let q = [0.8, 0.6];
        let without = prior(1.0, 40.0).apply(&[0.0, 0.0], &q, &ANCHORS[..4], &[0, 1], &JOINT, &[]);
        let with = prior(1.0, 40.0).apply(&[0.0, 0.0], &q, &ANCHORS, &[0, 1, 1], &JOINT, &[]);
        assert!(without[0] > without[1], "{without:?}");
        assert!(with[1] > with[0], "{with:?}");
    }

    #[test]
    fn half_weight_is_halfway() {
        let out = prior(0.5, 80.0).apply(
            &[0.0, 4.0],
            &[1.0, 0.0],
            &ANCHORS[..4],
            &[0, 1],
            &JOINT,
            &[],
        );
        assert!(
            (out[0] - 5.0).abs() < 1e-3 && (out[1] - 2.0).abs() < 1e-3,
            "{out:?}"
        );
    }

    fn with_affinity(weight: f32, sharpness: f32) -> TextPrior {
        let mut words = BTreeMap::new();
        words.insert("B".to_owned(), "sheep:62 lamb:40 bogus".to_owned());
        words.insert("A".to_owned(), "lamb:55".to_owned());
        words.insert("Gone".to_owned(), "sheep:90".to_owned());
        TextPrior {
            affinity: Some(Affinity {
                weight,
                sharpness,
                words,
                floor: None,
            }),
            ..prior(1.0, 80.0)
        }
    }

    /// `p` applied to a zero text-branch output and the query (1, 0) with `words`' affinities.
    fn pull(p: &TextPrior, words: &[&[(usize, f32)]]) -> Vec<f32> {
        p.apply(
            &[0.0, 0.0],
            &[1.0, 0.0],
            &ANCHORS[..4],
            &[0, 1],
            &JOINT,
            words,
        )
    }

    #[test]
    fn with_a_floor_a_phrase_weighs_its_words_by_their_cosine_above_it() {
        // One word surely of the first class (0.9), one barely of the second (0.62).
        let words: [&[(usize, f32)]; 2] = [&[(0, 0.9)], &[(1, 0.62)]];
        let run = |floor| {
            let mut p = with_affinity(1.0, 40.0);
            if let Some(a) = p.affinity.as_mut() {
                a.floor = floor;
            }
            pull(&p, &words)
        };
        let even = run(None);
        assert!((even[0] - 5.0).abs() < 1e-3, "{even:?}");
        // Weights 0.3 and 0.02: shares 0.9375 and 0.0625.
        let weighed = run(Some(0.6));
        assert!(
            (weighed[0] - 9.375).abs() < 1e-2 && (weighed[1] - 0.625).abs() < 1e-2,
            "{weighed:?}"
        );
    }

    fn rows(class: &str) -> Option<usize> {
        ["A", "B"].iter().position(|c| *c == class)
    }

    #[test]
    fn affinity_table_maps_words_to_class_rows() {
        let t = with_affinity(1.0, 40.0).affinity.unwrap().table(rows);
        let mut lamb = t["lamb"].clone();
        lamb.sort_by_key(|x| x.0);
        assert_eq!(lamb, vec![(0, 0.55), (1, 0.40)]);
        // A class the engine does not know is skipped; an entry without a cosine too.
        assert_eq!(t["sheep"], vec![(1, 0.62)]);
        assert!(!t.contains_key("bogus"));
    }

    #[test]
    fn affinity_overrules_word_vectors_by_its_weight() {
        // In word space the query is the first label's; its word is listed for the second only.
        let q = [1.0, 0.0];
        let words: [&[(usize, f32)]; 1] = [&[(1, 0.62)]];
        let glove = prior(1.0, 80.0).apply(&[0.0, 0.0], &q, &ANCHORS[..4], &[0, 1], &JOINT, &[]);
        assert!(glove[0] > 9.9, "{glove:?}");
        let full = pull(&with_affinity(1.0, 40.0), &words);
        assert!(full[1] > 9.9 && full[0] < 0.1, "{full:?}");
        let half = pull(&with_affinity(0.5, 40.0), &words);
        assert!(
            (half[0] - 5.0).abs() < 1e-2 && (half[1] - 5.0).abs() < 1e-2,
            "{half:?}"
        );
        // Without listed words the word vectors decide alone.
        let none = pull(&with_affinity(1.0, 40.0), &[]);
        assert_eq!(none, glove);
    }

    #[test]
    fn affinity_softmax_is_per_word_and_averaged_over_words() {
        // One word split evenly (equal cosines), one word all for the second class: 1/4, 3/4.
        let words: [&[(usize, f32)]; 3] = [&[(0, 0.5), (1, 0.5)], &[], &[(1, 0.3)]];
        let out = pull(&with_affinity(1.0, 40.0), &words);
        assert!(
            (out[0] - 2.5).abs() < 1e-3 && (out[1] - 7.5).abs() < 1e-3,
            "{out:?}"
        );
        // Sharpness 0 ignores the cosines' sizes, a high one keeps only the best class.
        let sharp: [&[(usize, f32)]; 1] = [&[(0, 0.5), (1, 0.6)]];
        let flat = pull(&with_affinity(1.0, 0.0), &sharp);
        assert!((flat[0] - 5.0).abs() < 1e-3, "{flat:?}");
        let peaked = pull(&with_affinity(1.0, 400.0), &sharp);
        assert!(peaked[1] > 9.9, "{peaked:?}");
    }

    #[test]
    fn an_invalid_affinity_makes_the_prior_invalid() {
        assert!(with_affinity(0.5, 10.0).is_valid());
        assert!(!with_affinity(1.5, 10.0).is_valid());
        assert!(!with_affinity(0.5, f32::NAN).is_valid());
    }

    #[test]
    fn a_prior_without_affinity_reads_as_before() {
        let p: TextPrior = serde_json::from_str(r#"{"weight":0.9,"sharpness":40}"#).unwrap();
        assert_eq!(p, prior(0.9, 40.0));
        assert!(!serde_json::to_string(&p).unwrap().contains("affinity"));
    }

    #[test]
    fn the_floor_separates_present_from_absent_best_scores() {
        // A present score among the absent ones: missing one absent query costs less than
        // doubting one present query (weighed equally, 0.6 would win here).
        let t = floor_between(&[0.9, 0.8, 0.7, 0.45], &[0.2, 0.3, 0.5]).unwrap();
        assert!((0.3..0.45).contains(&t), "{t}");
        // (Weighed equally, 0.6 would win again: 2 of 3 present and both absent.)
        let t = floor_between(&[0.9, 0.8, 0.3], &[0.2, 0.4]).unwrap();
        assert!(t < 0.3, "{t}");
        // Fully separable: between the highest absent and the lowest present score.
        let t = floor_between(&[0.8, 0.9], &[0.1, 0.2]).unwrap();
        assert!((0.2..0.8).contains(&t), "{t}");
        assert_eq!(floor_between(&[], &[0.1]), None);
        assert_eq!(floor_between(&[0.5], &[]), None);
    }

    #[test]
    fn prior_values_are_checked() {
        assert!(prior(0.9, 40.0).is_valid());
        assert!(!prior(1.5, 40.0).is_valid());
        assert!(!prior(-0.1, 40.0).is_valid());
        assert!(!prior(0.5, f32::NAN).is_valid());
        assert!(!prior(0.5, -1.0).is_valid());
    }

    #[test]
    fn stems_join_plurals_and_ing_forms() {
        assert_eq!(stem("dogs"), "dog");
        assert_eq!(stem("Dog"), "dog");
        assert_eq!(stem("clapping"), "clap");
        assert_eq!(stem("barking"), "bark");
        assert_eq!(stem("footsteps"), "footstep");
        assert_eq!(stem("flies"), "fly");
        assert_eq!(stem("marimbas"), "marimba");
        assert_eq!(stem("brushes"), "brush");
        assert_eq!(stem("bass"), "bass");
        assert_eq!(stem("sing"), "sing");
        assert_eq!(stem("bus"), "bus");
        assert_ne!(stem("horse"), stem("hose"));
        assert_eq!(stem("wolves"), "wolf");
        assert_eq!(stem("wolf"), "wolf");
        assert_eq!(stem("calves"), "calf");
        assert_eq!(stem("rustling"), stem("Rustle"));
        assert_eq!(stem("chiming"), stem("chimes"));
        assert_eq!(stem("whistles"), stem("whistling"));
        assert_eq!(stem("horses"), stem("horse"));
        assert_eq!(stem("bee"), "bee");
        assert_eq!(stem("tree"), "tree");
    }

    #[test]
    fn tag_match_is_the_share_of_query_words_that_are_tags() {
        let t = |s: &[&str]| s.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let dogs = t(&["canidae", "dogs", "wolves"]);
        assert_eq!(tag_match(&t(&["dog"]), &dogs), 1.0);
        assert_eq!(tag_match(&t(&["dog", "barking"]), &dogs), 0.5);
        assert_eq!(tag_match(&t(&["cat"]), &dogs), 0.0);
        let hat = t(&["hi-hat"]);
        assert_eq!(tag_match(&t(&["closed", "hi", "hat"]), &hat), 2.0 / 3.0);
        assert_eq!(tag_match(&t(&["hi-hat"]), &hat), 1.0);
        assert_eq!(tag_match(&t(&["toms"]), &t(&["tom-tom", "drum"])), 1.0);
        assert_eq!(tag_match(&t(&["wolf", "howling"]), &dogs), 0.5);
        assert_eq!(tag_match(&[], &dogs), 0.0);
        let snare = t(&["snare", "drum"]);
        let bass = t(&["bass", "drum"]);
        let q = t(&["snare", "drum"]);
        assert!(tag_match(&q, &snare) > tag_match(&q, &bass));
    }

    #[test]
    fn more_matched_words_rank_above_fewer_whatever_the_model_says() {
        assert!(with_tags(0.0, 1.0, 1) >= with_tags(1.0, 0.0, 1));
        assert!(with_tags(0.01, 1.0, 2) > with_tags(0.99, 0.5, 2));
        assert!(with_tags(0.01, 1.0 / 3.0, 3) > with_tags(0.99, 0.0, 3));
        // Within a group the model decides.
        assert!(with_tags(0.2, 1.0, 1) > with_tags(0.1, 1.0, 1));
        assert!(with_tags(1.0, 1.0, 4) <= 1.0 && with_tags(0.0, 0.0, 4) >= 0.0);
    }

    #[test]
    fn logistic_fit_recovers_a_known_curve_and_falls_with_distance() {
        // Distances 0..10; labels drawn deterministically from σ(4 − 1·d).
        let truth = Logistic { a: 4.0, b: 1.0 };
        let mut d = Vec::new();
        let mut y = Vec::new();
        for i in 0..2000 {
            let di = (i % 1000) as f32 / 100.0;
            let p = truth.prob(di);
            // A low-discrepancy sequence instead of random draws: the share of positives at
            // each distance follows p.
            let u = ((i as f64 * 0.618_033_988_75) % 1.0) as f32;
            d.push(di);
            y.push(u < p);
        }
        let fit = Logistic::fit(&d, &y).unwrap();
        assert!((fit.a - 4.0).abs() < 0.8, "{fit:?}");
        assert!((fit.b - 1.0).abs() < 0.25, "{fit:?}");
        assert!(fit.prob(1.0) > fit.prob(5.0));
        assert!(fit.prob(0.5) > 0.9 && fit.prob(9.0) < 0.01);
        // Similarity form: exp(−d).
        assert!((fit.prob_of_similarity((-2.0f32).exp()) - fit.prob(2.0)).abs() < 1e-5);
        assert_eq!(fit.prob_of_similarity(0.0), 0.0);
    }

    #[test]
    fn logistic_fit_needs_both_kinds_and_stays_finite_when_separable() {
        assert!(Logistic::fit(&[1.0, 2.0], &[true, true]).is_none());
        assert!(Logistic::fit(&[], &[]).is_none());
        let fit = Logistic::fit(&[0.1, 0.2, 3.0, 4.0], &[true, true, false, false]).unwrap();
        assert!(fit.a.is_finite() && fit.b > 0.0);
        assert!(fit.prob(0.1) > 0.9 && fit.prob(4.0) < 0.1);
    }
}
