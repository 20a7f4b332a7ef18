//! Search over the joint space: text and audio queries against the index, audio→text labels and
//! open-vocabulary words. Shared by the app and the CLI, so both rank identically.
//!
//! - `results`: index items by `exp(−‖q − x‖₂)`, best first.
//! - `labels`: the index's class labels ranked for the query by kNN (k = 25, as in the paper) over
//!   the labels' joint text embeddings; the score is the label's similarity `exp(−‖q − t‖₂)`.
//! - `words`: open vocabulary. Running the text branch over all 50 k words per query is too slow
//!   for a browser, so candidates are the words nearest in GloVe space to the best labels (and
//!   the labels' own words); those candidates are ranked by their joint-space similarity.
//!
//! A text query's misspelt words are searched as their nearest vocabulary words
//! ([`Vocabulary::embed_query`]); the answer names them. A class label none of whose words the
//! vocabulary knows (nor, misspelt, their nearest words) still has its items searched; it is only
//! left out of `labels` and `words`, which need its text vector.
//!
//! A model with a `calibration` ([`crate::rank::Calibration`]) shows probabilities instead of
//! `exp(−d)` for `results` and `labels`, and ranks the bundled sounds of a text query with their
//! class labels as tags ([`crate::rank::tag_match`]; [`Engine::tags`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::index::{top_k, Hit, Index, Metric, KNN_K};
use crate::model::Model;
use crate::rank::{tag_match, with_tags};
use crate::text::{TextVector, Vocabulary};
use crate::{Error, Result};

/// Candidate words gathered per top label for the open-vocabulary ranking.
const WORD_CANDIDATES_PER_LABEL: usize = 40;
/// Labels whose GloVe neighbourhoods give word candidates.
const LABELS_FOR_WORDS: usize = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct ResultItem {
    pub item: usize,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub name: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The query in the joint space.
    pub embedding: Vec<f32>,
    pub results: Vec<ResultItem>,
    pub labels: Vec<Ranked>,
    pub words: Vec<Ranked>,
    /// Query words the vocabulary did not know (text queries).
    pub unknown_words: Vec<String>,
    /// Misspelt query words and the vocabulary words they were searched as (text queries).
    pub corrected: Vec<(String, String)>,
    /// The query's words as searched, when a word was corrected ("violin" for "vioiln").
    pub searched_as: Option<String>,
    /// A text query's words as its tags were matched (corrected words as corrected); empty for
    /// audio queries.
    pub tokens: Vec<String>,
    /// Whether the query's words are some class's tags, so that its sounds were ranked with
    /// them (and other sounds' own words count too: [`Engine::score_other`]).
    pub tagged: bool,
    /// Words the query asked to leave out ("drum -snare" → "snare"): no result's class label
    /// has them, and other sounds with them in their words are left out too
    /// ([`Engine::left_out`]).
    pub excluded: Vec<String>,
}

/// A text query split into what to search for and what to leave out: words written with a
/// leading `-` ("drum -snare", "-dog barking") are left out; a hyphen inside a word ("hi-hat")
/// or alone is no exclusion.
pub fn split_exclusions(query: &str) -> (String, Vec<String>) {
    let (mut keep, mut out) = (Vec::new(), Vec::new());
    for token in query.split_whitespace() {
        match token.strip_prefix('-') {
            Some(rest) if rest.chars().next().is_some_and(char::is_alphanumeric) => {
                out.push(rest.to_owned());
            }
            _ => keep.push(token),
        }
    }
    (keep.join(" "), out)
}

/// Whether one of `excluded`'s words is among `words` (as tags match: [`tag_match`]).
fn names_any(excluded: &[String], words: &[String]) -> bool {
    excluded
        .iter()
        .any(|x| tag_match(std::slice::from_ref(x), words) > 0.0)
}

/// A text query's words matched against every class label's words, once per query.
struct Tags {
    /// Per class (index into `Engine::classes`), the share of the query's words it matches.
    per_class: Vec<f32>,
    /// How many words the query has.
    words: usize,
}

/// Model, vocabulary and index, with the class labels' joint embeddings precomputed.
pub struct Engine {
    pub model: Model,
    pub vocab: Vocabulary,
    pub index: Index,
    pub classes: Vec<String>,
    /// The classes with a text vector (indices into `classes`), the rows of the two below.
    text_classes: Vec<usize>,
    /// Whether a text query's words matching a bundled sound's class label raise that sound
    /// (on by default for calibrated models).
    pub tags: bool,
    /// Each class label's words (the tags of its sounds).
    class_tokens: Vec<Vec<String>>,
    class_joint: Vec<f32>,
    class_glove: Vec<f32>,
    /// The text prior's anchors (word vectors: each label's, then its prior words') and the
    /// row of `class_joint` each stands for.
    prior_anchors: Vec<f32>,
    prior_class: Vec<usize>,
    /// The text prior's affinities: per listed word, its classes (rows of `class_joint`) and
    /// cosines ([`crate::rank::Affinity::table`]).
    prior_words: HashMap<String, Vec<(usize, f32)>>,
    /// Per class: its candidate words (vocabulary rows) and their joint embeddings, computed on
    /// first use (the text branch over 40 words is most of a text query's cost).
    word_cache: Vec<OnceLock<ClassWords>>,
}

struct ClassWords {
    words: Vec<usize>,
    joint: Vec<f32>,
}

impl Engine {
    pub fn new(model: Model, vocab: Vocabulary, index: Index) -> Result<Self> {
        if model.text_dim != vocab.dim() {
            return Err(Error::Invalid(format!(
                "model takes {}-d text vectors, the vocabulary has {}",
                model.text_dim,
                vocab.dim()
            )));
        }
        if model.output_dim() != index.dim {
            return Err(Error::Invalid(format!(
                "index vectors have {} dims, the model's joint space {}",
                index.dim,
                model.output_dim()
            )));
        }
        let mut classes: Vec<String> = index.items.iter().map(|i| i.label.clone()).collect();
        classes.sort();
        classes.dedup();
        let mut class_glove = Vec::with_capacity(classes.len() * vocab.dim());
        let mut text_classes = Vec::with_capacity(classes.len());
        let mut label_words: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        for (ci, c) in classes.iter().enumerate() {
            // A label's own words; only when it has none, its nearest words by spelling
            // ("Glockenspeil"); with neither it has no text vector.
            if let Ok(t) = vocab.embed(c).or_else(|_| vocab.embed_query(c)) {
                class_glove.extend_from_slice(&t.vector);
                for w in t.known {
                    let rows = label_words.entry(w).or_default();
                    if !rows.iter().any(|r| r.0 == text_classes.len()) {
                        rows.push((text_classes.len(), 1.0));
                    }
                }
                text_classes.push(ci);
            }
        }
        let class_joint = if text_classes.is_empty() {
            Vec::new()
        } else {
            model.embed_text(&class_glove)?
        };
        let (mut prior_anchors, mut prior_class) = (class_glove.clone(), Vec::new());
        prior_class.extend(0..text_classes.len());
        if let Some(p) = &model.text_prior {
            for (row, &ci) in text_classes.iter().enumerate() {
                for w in p.words.get(&classes[ci]).into_iter().flatten() {
                    if let Some(v) = vocab.get(w) {
                        prior_anchors.extend_from_slice(v);
                        prior_class.push(row);
                    }
                }
            }
        }
        // A word of a label stands for the classes whose label has it, whatever the table says:
        // the labels here may be ones the table never saw (a user's index).
        let prior_words = match model.text_prior.as_ref().and_then(|p| p.affinity.as_ref()) {
            Some(a) => {
                let mut table = a.table(|label| {
                    let ci = classes.binary_search_by(|c| c.as_str().cmp(label)).ok()?;
                    text_classes.iter().position(|&t| t == ci)
                });
                table.extend(label_words);
                table
            }
            None => HashMap::new(),
        };
        let word_cache = classes.iter().map(|_| OnceLock::new()).collect();
        let class_tokens = classes.iter().map(|c| vocab.tokenize(c)).collect();
        Ok(Self {
            tags: model.calibration.is_some(),
            model,
            vocab,
            index,
            classes,
            text_classes,
            class_tokens,
            class_joint,
            class_glove,
            prior_anchors,
            prior_class,
            prior_words,
            word_cache,
        })
    }

    /// A free-text query; misspelt words are searched as their nearest vocabulary words, and
    /// words written with a leading `-` are left out ([`split_exclusions`]).
    pub fn search_text(&self, query: &str, top: usize) -> Result<Answer> {
        let (query, excluded) = split_exclusions(query);
        let excluded: Vec<String> = excluded
            .iter()
            .flat_map(|w| self.vocab.tokenize(w))
            .collect();
        if self.vocab.tokenize(&query).is_empty() && !excluded.is_empty() {
            return Err(Error::Invalid(format!(
                "say what to search for besides what to leave out (-{})",
                excluded.join(" -")
            )));
        }
        let query = query.as_str();
        let t = self.vocab.embed_query(query)?;
        let tower = self.model.embed_text(&t.vector)?;
        let embedding = self.pulled(&tower, &t);
        // Tags match the words as searched: "vioiln" tags violins as "violin" does.
        let tokens: Vec<String> = self
            .vocab
            .tokenize(query)
            .into_iter()
            .map(
                |w| match t.corrected.iter().find(|(typed, _)| *typed == w) {
                    Some((_, meant)) => meant.clone(),
                    None => w,
                },
            )
            .collect();
        // Words live in the text branch's space (see `class_words`): a text query's words are
        // those nearest its own text-branch point, so "dog" shows "dog" first.
        let mut a = self.answer_without(embedding, Some(&tower), top, Some(&tokens), &excluded)?;
        a.unknown_words = t.unknown;
        if !t.corrected.is_empty() {
            a.searched_as = Some(t.known.join(" "));
        }
        a.corrected = t.corrected;
        Ok(a)
    }

    /// A text in the joint space (its words' vector, [`Vocabulary::embed`]): the text branch,
    /// pulled toward the nearest labels when the model has a [`crate::rank::TextPrior`].
    pub fn embed_text(&self, text: &TextVector) -> Result<Vec<f32>> {
        let tower = self.model.embed_text(&text.vector)?;
        Ok(self.pulled(&tower, text))
    }

    /// A text's joint point: its text-branch output `tower` pulled by the text prior (if the
    /// model has one) by its word vector and its words' affinities.
    fn pulled(&self, tower: &[f32], text: &TextVector) -> Vec<f32> {
        match &self.model.text_prior {
            Some(p) => {
                let words: Vec<&[(usize, f32)]> = text
                    .known
                    .iter()
                    .filter_map(|w| self.prior_words.get(w).map(Vec::as_slice))
                    .collect();
                p.apply(
                    tower,
                    &text.vector,
                    &self.prior_anchors,
                    &self.prior_class,
                    &self.class_joint,
                    &words,
                )
            }
            None => tower.to_vec(),
        }
    }

    /// An audio query given as its 300-d clip vector.
    pub fn search_clip_vector(&self, clip: &[f32], top: usize) -> Result<Answer> {
        let embedding = self.model.embed_audio(clip)?;
        self.answer(embedding, top, None)
    }

    /// Another index item as the query ("find similar").
    pub fn search_item(&self, item: usize, top: usize) -> Result<Answer> {
        if item >= self.index.len() {
            return Err(Error::Invalid(format!("no index item {item}")));
        }
        self.answer(self.index.vector(item).to_vec(), top, None)
    }

    /// A point of the joint space as the query (e.g. a sound of the user's library).
    pub fn search_embedding(&self, embedding: &[f32], top: usize) -> Result<Answer> {
        if embedding.len() != self.index.dim {
            return Err(Error::Invalid(format!(
                "the query has {} dims, the joint space {}",
                embedding.len(),
                self.index.dim
            )));
        }
        self.answer(embedding.to_vec(), top, None)
    }

    /// The score shown for a similarity `exp(−d)` of a text (`text`) or audio query to a sound:
    /// the model's calibrated probability, or the similarity itself for uncalibrated models.
    pub fn score(&self, similarity: f32, text: bool) -> f32 {
        match &self.model.calibration {
            Some(c) if text => c.text_audio.prob_of_similarity(similarity),
            Some(c) => c.audio_audio.prob_of_similarity(similarity),
            None => similarity,
        }
    }

    /// The score of a sound outside the index (e.g. of the user's library) at similarity
    /// `exp(−d)` to an answer's query, on the scale of the answer's `results`: calibrated, and
    /// for a text query whose words are some class's tags, combined with `tags` (the sound's
    /// own words: its name and tags) as a bundled sound's class label is.
    pub fn score_other(&self, answer: &Answer, similarity: f32, tags: &[String]) -> f32 {
        let p = self.score(similarity, !answer.tokens.is_empty());
        if answer.tagged {
            with_tags(p, tag_match(&answer.tokens, tags), answer.tokens.len())
        } else {
            p
        }
    }

    /// Whether no sound is close to a text query whose best result scores `best` (on the
    /// results' scale): below the calibration's `text_floor`. Never for audio queries, for
    /// queries whose words name a class (its sounds are there), or without a fitted floor.
    pub fn nothing_close(&self, answer: &Answer, best: Option<f32>) -> bool {
        if answer.tokens.is_empty() || answer.tagged {
            return false;
        }
        match (self.model.calibration.and_then(|c| c.text_floor), best) {
            (Some(f), Some(b)) => b < f,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// Whether a sound with these words (its name and tags, or a class label's words) is one
    /// the answer's query asked to leave out.
    pub fn left_out(&self, answer: &Answer, words: &[String]) -> bool {
        names_any(&answer.excluded, words)
    }

    /// Per class, the share of the query's words that are its tags ([`tag_match`]); `None` when
    /// tags are off or no class matches.
    fn tags_of(&self, tokens: &[String]) -> Option<Tags> {
        if !self.tags {
            return None;
        }
        let per_class: Vec<f32> = self
            .class_tokens
            .iter()
            .map(|c| tag_match(tokens, c))
            .collect();
        per_class.iter().any(|&x| x > 0.0).then_some(Tags {
            per_class,
            words: tokens.len(),
        })
    }

    /// The `results` of a text query alone (no labels or words): what the evaluation ranks.
    pub fn text_results(&self, query: &str, top: usize) -> Result<Vec<ResultItem>> {
        let t = self.vocab.embed(query)?;
        let embedding = self.embed_text(&t)?;
        let tags = self.tags_of(&self.vocab.tokenize(query));
        self.results(&embedding, top, true, tags.as_ref(), &[])
    }

    /// Per class, whether its label has one of `excluded`'s words (empty: none excluded).
    fn excluded_classes(&self, excluded: &[String]) -> Vec<bool> {
        if excluded.is_empty() {
            return Vec::new();
        }
        self.class_tokens
            .iter()
            .map(|c| names_any(excluded, c))
            .collect()
    }

    /// Index items for a query point, best first. `text`: a text query; `tags`: its words
    /// matched against the classes' labels, when some class matches.
    /// `excluded`: per class, whether its sounds are left out ([`Engine::excluded_classes`]).
    fn results(
        &self,
        embedding: &[f32],
        top: usize,
        text: bool,
        tags: Option<&Tags>,
        excluded: &[bool],
    ) -> Result<Vec<ResultItem>> {
        if excluded.iter().any(|&x| x) {
            let mut all = self.results(embedding, self.index.len(), text, tags, &[])?;
            all.retain(|r| {
                let label = &self.index.items[r.item].label;
                !self
                    .classes
                    .binary_search(label)
                    .is_ok_and(|ci| excluded[ci])
            });
            all.truncate(top);
            return Ok(all);
        }
        Ok(match tags {
            None => self
                .index
                .top_k(embedding, top, Metric::ExpL2)?
                .into_iter()
                .map(|Hit { item, score }| ResultItem {
                    item,
                    score: self.score(score, text),
                })
                .collect(),
            Some(m) => {
                let mut all: Vec<ResultItem> = self
                    .index
                    .top_k(embedding, self.index.len(), Metric::ExpL2)?
                    .into_iter()
                    .map(|Hit { item, score }| {
                        let label = &self.index.items[item].label;
                        let tag = self
                            .classes
                            .binary_search(label)
                            .map_or(0.0, |ci| m.per_class[ci]);
                        ResultItem {
                            item,
                            score: with_tags(self.score(score, text), tag, m.words),
                        }
                    })
                    .collect();
                // Stable: equal scores keep the model's order.
                all.sort_by(|a, b| b.score.total_cmp(&a.score));
                all.truncate(top);
                all
            }
        })
    }

    /// `tokens`: a text query's words (`None` for audio queries).
    fn answer(&self, embedding: Vec<f32>, top: usize, tokens: Option<&[String]>) -> Result<Answer> {
        self.answer_without(embedding, None, top, tokens, &[])
    }

    /// [`Engine::answer`] leaving out the sounds and labels of classes named by `excluded`; the
    /// words are those nearest `words_at` (a text query's text-branch point), else `embedding`.
    fn answer_without(
        &self,
        embedding: Vec<f32>,
        words_at: Option<&[f32]>,
        top: usize,
        tokens: Option<&[String]>,
        excluded: &[String],
    ) -> Result<Answer> {
        let tags = tokens.and_then(|t| self.tags_of(t));
        let out = self.excluded_classes(excluded);
        let results = self.results(&embedding, top, tokens.is_some(), tags.as_ref(), &out)?;
        let dim = self.model.output_dim();
        // A text query's labels are ranked as its results are: classes its words name first
        // (tags), then the model's order; without tags, the nearest labels in the joint space.
        let n_labels = if tags.is_some() || !out.is_empty() {
            self.text_classes.len()
        } else {
            KNN_K
        };
        let mut labels: Vec<Ranked> =
            top_k(&self.class_joint, dim, &embedding, n_labels, Metric::ExpL2)
                .into_iter()
                .map(|h| {
                    let ci = self.text_classes[h.item];
                    let p = self.score(h.score, true);
                    Ranked {
                        name: self.classes[ci].clone(),
                        score: tags
                            .as_ref()
                            .map_or(p, |m| with_tags(p, m.per_class[ci], m.words)),
                    }
                })
                .collect();
        if !out.is_empty() {
            labels.retain(|l| !self.classes.binary_search(&l.name).is_ok_and(|ci| out[ci]));
        }
        if tags.is_some() {
            // Stable: equal scores keep the model's order.
            labels.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        labels.truncate(KNN_K);
        let words = self.words(words_at.unwrap_or(&embedding), &labels, 10)?;
        Ok(Answer {
            embedding,
            results,
            labels,
            words,
            unknown_words: Vec::new(),
            corrected: Vec::new(),
            searched_as: None,
            tokens: tokens.map(<[String]>::to_vec).unwrap_or_default(),
            tagged: tags.is_some(),
            excluded: excluded.to_vec(),
        })
    }

    /// Open-vocabulary words for a joint-space point, given its ranked labels.
    fn words(&self, embedding: &[f32], labels: &[Ranked], top: usize) -> Result<Vec<Ranked>> {
        let dim = self.model.output_dim();
        let mut scored: Vec<(usize, f32)> = Vec::new();
        for l in labels.iter().take(LABELS_FOR_WORDS) {
            let Some(ci) = self.classes.iter().position(|c| *c == l.name) else {
                continue;
            };
            let cw = self.class_words(ci)?;
            for (k, &w) in cw.words.iter().enumerate() {
                if scored.iter().any(|&(seen, _)| seen == w) {
                    continue;
                }
                let v = &cw.joint[k * dim..(k + 1) * dim];
                scored.push((w, crate::model::similarity(embedding, v)));
            }
        }
        // Best first; ties by vocabulary row (frequency order) so the order is stable.
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(top);
        Ok(scored
            .into_iter()
            .map(|(w, score)| Ranked {
                name: self.vocab.words()[w].clone(),
                score,
            })
            .collect())
    }

    /// Computes (once) the candidate words of class `ci` and their joint embeddings. The app
    /// calls it for every class in idle time after loading, so queries find them ready.
    pub fn warm_words(&self, ci: usize) -> Result<()> {
        if ci < self.classes.len() {
            self.class_words(ci)?;
        }
        Ok(())
    }

    fn class_words(&self, ci: usize) -> Result<&ClassWords> {
        if let Some(cw) = self.word_cache[ci].get() {
            return Ok(cw);
        }
        let d = self.vocab.dim();
        let Ok(row) = self.text_classes.binary_search(&ci) else {
            // No text vector: no candidate words.
            let none = ClassWords {
                words: Vec::new(),
                joint: Vec::new(),
            };
            return Ok(self.word_cache[ci].get_or_init(|| none));
        };
        let g = &self.class_glove[row * d..(row + 1) * d];
        let words: Vec<usize> = self
            .vocab
            .nearest(g, WORD_CANDIDATES_PER_LABEL)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        let mut rows = Vec::with_capacity(words.len() * d);
        for &i in &words {
            let v = self.vocab.row(i);
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            rows.extend(v.iter().map(|x| if n > 0.0 { x / n } else { 0.0 }));
        }
        // Through the text branch alone: the prior would pull every candidate word of a class
        // onto its label's point, and the words shown for a sound would no longer tell apart
        // (docs/results.md, "Sounds like" words: 0.70 of test clips named against 0.47).
        let joint = if words.is_empty() {
            Vec::new()
        } else {
            self.model.embed_text(&rows)?
        };
        Ok(self.word_cache[ci].get_or_init(|| ClassWords { words, joint }))
    }
}

#[cfg(test)]
mod tests {
    use super::split_exclusions;

    #[test]
    fn exclusions_are_words_written_with_a_leading_minus() {
        let (q, x) = split_exclusions("drum -snare  -hi-hat kick");
        assert_eq!(q, "drum kick");
        assert_eq!(x, ["snare", "hi-hat"]);
        assert_eq!(
            split_exclusions("hi-hat - -- -5 x"),
            ("hi-hat - -- x".into(), vec!["5".into()])
        );
        assert_eq!(split_exclusions(""), (String::new(), vec![]));
    }
}
