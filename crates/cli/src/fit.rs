//! A model fitted to a clip-vector file: its splits and class texts, the training on the train
//! split (validation scored after every epoch) and the score calibration fitted on validation.

use earshot_core::Index;
use earshot_core::Vocabulary;
use earshot_core::{l2, Model};
use earshot_core::{Calibration, Logistic};

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

/// Train `cfg` on the train split of `features` (class texts from `vocab`); returns the model JSON
/// (tensors packed as `dtype`) and the classes.
pub fn train_model(
    cfg: &crate::train::TrainConfig,
    features: &Index,
    vocab: &Vocabulary,
    dtype: &str,
) -> anyhow::Result<(earshot_core::ModelJson, Vec<String>)> {
    let tr = split(features, "train");
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
    let data = crate::train::TrainData {
        audio: &tr.vectors,
        audio_dim: features.dim,
        labels: &labels,
        class_text: &class_text,
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
    Ok((json, classes))
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
    }))
}
