//! A model fitted to a clip-vector file: its splits and class texts, the training on the train
//! split (validation scored after every epoch) and the score calibration fitted on validation.

use std::collections::BTreeMap;

use earshot_core::Vocabulary;
use earshot_core::{floor_between, Affinity, Calibration, Logistic, TextPrior};
use earshot_core::{l2, Model};
use earshot_core::{Engine, Index};

use crate::measures::{text_scores, TextQuery};

/// The split name of validation clips in the features file.
pub const VALIDATION: &str = "validation";

/// Clip vectors and labels of one split.
pub struct SplitData {
    pub vectors: Vec<f32>,
    pub labels: Vec<String>,
}

pub fn split(features: &Index, name: &str) -> SplitData {
    let mut vectors = Vec::new();
    let mut labels = Vec::new();
    for (i, item) in features.items.iter().enumerate() {
        if item.split == name {
            vectors.extend_from_slice(features.vector(i));
            labels.push(item.label.clone());
        }
    }
    SplitData { vectors, labels }
}

/// The classes (sorted) and their unit text vectors.
pub fn class_texts(
    labels: &[String],
    vocab: &Vocabulary,
) -> anyhow::Result<(Vec<String>, Vec<f32>)> {
    let mut classes: Vec<String> = labels.to_vec();
    classes.sort();
    classes.dedup();
    let mut texts = Vec::new();
    for c in &classes {
        let v = vocab
            .embed(c)
            .map_err(|e| anyhow::anyhow!("label {c:?}: {e}"))?;
        texts.extend_from_slice(&v.vector);
    }
    Ok((classes, texts))
}

/// Words that mean a class beyond its label (`crates/cli/eval/class-words.csv`, columns
/// `word,class,split,…`): the text prior's anchors (`train`) and the words its weight and
/// sharpness are chosen on (`validation`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassWords {
    pub train: Vec<TextQuery>,
    pub validation: Vec<TextQuery>,
}

impl ClassWords {
    pub fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let bytes = crate::files::read_bytes(path)?;
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let mut out = Self::default();
        for record in reader.records() {
            let record = record.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let line = record.position().map_or(0, |p| p.line());
            let (Some(word), Some(class), Some(split)) =
                (record.get(0), record.get(1), record.get(2))
            else {
                anyhow::bail!("{} line {line}: expected word,class,split", path.display());
            };
            let q = TextQuery {
                text: word.into(),
                class: class.into(),
            };
            match split {
                "train" => out.train.push(q),
                VALIDATION => out.validation.push(q),
                other => anyhow::bail!("{} line {line}: unknown split {other:?}", path.display()),
            }
        }
        Ok(out)
    }

    /// Every word (both splits) by class, as a model's [`TextPrior::words`].
    pub fn by_class(&self) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for q in self.train.iter().chain(&self.validation) {
            out.entry(q.class.clone()).or_default().push(q.text.clone());
        }
        out
    }
}

/// The weights and sharpnesses [`fit_text_prior`] tries.
const PRIOR_WEIGHTS: [f32; 6] = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0];
const PRIOR_SHARPNESS: [f32; 4] = [10.0, 20.0, 40.0, 80.0];
/// The affinity weights and sharpnesses it tries with an affinity table.
const AFFINITY_WEIGHTS: [f32; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];
const AFFINITY_SHARPNESS: [f32; 4] = [10.0, 20.0, 40.0, 80.0];

/// An affinity table (`scripts/vocab/affinity.py`): a JSON object of class label →
/// `"word:cos100 word:cos100 …"` ([`Affinity::words`]).
pub fn read_affinity(path: &std::path::Path) -> anyhow::Result<BTreeMap<String, String>> {
    let bytes = crate::files::read_bytes(path)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: not an affinity table ({e})", path.display()))
}

/// The text prior of `model` chosen on the validation split of `features`: every weight and
/// sharpness of a small grid (with `affinity`, a table of words' classes by a sentence model,
/// also every affinity weight and sharpness of [`AFFINITY_WEIGHTS`] × [`AFFINITY_SHARPNESS`],
/// its words weighing the same or by their cosine above [`Affinity::floor_of`]),
/// with the `train` words as anchors, scored by how many `validation` words and class names (as
/// typed) find a clip of their class first among the validation clips (the model alone, no
/// tags); ties keep the earlier (smaller) weights. The prior returned anchors every word of
/// `words`. `None` without validation clips or validation words of their classes.
pub fn fit_text_prior(
    model: &Model,
    vocab: &Vocabulary,
    features: &Index,
    words: &ClassWords,
    affinity: Option<&BTreeMap<String, String>>,
) -> anyhow::Result<Option<(TextPrior, f64)>> {
    let val = split(features, VALIDATION);
    if val.labels.is_empty() {
        return Ok(None);
    }
    let index = validation_index(model, features, None)?;
    let mut classes = val.labels.clone();
    classes.sort();
    classes.dedup();
    let present = |q: &&TextQuery| classes.binary_search(&q.class).is_ok();
    let mut queries: Vec<TextQuery> = words.validation.iter().filter(present).cloned().collect();
    if queries.is_empty() {
        return Ok(None);
    }
    queries.extend(classes.iter().map(|c| TextQuery {
        text: c.replace('_', " "),
        class: c.clone(),
    }));
    let mut anchors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in &words.train {
        anchors
            .entry(q.class.clone())
            .or_default()
            .push(q.text.clone());
    }
    let mut pulls: Vec<Option<Affinity>> = vec![None];
    if let Some(table) = affinity {
        for floor in [None, Affinity::floor_of(table)] {
            for weight in AFFINITY_WEIGHTS.into_iter().filter(|&w| w > 0.0) {
                for sharpness in AFFINITY_SHARPNESS {
                    pulls.push(Some(Affinity {
                        weight,
                        sharpness,
                        words: table.clone(),
                        floor,
                    }));
                }
            }
        }
    }
    let mut best: Option<(TextPrior, f64)> = None;
    for weight in PRIOR_WEIGHTS {
        for sharpness in PRIOR_SHARPNESS {
            for pull in &pulls {
                let mut m = model.clone();
                m.text_prior = Some(TextPrior {
                    weight,
                    sharpness,
                    words: anchors.clone(),
                    affinity: pull.clone(),
                });
                let mut engine = Engine::new(m, vocab.clone(), index.clone())?;
                engine.tags = false;
                let top1 = text_scores(&engine, &queries).top1;
                if best.as_ref().is_none_or(|(_, b)| top1 > *b) {
                    best = Some((
                        TextPrior {
                            weight,
                            sharpness,
                            words: words.by_class(),
                            affinity: pull.clone(),
                        },
                        top1,
                    ));
                }
                if weight == 0.0 {
                    break; // nothing else matters without the pull
                }
            }
            if weight == 0.0 {
                break;
            }
        }
    }
    Ok(best)
}

/// The affinity tables of [`refit_prior`]: one to choose the weights with, one to ship.
#[derive(Clone, Copy)]
pub struct AffinityTables<'a> {
    pub fit: &'a BTreeMap<String, String>,
    pub ship: &'a BTreeMap<String, String>,
}

/// `model` with its text prior fitted again ([`fit_text_prior`]) and the floor of a text
/// query's best score fitted again with it ([`fit_text_floor`]); the network, and so every
/// audio embedding and the index, stay as they were. With `validation`, those words choose the
/// weights instead of the validation words of `words` (whose words, both splits, still anchor
/// the prior returned). `affinity.fit` chooses the affinity's weights (a table built with the
/// `train` words only, so that the validation words are not their own anchors); the prior
/// returned carries `affinity.ship` (built with every word), as it anchors every word.
pub fn refit_prior(
    model: &earshot_core::ModelJson,
    vocab: &Vocabulary,
    features: &Index,
    words: &ClassWords,
    validation: Option<&[TextQuery]>,
    affinity: Option<AffinityTables<'_>>,
) -> anyhow::Result<earshot_core::ModelJson> {
    let mut json = model.clone();
    json.text_prior = None;
    let stored = Model::from_parts(json.clone())?;
    let choice = ClassWords {
        train: words.train.clone(),
        validation: validation.map_or_else(|| words.validation.clone(), <[_]>::to_vec),
    };
    let fit = affinity.map(|a| a.fit);
    if let Some((mut prior, top1)) = fit_text_prior(&stored, vocab, features, &choice, fit)? {
        prior.words = words.by_class();
        if let (Some(a), Some(tables)) = (prior.affinity.as_mut(), affinity) {
            a.words = tables.ship.clone();
        }
        json.training["text_prior_validation_top1"] = serde_json::json!(top1);
        json.text_prior = Some(prior);
    }
    let stored = Model::from_parts(json.clone())?;
    let floor = fit_text_floor(&stored, vocab, features)?;
    if let Some(c) = json.calibration.as_mut() {
        c.text_floor = floor;
    }
    Ok(json)
}

/// Train `cfg` on the train split of `features` (class texts from `vocab`); returns the model JSON
/// (tensors packed as `dtype`) and the classes. With `words`, the model gets a text prior fitted
/// on the validation split ([`fit_text_prior`]). With `copies`, each train clip's augmented
/// copies take its place at random while training (only the train split's: validation and
/// every other split keep out of training, copies included).
pub fn train_model(
    cfg: &crate::train::TrainConfig,
    features: &Index,
    vocab: &Vocabulary,
    dtype: &str,
    words: Option<&ClassWords>,
    copies: Option<&crate::augment::Copies>,
) -> anyhow::Result<(earshot_core::ModelJson, Vec<String>)> {
    let tr = split(features, "train");
    let train_copies = copies.map_or_else(Vec::new, |c| c.for_split(features, "train"));
    let (classes, class_text) = class_texts(&tr.labels, vocab)?;
    let labels: Vec<usize> = tr
        .labels
        .iter()
        .filter_map(|l| classes.iter().position(|c| c == l))
        .collect();
    // Validation clips of classes the training sees, scored after every epoch.
    let va = split(features, VALIDATION);
    let (mut val_vectors, mut val_labels) = (Vec::new(), Vec::new());
    for (row, l) in va.vectors.chunks_exact(features.dim).zip(&va.labels) {
        if let Some(c) = classes.iter().position(|c| c == l) {
            val_vectors.extend_from_slice(row);
            val_labels.push(c);
        }
    }
    // Each class's train words (the validation words choose the text prior, never trained on).
    let mut class_words = vec![Vec::new(); classes.len()];
    for q in words.map_or(&[][..], |w| &w.train[..]) {
        if let (Ok(ci), Ok(v)) = (classes.binary_search(&q.class), vocab.embed(&q.text)) {
            class_words[ci].extend_from_slice(&v.vector);
        }
    }
    let data = crate::train::TrainData {
        audio: &tr.vectors,
        audio_dim: features.dim,
        labels: &labels,
        class_text: &class_text,
        class_words: &class_words,
        copies: &train_copies,
        text_dim: vocab.dim(),
        audio_feature: crate::corpus::feature_name(features),
        audio_pca: crate::corpus::feature_projection(features)?,
        audio_weights: crate::corpus::feature_weights(features),
        text_feature: "glove-6b-50d".into(),
        validation: (!val_labels.is_empty()).then_some((&val_vectors[..], &val_labels[..])),
    };
    let mut json = crate::train::train(cfg, &data, dtype, true)?;
    json.training["class_labels"] = serde_json::json!(classes);
    // Scores shown as probabilities, fitted on the validation split with the stored weights.
    let stored = Model::from_parts(json.clone())?;
    json.calibration = fit_calibration(&stored, vocab, features)?;
    if let Some(words) = words {
        if let Some((prior, top1)) = fit_text_prior(&stored, vocab, features, words, None)? {
            json.training["text_prior_validation_top1"] = serde_json::json!(top1);
            json.text_prior = Some(prior);
        }
    }
    // The floor of a text query's best score, with the prior in place (it moves text queries).
    let stored = Model::from_parts(json.clone())?;
    if let (Some(c), Some(floor)) = (
        json.calibration.as_mut(),
        fit_text_floor(&stored, vocab, features)?,
    ) {
        c.text_floor = Some(floor);
    }
    Ok((json, classes))
}

/// The validation split of `features` as an index of `model`'s embeddings, less the clips of
/// `without` (a class).
fn validation_index(
    model: &Model,
    features: &Index,
    without: Option<&str>,
) -> anyhow::Result<Index> {
    let keep: Vec<usize> = (0..features.len())
        .filter(|&i| {
            let it = &features.items[i];
            it.split == VALIDATION && without != Some(it.label.as_str())
        })
        .collect();
    let items = keep.iter().map(|&i| features.items[i].clone()).collect();
    let vectors: Vec<f32> = keep
        .iter()
        .flat_map(|&i| features.vector(i).iter().copied())
        .collect();
    Ok(Index::new(
        items,
        model.output_dim(),
        model.embed_audio(&vectors)?,
    )?)
}

/// [`Calibration::text_floor`] of a calibrated `model`: each class name with validation clips is
/// searched over the validation clips (its best score when the collection has the class) and
/// over them without its own clips (when it has not), by the model alone; the threshold that
/// best tells the two apart ([`floor_between`]). `None` without a calibration or such classes.
pub fn fit_text_floor(
    model: &Model,
    vocab: &Vocabulary,
    features: &Index,
) -> anyhow::Result<Option<f32>> {
    if model.calibration.is_none() {
        return Ok(None);
    }
    let mut classes: Vec<String> = split(features, VALIDATION).labels;
    classes.sort();
    classes.dedup();
    if classes.len() < 2 {
        return Ok(None);
    }
    let best = |index: Index, query: &str| -> anyhow::Result<Option<f32>> {
        let mut engine = Engine::new(model.clone(), vocab.clone(), index)?;
        engine.tags = false;
        Ok(engine
            .text_results(query, 1)
            .ok()
            .and_then(|r| r.first().map(|r| r.score)))
    };
    let full = validation_index(model, features, None)?;
    let (mut present, mut absent) = (Vec::new(), Vec::new());
    for c in &classes {
        let name = c.replace('_', " ");
        present.extend(best(full.clone(), &name)?);
        absent.extend(best(validation_index(model, features, Some(c))?, &name)?);
    }
    Ok(floor_between(&present, &absent))
}

/// Score calibration of `model` fitted on the validation split of `features`: text→audio on
/// every (class label, validation clip) pair, audio→audio on every (validation clip, train clip)
/// pair. `None` without validation clips of the training's classes.
pub fn fit_calibration(
    model: &Model,
    vocab: &Vocabulary,
    features: &Index,
) -> anyhow::Result<Option<Calibration>> {
    let train = split(features, "train");
    let val = split(features, VALIDATION);
    let (classes, class_text) = class_texts(&train.labels, vocab)?;
    if val.labels.is_empty() || train.labels.is_empty() {
        return Ok(None);
    }
    let dim = model.output_dim();
    let tr = model.embed_audio(&train.vectors)?;
    let va = model.embed_audio(&val.vectors)?;
    let te = model.embed_text(&class_text)?;
    let (mut d, mut same) = (Vec::new(), Vec::new());
    for (t, c) in te.chunks_exact(dim).zip(&classes) {
        for (v, l) in va.chunks_exact(dim).zip(&val.labels) {
            d.push(l2(t, v));
            same.push(l == c);
        }
    }
    let Some(text_audio) = Logistic::fit(&d, &same) else {
        return Ok(None);
    };
    let (mut d, mut same) = (Vec::new(), Vec::new());
    for (v, lv) in va.chunks_exact(dim).zip(&val.labels) {
        for (r, lr) in tr.chunks_exact(dim).zip(&train.labels) {
            d.push(l2(v, r));
            same.push(lv == lr);
        }
    }
    let Some(audio_audio) = Logistic::fit(&d, &same) else {
        return Ok(None);
    };
    Ok(Some(Calibration {
        text_audio,
        audio_audio,
        text_floor: None,
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("earshot-{name}-{}.csv", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn an_affinity_table_is_read_as_class_to_words() {
        let p = write(
            "affinity",
            r#"{"Bleat":"sheep:71 ewe:66","Cow":"sheep:68"}"#,
        );
        let t = read_affinity(&p).unwrap();
        assert_eq!(t["Bleat"], "sheep:71 ewe:66");
        // The floor is the lowest best cosine: ewe's 0.66 (sheep's best is 0.71).
        assert_eq!(Affinity::floor_of(&t), Some(0.66));
        assert_eq!(Affinity::floor_of(&BTreeMap::new()), None);
        let a = Affinity {
            weight: 1.0,
            sharpness: 40.0,
            words: t,
            floor: None,
        };
        let rows = a.table(|c| ["Bleat", "Cow"].iter().position(|x| *x == c));
        assert_eq!(rows["sheep"], vec![(0, 0.71), (1, 0.68)]);
        let bad = write("affinity-bad", "word,class\nsheep,Bleat\n");
        let e = read_affinity(&bad).unwrap_err().to_string();
        assert!(e.contains("not an affinity table"), "{e}");
        for f in [p, bad] {
            let _ = std::fs::remove_file(f);
        }
    }

    #[test]
    fn class_words_are_read_by_split_and_grouped_by_class() {
        let p = write(
            "class-words",
            "word,class,split,cosine\nwarbler,Bird,train,0.7\nheron,Bird,validation,0.6\ngale,Wind,train,0.8\n",
        );
        let w = ClassWords::read(&p).unwrap();
        assert_eq!(w.train.len(), 2);
        assert_eq!(w.validation[0].text, "heron");
        let by = w.by_class();
        assert_eq!(by["Bird"], ["warbler", "heron"]);
        assert_eq!(by["Wind"], ["gale"]);
        let bad = write("class-words-bad", "word,class,split\nwarbler,Bird,test\n");
        let e = ClassWords::read(&bad).unwrap_err().to_string();
        assert!(e.contains("unknown split"), "{e}");
        let short = write("class-words-short", "word,class,split\nwarbler,Bird\n");
        assert!(ClassWords::read(&short).is_err());
        for f in [p, bad, short] {
            let _ = std::fs::remove_file(f);
        }
    }
}
