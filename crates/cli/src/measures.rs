//! Measures a user would recognise (docs/results.md, "Measures a user would recognise"):
//!
//! - text queries over the shipped index (every corpus clip, as `pkg/index.bin` holds): each
//!   class name, the one-word list and the phrase list; top-1 (the first result is of the meant
//!   class) and precision@10, by the model alone and with the bundled sounds' labels as tags;
//! - leave-one-package-out: train without one source package, then search that package's clips
//!   as an unlabelled library, beside plain cosine kNN on the input features;
//! - "sounds like" words: each test clip against an index of the other splits' clips, whether a
//!   word of its class (the label's words, the text prior's words of that class) is among the
//!   first five words shown.

use earshot_core::Engine;
use earshot_core::Vocabulary;
use earshot_core::{
    average_precision, average_precision_at_k, knn_ranking, precision_at_k, weighted_mean,
};
use earshot_core::{l2, Model};
use earshot_core::{top_k, Index, Metric, KNN_K};
use serde::Serialize;

use crate::fit::{class_texts, train_model};

/// Precision is taken over this many first results.
pub const PRECISION_AT: usize = 10;

/// A text query and the class a user means by it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextQuery {
    pub text: String,
    pub class: String,
}

/// Read a two-column CSV (`word,class` or `phrase,class`, any header). Queries of classes the
/// features do not hold are returned apart (a list written for a larger corpus still runs).
pub fn read_queries(
    path: &std::path::Path,
    classes: &[String],
) -> anyhow::Result<(Vec<TextQuery>, Vec<TextQuery>)> {
    let bytes = crate::files::read_bytes(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&bytes[..]);
    let (mut known, mut absent) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let (Some(text), Some(class), None) = (record.get(0), record.get(1), record.get(2)) else {
            anyhow::bail!("{} line {line}: expected two columns", path.display());
        };
        anyhow::ensure!(
            !text.trim().is_empty(),
            "{} line {line}: empty query",
            path.display()
        );
        let q = TextQuery {
            text: text.into(),
            class: class.into(),
        };
        if classes.iter().any(|c| c == class) {
            known.push(q);
        } else {
            absent.push(q);
        }
    }
    anyhow::ensure!(!known.is_empty(), "{}: no queries", path.display());
    Ok((known, absent))
}

/// How a list of text queries fares over an index.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TextScores {
    /// Queries run (those with no known word count as misses).
    pub queries: usize,
    /// Share of queries whose first result is of the meant class.
    pub top1: f64,
    /// Mean share of the first 10 results that are of the meant class.
    pub precision_at_10: f64,
    /// The queries whose first result is of another class: `query → label of the first`.
    pub misses: Vec<String>,
}

/// [`TextScores`] of `queries` through `engine` (its `tags` setting decides whether labels
/// take part).
pub fn text_scores(engine: &Engine, queries: &[TextQuery]) -> TextScores {
    let (mut top1, mut p10, mut misses) = (0usize, 0.0f64, Vec::new());
    for q in queries {
        let labels: Vec<&str> = match engine.text_results(&q.text, PRECISION_AT) {
            Ok(results) => results
                .iter()
                .map(|r| engine.index.items[r.item].label.as_str())
                .collect(),
            Err(_) => Vec::new(),
        };
        if labels.first() == Some(&q.class.as_str()) {
            top1 += 1;
        } else {
            misses.push(format!(
                "{} → {}",
                q.text,
                labels.first().copied().unwrap_or("(no known word)")
            ));
        }
        p10 += precision_at_k(&labels, &q.class, PRECISION_AT);
    }
    let n = queries.len().max(1) as f64;
    TextScores {
        queries: queries.len(),
        top1: top1 as f64 / n,
        precision_at_10: p10 / n,
        misses,
    }
}

/// The same list by the model alone and with the bundled labels as tags.
#[derive(Debug, Clone, Serialize)]
pub struct Both {
    pub model: TextScores,
    pub with_tags: TextScores,
    /// Queries of classes these features do not hold (not run).
    pub absent: usize,
}

/// Text queries over the shipped index of one model.
#[derive(Debug, Clone, Serialize)]
pub struct TextQueries {
    /// Each class label as typed (underscores as spaces: "Snare drum").
    pub class_names: Both,
    pub words: Both,
    pub phrases: Both,
    pub sounds_like: SoundsLike,
}

/// How often the words shown for a held-out sound name its class.
#[derive(Debug, Clone, Serialize)]
pub struct SoundsLike {
    /// Test clips queried.
    pub clips: usize,
    /// Share of them with a word of their class among the first [`SOUNDS_LIKE_AT`] words.
    pub top5: f64,
}

/// Words counted by [`sounds_like`].
pub const SOUNDS_LIKE_AT: usize = 5;

/// [`SoundsLike`] of `model`: every test clip of `all` (every corpus clip embedded by `model`,
/// [`shipped_index`]) queries an index of the train and validation clips (so it never finds
/// itself); a word counts when its stem ([`earshot_core::stem`]) is that of a word of the clip's
/// label or of the text prior's words for the label.
pub fn sounds_like(model: &Model, vocab: &Vocabulary, all: &Index) -> anyhow::Result<SoundsLike> {
    let keep: Vec<usize> = (0..all.len())
        .filter(|&i| all.items[i].split != "test")
        .collect();
    let vectors: Vec<f32> = keep.iter().flat_map(|&i| all.vector(i).to_vec()).collect();
    let items = keep.iter().map(|&i| all.items[i].clone()).collect();
    let engine = Engine::new(
        model.clone(),
        vocab.clone(),
        Index::new(items, all.dim, vectors)?,
    )?;
    let prior_words = model.text_prior.as_ref().map(|p| &p.words);
    let (mut clips, mut hits) = (0usize, 0usize);
    for (i, item) in all.items.iter().enumerate() {
        if item.split != "test" {
            continue;
        }
        let mut meant: Vec<String> = item
            .label
            .split(['_', ' '])
            .map(|w| earshot_core::stem(&w.to_lowercase()))
            .collect();
        if let Some(words) = prior_words.and_then(|p| p.get(&item.label)) {
            meant.extend(words.iter().map(|w| earshot_core::stem(w)));
        }
        let answer = engine.search_embedding(all.vector(i), 1)?;
        clips += 1;
        if answer
            .words
            .iter()
            .take(SOUNDS_LIKE_AT)
            .any(|w| meant.contains(&earshot_core::stem(&w.name)))
        {
            hits += 1;
        }
    }
    Ok(SoundsLike {
        clips,
        top5: hits as f64 / clips.max(1) as f64,
    })
}

/// Every clip of `features` embedded by `model`, as the shipped index holds them.
pub fn shipped_index(model: &Model, features: &Index) -> anyhow::Result<Index> {
    let raw: Vec<f32> = (0..features.len())
        .flat_map(|i| features.vector(i).iter().copied())
        .collect();
    let vectors = model.embed_audio(&raw)?;
    Ok(Index::new(
        features.items.clone(),
        model.output_dim(),
        vectors,
    )?)
}

fn both(engine: &mut Engine, queries: &[TextQuery], absent: usize) -> Both {
    engine.tags = false;
    let model = text_scores(engine, queries);
    engine.tags = true;
    let with_tags = text_scores(engine, queries);
    Both {
        model,
        with_tags,
        absent,
    }
}

/// [`TextQueries`] of `model` (class names, the word list and the phrase list).
pub fn text_queries(
    model: &Model,
    vocab: &Vocabulary,
    features: &Index,
    words: &std::path::Path,
    phrases: &std::path::Path,
) -> anyhow::Result<TextQueries> {
    let index = shipped_index(model, features)?;
    let mut engine = Engine::new(model.clone(), vocab.clone(), index)?;
    let classes = engine.classes.clone();
    let names: Vec<TextQuery> = classes
        .iter()
        .map(|c| TextQuery {
            text: c.replace('_', " "),
            class: c.clone(),
        })
        .collect();
    let (w, w_absent) = read_queries(words, &classes)?;
    let (p, p_absent) = read_queries(phrases, &classes)?;
    Ok(TextQueries {
        class_names: both(&mut engine, &names, 0),
        words: both(&mut engine, &w, w_absent.len()),
        phrases: both(&mut engine, &p, p_absent.len()),
        sounds_like: sounds_like(model, vocab, &engine.index)?,
    })
}

/// One held-out package of a leave-one-package-out run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Package {
    pub source: String,
    /// Its clips of classes the training saw (the queries and the library).
    pub clips: usize,
    /// Joint space: each clip against the class labels, MAP@3 (as Table 2's audio→text).
    pub audio_text_joint: f64,
    /// Each clip against the other packages' clips, labels of the 25 nearest vote, MAP@3:
    /// in the joint space, and by cosine on the input features (plain kNN, no training).
    pub audio_audio_joint: f64,
    pub audio_audio_direct: f64,
    /// The package searched as an unlabelled library by each of its class names: average
    /// precision over all its clips, the mean over classes weighted by their clips. Joint: the
    /// label's text embedding ranks the clips. Direct: each clip's mean cosine to its 5 nearest
    /// clips of that class in the other packages (plain kNN on the input features).
    pub text_audio_ap_joint: f64,
    pub text_audio_ap_direct: f64,
}

/// [`Package`]s of a run and their clip-weighted means.
#[derive(Debug, Clone, Serialize)]
pub struct Lopo {
    pub packages: Vec<Package>,
    pub clips: usize,
    pub audio_text_joint: f64,
    pub audio_audio_joint: f64,
    pub audio_audio_direct: f64,
    pub text_audio_ap_joint: f64,
    pub text_audio_ap_direct: f64,
}

impl Lopo {
    pub fn of(packages: Vec<Package>) -> Self {
        let w: Vec<usize> = packages.iter().map(|p| p.clips).collect();
        let mean =
            |f: fn(&Package) -> f64| weighted_mean(&packages.iter().map(f).collect::<Vec<_>>(), &w);
        Self {
            clips: w.iter().sum(),
            audio_text_joint: mean(|p| p.audio_text_joint),
            audio_audio_joint: mean(|p| p.audio_audio_joint),
            audio_audio_direct: mean(|p| p.audio_audio_direct),
            text_audio_ap_joint: mean(|p| p.text_audio_ap_joint),
            text_audio_ap_direct: mean(|p| p.text_audio_ap_direct),
            packages,
        }
    }
}

/// Clips nearest-first for a text query: average precision of `query`'s class among `labels`
/// ranked by `scores` (higher first; ties keep the clips' order).
fn ap_of_scores(scores: &[f32], labels: &[&str], class: &str) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let relevant: Vec<bool> = order.iter().map(|&i| labels[i] == class).collect();
    average_precision(&relevant)
}

/// Clips of `source` in `features` whose classes the other packages hold: the held-out rows and
/// the reference rows (every clip of every other package), as (vectors, labels).
pub struct Held {
    pub test: (Vec<f32>, Vec<String>),
    pub refs: (Vec<f32>, Vec<String>),
}

pub fn hold_out(features: &Index, source: &str) -> Held {
    let mut refs = (Vec::new(), Vec::new());
    let mut test = (Vec::new(), Vec::new());
    for (i, it) in features.items.iter().enumerate() {
        if it.source != source {
            refs.0.extend_from_slice(features.vector(i));
            refs.1.push(it.label.clone());
        }
    }
    for (i, it) in features.items.iter().enumerate() {
        if it.source == source && refs.1.contains(&it.label) {
            test.0.extend_from_slice(features.vector(i));
            test.1.push(it.label.clone());
        }
    }
    Held { test, refs }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Measures of one held-out package: `model` trained on `held.refs` only (raw clip vectors of
/// the model's input type), `vocab` for the class labels.
pub fn package_measures(
    source: &str,
    model: &Model,
    vocab: &Vocabulary,
    held: &Held,
    adim: usize,
) -> anyhow::Result<Package> {
    let (tv, tl) = (&held.test.0, strs(&held.test.1));
    let (rv, rl) = (&held.refs.0, strs(&held.refs.1));
    let (classes, class_text) = class_texts(&held.refs.1, vocab)?;
    let cl = strs(&classes);
    let jdim = model.output_dim();
    let tj = model.embed_audio(tv)?;
    let rj = model.embed_audio(rv)?;
    let cj = model.embed_text(&class_text)?;
    let n = tl.len();
    let map3 = |q: &[f32], refs: &[f32], ref_labels: &[&str], dim: usize, metric: Metric| {
        q.chunks_exact(dim)
            .zip(&tl)
            .map(|(x, truth)| {
                let r = knn_ranking(x, refs, ref_labels, dim, KNN_K, metric);
                average_precision_at_k(&r, truth, 3)
            })
            .sum::<f64>()
            / n.max(1) as f64
    };
    let audio_text_joint = map3(&tj, &cj, &cl, jdim, Metric::ExpL2);
    let audio_audio_joint = map3(&tj, &rj, &rl, jdim, Metric::ExpL2);
    let audio_audio_direct = map3(tv, rv, &rl, adim, Metric::Cosine);
    // Text→audio over the package as a library: one query per class it holds.
    let mut present: Vec<&str> = tl.clone();
    present.sort_unstable();
    present.dedup();
    let (mut joint, mut direct, mut weights) = (Vec::new(), Vec::new(), Vec::new());
    for class in present {
        let ci = classes.iter().position(|c| c == class);
        let Some(ci) = ci else { continue };
        let q = &cj[ci * jdim..(ci + 1) * jdim];
        let js: Vec<f32> = tj.chunks_exact(jdim).map(|x| -l2(q, x)).collect();
        joint.push(ap_of_scores(&js, &tl, class));
        // The class's clips in the other packages.
        let of_class: Vec<f32> = rv
            .chunks_exact(adim)
            .zip(&rl)
            .filter(|(_, l)| **l == class)
            .flat_map(|(v, _)| v.iter().copied())
            .collect();
        let ds: Vec<f32> = tv
            .chunks_exact(adim)
            .map(|x| {
                let hits = top_k(&of_class, adim, x, 5, Metric::Cosine);
                hits.iter().map(|h| h.score).sum::<f32>() / hits.len().max(1) as f32
            })
            .collect();
        direct.push(ap_of_scores(&ds, &tl, class));
        weights.push(tl.iter().filter(|&&l| l == class).count());
    }
    Ok(Package {
        source: source.into(),
        clips: n,
        audio_text_joint,
        audio_audio_joint,
        audio_audio_direct,
        text_audio_ap_joint: weighted_mean(&joint, &weights),
        text_audio_ap_direct: weighted_mean(&direct, &weights),
    })
}

/// Fewest held-out clips a package needs to be run.
pub const MIN_PACKAGE_CLIPS: usize = 20;

/// The packages of `features` with at least [`MIN_PACKAGE_CLIPS`] clips of classes the other
/// packages hold, largest first.
pub fn packages(features: &Index) -> Vec<(String, usize)> {
    let mut sources: Vec<String> = features.items.iter().map(|i| i.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let mut out: Vec<(String, usize)> = sources
        .into_iter()
        .map(|s| {
            let n = hold_out(features, &s).test.1.len();
            (s, n)
        })
        .filter(|(_, n)| *n >= MIN_PACKAGE_CLIPS)
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Train `cfg` without `source` (every split of every other package is training data) and
/// measure it on `source`'s clips.
pub fn run_package(
    cfg: &crate::train::TrainConfig,
    features: &Index,
    vocab: &Vocabulary,
    words: Option<&crate::fit::ClassWords>,
    copies: Option<&crate::augment::Copies>,
    source: &str,
) -> anyhow::Result<Package> {
    let mut feats = features.clone();
    for it in &mut feats.items {
        it.split = if it.source == source {
            "unused"
        } else {
            "train"
        }
        .into();
    }
    // The held-out package's clips are "unused", so their copies never train.
    let (json, _) = train_model(cfg, &feats, vocab, "f32", words, copies)?;
    let model = Model::from_parts(json)?;
    package_measures(
        source,
        &model,
        vocab,
        &hold_out(features, source),
        features.dim,
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ap_of_scores_ranks_by_score() {
        let labels = ["a", "b", "a", "b"];
        // a-clips score highest: AP 1.
        assert_eq!(ap_of_scores(&[0.9, 0.1, 0.8, 0.2], &labels, "a"), 1.0);
        // a-clips last: relevant at ranks 3 and 4.
        let ap = ap_of_scores(&[0.1, 0.9, 0.2, 0.8], &labels, "a");
        assert!((ap - (1.0 / 3.0 + 2.0 / 4.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn lopo_means_weigh_packages_by_clips() {
        let p = |clips, v| Package {
            source: "s".into(),
            clips,
            audio_text_joint: v,
            audio_audio_joint: v,
            audio_audio_direct: v,
            text_audio_ap_joint: v,
            text_audio_ap_direct: v,
        };
        let l = Lopo::of(vec![p(30, 1.0), p(10, 0.0)]);
        assert_eq!(l.clips, 40);
        assert_eq!(l.audio_text_joint, 0.75);
        assert_eq!(l.text_audio_ap_direct, 0.75);
    }

    #[test]
    fn hold_out_keeps_only_classes_the_other_packages_hold() {
        let items = |v: &[(&str, &str)]| {
            v.iter()
                .enumerate()
                .map(|(i, (label, source))| earshot_core::Item {
                    id: i.to_string(),
                    label: label.to_string(),
                    source: source.to_string(),
                    licence: String::new(),
                    preview: String::new(),
                    split: "train".into(),
                })
                .collect::<Vec<_>>()
        };
        let f = Index::new(
            items(&[("Dog", "p1"), ("Cat", "p1"), ("Dog", "p2"), ("Cow", "p2")]),
            1,
            vec![0.0, 1.0, 2.0, 3.0],
        )
        .unwrap();
        let h = hold_out(&f, "p1");
        assert_eq!(h.test.1, ["Dog"]);
        assert_eq!(h.test.0, [0.0]);
        assert_eq!(h.refs.1, ["Dog", "Cow"]);
        assert_eq!(h.refs.0, [2.0, 3.0]);
    }
}
