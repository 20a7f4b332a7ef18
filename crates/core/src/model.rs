//! The joint lexico-acoustic model: inference of the Siamese twin MLP from its JSON weights.
//!
//! The paper's network: shared weights, 300 → 1024 → 512 → 512 → 1024, ReLU between layers and a
//! linear output. Audio clip vectors (300-d) are standardised with the mean/std stored in the
//! model; text vectors (50-d GloVe, unit norm) enter either zero-padded to the audio size
//! (`"text_input": "zero-pad"`, every layer shared) or through a per-modality input layer
//! (`"per-modality"`: audio 300 → 1024 and text 50 → 1024, the rest shared). Similarity in the
//! joint space is `exp(−‖a − t‖₂)`.
//!
//! The JSON schema is documented in `pkg/README.md`. Tensors are either plain arrays
//! (`{"shape": [out, in], "values": [...]}`) or packed little-endian base64
//! (`{"shape": [...], "dtype": "f32" | "f16", "data": "..."}`, or `"dtype": "i8"` with a per-row
//! `"scale": [...]`: value = code × scale[row]).

use base64::Engine;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::pca::Pca;
use crate::{Error, Result};

pub const FORMAT: &str = "earshot-model";
pub const VERSION: u32 = 1;
/// Size of the aisfx CNN clip embedding ([`AudioKind::Walnet`]).
pub const WALNET_DIM: usize = 512;
/// The CNN's weights file that CNN models name by default, next to the model file.
pub const WALNET_WEIGHTS: &str = "walnet.safetensors";

/// How text vectors enter the shared network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextInput {
    ZeroPad,
    PerModality,
}

/// A tensor as stored in the JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TensorJson {
    pub shape: Vec<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Vec<f32>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DenseJson {
    pub name: String,
    pub weight: TensorJson,
    pub bias: TensorJson,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AudioJson {
    /// Audio feature type, e.g. "mfcc" (docs/interfaces.md §1 clip vector).
    pub feature: String,
    pub dim: usize,
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    /// A projection applied to the raw feature vector before the scaling (e.g. the 512-d CNN
    /// embedding reduced to `dim` by PCA fitted on the training clips).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pca: Option<PcaJson>,
    /// The feature network's weights (CNN features), a file name relative to the model file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<String>,
}

/// `y = components · (x − mean)`: `from` raw values to the model's audio `dim`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PcaJson {
    pub from: usize,
    pub mean: Vec<f32>,
    /// `dim` rows of `from` values.
    pub components: TensorJson,
}

/// How the model's audio input is computed from sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// The 300-d MFCC clip vector of docs/interfaces.md §1 (`earshot_core::features`).
    Mfcc,
    /// The aisfx CNN ("Walnet") clip embedding, 512-d (`earshot_core::cnn`, cargo feature `cnn`).
    Walnet,
}

impl AudioKind {
    /// The kind a feature name stands for: "mfcc", or "walnet…" (e.g. "walnet-pca300").
    pub fn of(feature: &str) -> Option<Self> {
        if feature == "mfcc" {
            Some(Self::Mfcc)
        } else if feature.starts_with("walnet") {
            Some(Self::Walnet)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TextJson {
    /// Text feature type, e.g. "glove-6b-50d".
    pub feature: String,
    pub dim: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelJson {
    pub format: String,
    pub version: u32,
    pub text_input: TextInput,
    pub audio: AudioJson,
    pub text: TextJson,
    /// Per-modality input layers (only with `per-modality`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_input: Option<DenseJson>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_input_layer: Option<DenseJson>,
    /// Shared layers, first to last; ReLU after every one but the last.
    pub layers: Vec<DenseJson>,
    /// Free-form record of how it was trained.
    #[serde(default)]
    pub training: serde_json::Value,
    /// Scores shown as probabilities fitted on the validation split (older models have none:
    /// their scores stay `exp(−d)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<crate::rank::Calibration>,
}

/// A dense layer: `y = W x + b`, `W` is out × in.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub weight: Array2<f32>,
    pub bias: Array1<f32>,
}

impl Dense {
    pub fn inputs(&self) -> usize {
        self.weight.ncols()
    }
    pub fn outputs(&self) -> usize {
        self.weight.nrows()
    }
    /// Rows of `x` are inputs.
    fn forward(&self, x: &Array2<f32>, relu: bool) -> Array2<f32> {
        let mut y = x.dot(&self.weight.t());
        y += &self.bias;
        if relu {
            y.mapv_inplace(|v| v.max(0.0));
        }
        y
    }
}

/// The loaded model.
#[derive(Debug, Clone)]
pub struct Model {
    pub text_input: TextInput,
    pub audio_feature: String,
    pub text_feature: String,
    pub audio_mean: Array1<f32>,
    pub audio_std: Array1<f32>,
    /// Applied to raw feature vectors before `audio_mean`/`audio_std` (see [`Model::reduce`]).
    pub audio_pca: Option<Pca>,
    /// The feature network's weights file, relative to the model file.
    pub audio_weights: Option<String>,
    /// Size of the text vectors (50 for GloVe 6B 50-d).
    pub text_dim: usize,
    pub audio_input: Option<Dense>,
    pub text_input_layer: Option<Dense>,
    pub layers: Vec<Dense>,
    pub training: serde_json::Value,
    pub calibration: Option<crate::rank::Calibration>,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::Invalid(format!("model: {}", msg.into()))
}

fn decode_tensor(t: &TensorJson, what: &str) -> Result<Vec<f32>> {
    let n: usize = t
        .shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad(format!("{what} is too large")))?;
    let values = match (&t.values, &t.data) {
        (Some(v), None) => v.clone(),
        (None, Some(data)) => {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data)
                .map_err(|e| bad(format!("{what} has invalid base64 ({e})")))?;
            match t.dtype.as_deref() {
                Some("f32") => bytes
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
                Some("f16") => bytes
                    .chunks_exact(2)
                    .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
                    .collect(),
                Some("i8") => {
                    let scale = t
                        .scale
                        .as_ref()
                        .ok_or_else(|| bad(format!("{what}: i8 data needs a scale")))?;
                    let rows = *t
                        .shape
                        .first()
                        .ok_or_else(|| bad(format!("{what} has no shape")))?;
                    if scale.len() != rows || rows == 0 || !bytes.len().is_multiple_of(rows) {
                        return Err(bad(format!(
                            "{what}: scale has {} entries for {rows} rows",
                            scale.len()
                        )));
                    }
                    let cols = bytes.len() / rows;
                    bytes
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| f32::from(b as i8) * scale[i / cols])
                        .collect()
                }
                other => return Err(bad(format!("{what} has unknown dtype {other:?}"))),
            }
        }
        _ => {
            return Err(bad(format!(
                "{what} needs exactly one of \"values\" or \"data\""
            )))
        }
    };
    if values.len() != n {
        return Err(bad(format!(
            "{what} has {} values but shape {:?}",
            values.len(),
            t.shape
        )));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(bad(format!("{what} has a non-finite value at {i}")));
    }
    Ok(values)
}

fn pca(p: &PcaJson, dim: usize) -> Result<Pca> {
    if p.from == 0 || p.mean.len() != p.from || p.components.shape != [dim, p.from] {
        return Err(bad(format!(
            "audio projection: {} means and components of shape {:?} for {} → {dim}",
            p.mean.len(),
            p.components.shape,
            p.from
        )));
    }
    if p.mean.iter().any(|v| !v.is_finite()) {
        return Err(bad("audio projection mean has non-finite values"));
    }
    let components = decode_tensor(&p.components, "audio projection components")?;
    Ok(Pca {
        dim: p.from,
        mean: p.mean.clone(),
        components,
        variance: Vec::new(),
        total_variance: 0.0,
    })
}

fn dense(d: &DenseJson, inputs: usize, outputs: Option<usize>) -> Result<Dense> {
    let what = format!("layer {}", d.name);
    let [rows, cols] = d.weight.shape[..] else {
        return Err(bad(format!(
            "{what}: weight must be 2-d, got shape {:?}",
            d.weight.shape
        )));
    };
    if cols != inputs || outputs.is_some_and(|o| o != rows) || rows == 0 {
        return Err(bad(format!(
            "{what}: weight is {rows}×{cols}, expected inputs {inputs}"
        )));
    }
    if d.bias.shape != [rows] {
        return Err(bad(format!(
            "{what}: bias shape {:?} does not match {rows} outputs",
            d.bias.shape
        )));
    }
    let w = decode_tensor(&d.weight, &format!("{what} weight"))?;
    let b = decode_tensor(&d.bias, &format!("{what} bias"))?;
    let weight = Array2::from_shape_vec((rows, cols), w).map_err(|e| bad(e.to_string()))?;
    Ok(Dense {
        weight,
        bias: Array1::from_vec(b),
    })
}

impl Model {
    /// Parse and validate the model JSON: format, version and every size are checked.
    pub fn from_json(json: &str) -> Result<Self> {
        let m: ModelJson =
            serde_json::from_str(json).map_err(|e| bad(format!("not valid model JSON ({e})")))?;
        Self::from_parts(m)
    }

    pub fn from_parts(m: ModelJson) -> Result<Self> {
        if m.format != FORMAT {
            return Err(bad(format!(
                "format is {:?}, expected {FORMAT:?}",
                m.format
            )));
        }
        if m.version != VERSION {
            return Err(bad(format!(
                "version {} is not supported (expected {VERSION})",
                m.version
            )));
        }
        let a = &m.audio;
        if a.dim == 0 || a.mean.len() != a.dim || a.std.len() != a.dim {
            return Err(bad(format!(
                "audio scaling has {} means and {} stds for {} dims",
                a.mean.len(),
                a.std.len(),
                a.dim
            )));
        }
        if a.mean.iter().chain(&a.std).any(|v| !v.is_finite()) || a.std.iter().any(|&s| s <= 0.0) {
            return Err(bad("audio scaling has non-finite or non-positive values"));
        }
        if m.text.dim == 0 || (m.text_input == TextInput::ZeroPad && m.text.dim > a.dim) {
            return Err(bad(format!(
                "text dim {} cannot enter a {}-d network",
                m.text.dim, a.dim
            )));
        }
        let audio_pca = m.audio.pca.as_ref().map(|p| pca(p, a.dim)).transpose()?;
        let raw_dim = audio_pca.as_ref().map_or(a.dim, |p| p.dim);
        if AudioKind::of(&a.feature) == Some(AudioKind::Walnet) {
            if raw_dim != WALNET_DIM {
                return Err(bad(format!(
                    "{} features are {}-d, the model takes {raw_dim}",
                    a.feature, WALNET_DIM
                )));
            }
            if m.audio.weights.as_deref().is_none_or(str::is_empty) {
                return Err(bad(format!("{} features need a weights file", a.feature)));
            }
        }
        if AudioKind::of(&a.feature) == Some(AudioKind::Mfcc) && audio_pca.is_some() {
            return Err(bad("mfcc features take no projection"));
        }
        let (audio_input, text_input_layer, mut width) = match m.text_input {
            TextInput::ZeroPad => {
                if m.audio_input.is_some() || m.text_input_layer.is_some() {
                    return Err(bad("zero-pad models have no per-modality input layers"));
                }
                (None, None, a.dim)
            }
            TextInput::PerModality => {
                let (Some(ai), Some(ti)) = (&m.audio_input, &m.text_input_layer) else {
                    return Err(bad(
                        "per-modality models need audio_input and text_input_layer",
                    ));
                };
                let ai = dense(ai, a.dim, None)?;
                let ti = dense(ti, m.text.dim, Some(ai.outputs()))?;
                let w = ai.outputs();
                (Some(ai), Some(ti), w)
            }
        };
        if m.layers.is_empty() {
            return Err(bad("no layers"));
        }
        if let Some(c) = &m.calibration {
            let v = [
                c.text_audio.a,
                c.text_audio.b,
                c.audio_audio.a,
                c.audio_audio.b,
            ];
            if v.iter().any(|x| !x.is_finite()) {
                return Err(bad("calibration has non-finite values"));
            }
        }
        let mut layers = Vec::with_capacity(m.layers.len());
        for l in &m.layers {
            let d = dense(l, width, None)?;
            width = d.outputs();
            layers.push(d);
        }
        Ok(Self {
            text_input: m.text_input,
            audio_feature: m.audio.feature,
            text_feature: m.text.feature,
            audio_mean: Array1::from_vec(m.audio.mean),
            audio_std: Array1::from_vec(m.audio.std),
            audio_pca,
            audio_weights: m.audio.weights,
            text_dim: m.text.dim,
            audio_input,
            text_input_layer,
            layers,
            training: m.training,
            calibration: m.calibration,
        })
    }

    pub fn audio_dim(&self) -> usize {
        self.audio_mean.len()
    }

    /// What the model's audio input is computed from, or an error naming a feature type this
    /// version does not compute.
    pub fn audio_kind(&self) -> Result<AudioKind> {
        AudioKind::of(&self.audio_feature).ok_or_else(|| {
            bad(format!(
                "audio feature {:?} is not one earshot computes (mfcc, walnet)",
                self.audio_feature
            ))
        })
    }

    /// Size of the raw feature vectors [`Model::reduce`] takes (the model's input size when it
    /// has no projection).
    pub fn raw_audio_dim(&self) -> usize {
        self.audio_pca.as_ref().map_or(self.audio_dim(), |p| p.dim)
    }

    /// Raw feature vectors (rows of [`Model::raw_audio_dim`] values) to the model's audio input
    /// (rows of [`Model::audio_dim`]): the stored projection, if any.
    pub fn reduce(&self, raw: &[f32]) -> Result<Vec<f32>> {
        match &self.audio_pca {
            Some(p) => p.project_rows(raw),
            None => Ok(raw.to_vec()),
        }
    }

    /// Size of the joint space.
    pub fn output_dim(&self) -> usize {
        self.layers.last().map_or(0, Dense::outputs)
    }

    fn shared(&self, mut x: Array2<f32>) -> Array2<f32> {
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            x = l.forward(&x, i < last);
        }
        x
    }

    fn check_rows(data: &[f32], dim: usize, what: &str) -> Result<usize> {
        if dim == 0 || !data.len().is_multiple_of(dim) || data.is_empty() {
            return Err(Error::Invalid(format!(
                "{what} input has {} values, not a multiple of {dim}",
                data.len()
            )));
        }
        if data.iter().any(|v| !v.is_finite()) {
            return Err(Error::Invalid(format!(
                "{what} input has non-finite values"
            )));
        }
        Ok(data.len() / dim)
    }

    /// Joint embeddings of clip vectors (rows of `clips`, `audio_dim` each), row-major.
    pub fn embed_audio(&self, clips: &[f32]) -> Result<Vec<f32>> {
        let dim = self.audio_dim();
        let n = Self::check_rows(clips, dim, "audio")?;
        let mut x = Array2::from_shape_vec((n, dim), clips.to_vec())
            .map_err(|e| Error::Invalid(e.to_string()))?;
        x -= &self.audio_mean;
        x /= &self.audio_std;
        if let Some(ai) = &self.audio_input {
            x = ai.forward(&x, true);
        }
        Ok(self.shared(x).into_raw_vec_and_offset().0)
    }

    /// Joint embeddings of text vectors (rows of `texts`, the text feature's dim each).
    pub fn embed_text(&self, texts: &[f32]) -> Result<Vec<f32>> {
        let tdim = self.text_dim;
        let n = Self::check_rows(texts, tdim, "text")?;
        let x = Array2::from_shape_vec((n, tdim), texts.to_vec())
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let x = match &self.text_input_layer {
            Some(ti) => ti.forward(&x, true),
            None => {
                let mut padded = Array2::<f32>::zeros((n, self.audio_dim()));
                padded.slice_mut(ndarray::s![.., ..tdim]).assign(&x);
                padded
            }
        };
        Ok(self.shared(x).into_raw_vec_and_offset().0)
    }
}

/// `exp(−‖a − b‖₂)`: the similarity of the joint space.
pub fn similarity(a: &[f32], b: &[f32]) -> f32 {
    (-l2(a, b)).exp()
}

pub fn l2(a: &[f32], b: &[f32]) -> f32 {
    crate::index::l2_squared(a, b).sqrt()
}

/// Pack a tensor for the JSON: `"f32"`, `"f16"`, `"i8"` (per-row scale) or `"plain"` values.
/// `values` as base64 of little-endian f32 (exact).
pub fn pack_f32(values: &[f32]) -> String {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The inverse of [`pack_f32`]; errors are short reasons.
pub fn unpack_f32(b64: &str) -> std::result::Result<Vec<f32>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("invalid base64: {e}"))?;
    if bytes.len() % 4 != 0 {
        return Err(format!("{} bytes are not whole f32 values", bytes.len()));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

pub fn pack_tensor(shape: &[usize], values: &[f32], dtype: &str) -> TensorJson {
    let b64 = |bytes: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut t = TensorJson {
        shape: shape.to_vec(),
        values: None,
        dtype: None,
        data: None,
        scale: None,
    };
    match dtype {
        "f32" => t.data = Some(b64(values.iter().flat_map(|v| v.to_le_bytes()).collect())),
        "f16" => {
            t.data = Some(b64(values
                .iter()
                .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
                .collect()))
        }
        "i8" if shape.len() == 2 && shape[0] > 0 => {
            let cols = values.len() / shape[0];
            let rows = values.chunks(cols.max(1));
            let scale: Vec<f32> = rows
                .clone()
                .map(|r| r.iter().fold(0.0f32, |m, v| m.max(v.abs())) / 127.0)
                .map(|s| if s > 0.0 { s } else { 1.0 })
                .collect();
            let codes = rows.zip(&scale).flat_map(|(r, s)| {
                r.iter()
                    .map(move |v| (v / s).round().clamp(-127.0, 127.0) as i8 as u8)
            });
            t.data = Some(b64(codes.collect()));
            t.scale = Some(scale);
        }
        _ => {
            t.values = Some(values.to_vec());
            return t;
        }
    }
    t.dtype = Some(dtype.into());
    t
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn layer(name: &str, rows: usize, cols: usize, seed: u32, dtype: &str) -> DenseJson {
        let w: Vec<f32> = (0..rows * cols)
            .map(|i| ((i as u32 + seed).wrapping_mul(2_654_435_761) >> 20) as f32 / 4096.0 - 0.5)
            .collect();
        let b: Vec<f32> = (0..rows).map(|i| 0.01 * i as f32 - 0.02).collect();
        DenseJson {
            name: name.into(),
            weight: pack_tensor(&[rows, cols], &w, dtype),
            bias: pack_tensor(&[rows], &b, "plain"),
        }
    }

    fn model_json(text_input: TextInput, dtype: &str) -> ModelJson {
        let (adim, tdim) = (6, 3);
        let (audio_input, text_input_layer, first_in) = match text_input {
            TextInput::ZeroPad => (None, None, adim),
            TextInput::PerModality => (
                Some(layer("audio_in", 5, adim, 1, dtype)),
                Some(layer("text_in", 5, tdim, 2, dtype)),
                5,
            ),
        };
        ModelJson {
            format: FORMAT.into(),
            version: VERSION,
            text_input,
            audio: AudioJson {
                feature: "mfcc".into(),
                dim: adim,
                mean: vec![0.5; adim],
                std: vec![2.0; adim],
                pca: None,
                weights: None,
            },
            text: TextJson {
                feature: "glove-6b-50d".into(),
                dim: tdim,
            },
            audio_input,
            text_input_layer,
            layers: vec![
                layer("l1", 4, first_in, 3, dtype),
                layer("out", 2, 4, 4, dtype),
            ],
            training: serde_json::Value::Null,
            calibration: None,
        }
    }

    #[test]
    fn calibration_is_optional_and_round_trips() {
        let j = model_json(TextInput::PerModality, "plain");
        let text = serde_json::to_string(&j).unwrap();
        assert!(!text.contains("calibration"), "absent when not fitted");
        assert!(Model::from_json(&text).unwrap().calibration.is_none());
        let mut j = j;
        let c = crate::rank::Calibration {
            text_audio: crate::rank::Logistic { a: 2.0, b: 0.5 },
            audio_audio: crate::rank::Logistic { a: 1.0, b: 0.25 },
        };
        j.calibration = Some(c);
        let m = Model::from_json(&serde_json::to_string(&j).unwrap()).unwrap();
        assert_eq!(m.calibration, Some(c));
        j.calibration = Some(crate::rank::Calibration {
            text_audio: crate::rank::Logistic {
                a: f32::NAN,
                b: 0.5,
            },
            ..c
        });
        // NaN does not survive JSON; an infinite-free check still refuses what serde lets in.
        let mut v = serde_json::to_value(&j).unwrap();
        v["calibration"]["text_audio"]["a"] = serde_json::json!(1e39);
        assert!(Model::from_json(&v.to_string()).is_err());
    }

    /// The forward pass written out by hand, for one input row.
    fn reference(m: &ModelJson, x: &[f32], audio: bool) -> Vec<f32> {
        let apply = |d: &DenseJson, x: &[f32], relu: bool| -> Vec<f32> {
            let w = decode_tensor(&d.weight, "w").unwrap();
            let b = decode_tensor(&d.bias, "b").unwrap();
            (0..b.len())
                .map(|o| {
                    let v = b[o] + (0..x.len()).map(|i| w[o * x.len() + i] * x[i]).sum::<f32>();
                    if relu {
                        v.max(0.0)
                    } else {
                        v
                    }
                })
                .collect()
        };
        let mut h: Vec<f32> = if audio {
            x.iter()
                .zip(&m.audio.mean)
                .zip(&m.audio.std)
                .map(|((v, mu), s)| (v - mu) / s)
                .collect()
        } else {
            x.to_vec()
        };
        match (&m.audio_input, &m.text_input_layer) {
            (Some(a), Some(t)) => h = apply(if audio { a } else { t }, &h, true),
            _ => h.resize(m.audio.dim, 0.0),
        }
        for (i, l) in m.layers.iter().enumerate() {
            h = apply(l, &h, i + 1 < m.layers.len());
        }
        h
    }

    #[test]
    fn forward_matches_the_written_out_network_for_both_text_inputs() {
        for ti in [TextInput::ZeroPad, TextInput::PerModality] {
            let j = model_json(ti, "plain");
            let m = Model::from_json(&serde_json::to_string(&j).unwrap()).unwrap();
            let audio = [0.3, -1.0, 2.0, 0.0, 5.0, -0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
            let got = m.embed_audio(&audio).unwrap();
            assert_eq!(got.len(), 4);
            for (row, x) in audio.chunks(6).enumerate() {
                for (g, r) in got[row * 2..row * 2 + 2].iter().zip(reference(&j, x, true)) {
                    assert!((g - r).abs() < 1e-5, "{ti:?} audio {g} vs {r}");
                }
            }
            let text = [0.6, 0.0, -0.8];
            let got = m.embed_text(&text).unwrap();
            for (g, r) in got.iter().zip(reference(&j, &text, false)) {
                assert!((g - r).abs() < 1e-5, "{ti:?} text {g} vs {r}");
            }
        }
    }

    #[test]
    fn packed_tensors_decode_to_the_same_network() {
        let plain = Model::from_parts(model_json(TextInput::PerModality, "plain")).unwrap();
        let x = [0.3, -1.0, 2.0, 0.0, 5.0, -0.7];
        let want = plain.embed_audio(&x).unwrap();
        for (dtype, tol) in [("f32", 0.0), ("f16", 2e-3), ("i8", 2e-2)] {
            let j = serde_json::to_string(&model_json(TextInput::PerModality, dtype)).unwrap();
            assert!(j.contains(&format!("\"dtype\":\"{dtype}\"")));
            let got = Model::from_json(&j).unwrap().embed_audio(&x).unwrap();
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= tol, "{dtype}: {g} vs {w}");
            }
        }
    }

    #[test]
    fn similarity_is_exp_of_minus_l2() {
        assert_eq!(similarity(&[1.0, 2.0], &[1.0, 2.0]), 1.0);
        assert!((similarity(&[0.0, 0.0], &[3.0, 4.0]) - (-5.0f32).exp()).abs() < 1e-9);
    }

    #[test]
    fn bad_models_are_clear_errors() {
        let base = || model_json(TextInput::PerModality, "plain");
        let err = |j: ModelJson| Model::from_parts(j).unwrap_err().to_string();
        let mut j = base();
        j.version = 7;
        assert!(err(j).contains("version 7"));
        let mut j = base();
        j.format = "onnx".into();
        assert!(err(j).contains("format"));
        let mut j = base();
        j.layers[1] = layer("out", 2, 3, 4, "plain"); // expects 4 inputs
        assert!(err(j).contains("layer out"));
        let mut j = base();
        j.audio.std[2] = 0.0;
        assert!(err(j).contains("scaling"));
        let mut j = base();
        j.layers[0].weight.values.as_mut().unwrap()[3] = f32::NAN;
        assert!(err(j).contains("non-finite"));
        let mut j = base();
        j.layers[0].weight.values.as_mut().unwrap().pop();
        assert!(err(j).contains("values but shape"));
        let mut j = base();
        j.text_input_layer = None;
        assert!(err(j).contains("per-modality"));
        let mut j = model_json(TextInput::PerModality, "f16");
        j.layers[0].weight.data = Some("!!not base64".into());
        assert!(err(j).contains("base64"));
        let text = serde_json::to_string(&base()).unwrap();
        assert!(Model::from_json(&text[..text.len() / 2])
            .unwrap_err()
            .to_string()
            .contains("not valid model JSON"));
        assert!(Model::from_json("").is_err());
    }

    #[test]
    fn bad_inputs_are_errors() {
        let m = Model::from_parts(model_json(TextInput::ZeroPad, "plain")).unwrap();
        assert!(m.embed_audio(&[]).is_err());
        assert!(m.embed_audio(&[1.0; 5]).is_err());
        assert!(m.embed_audio(&[f32::NAN; 6]).is_err());
        assert!(m.embed_text(&[1.0; 4]).is_err());
        assert_eq!(m.embed_text(&[1.0; 6]).unwrap().len(), 4);
    }

    /// A CNN model: raw 512-d vectors through a stored projection to the model's 6 inputs.
    fn walnet_json() -> ModelJson {
        let mut j = model_json(TextInput::PerModality, "plain");
        j.audio.feature = "walnet-pca6".into();
        j.audio.weights = Some("walnet.safetensors".into());
        let comps: Vec<f32> = (0..6 * WALNET_DIM)
            .map(|i| {
                if i % WALNET_DIM == i / WALNET_DIM * 7 {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        j.audio.pca = Some(PcaJson {
            from: WALNET_DIM,
            mean: (0..WALNET_DIM).map(|i| i as f32 / 100.0).collect(),
            components: pack_tensor(&[6, WALNET_DIM], &comps, "f32"),
        });
        j
    }

    #[test]
    fn a_cnn_model_projects_raw_vectors_with_its_stored_pca() {
        let m = Model::from_parts(walnet_json()).unwrap();
        assert_eq!(m.audio_kind().unwrap(), AudioKind::Walnet);
        assert_eq!((m.raw_audio_dim(), m.audio_dim()), (WALNET_DIM, 6));
        assert_eq!(m.audio_weights.as_deref(), Some("walnet.safetensors"));
        // Component r picks raw value 7r, minus the mean (7r / 100).
        let raw: Vec<f32> = (0..2 * WALNET_DIM).map(|i| (i % 50) as f32).collect();
        let x = m.reduce(&raw).unwrap();
        assert_eq!(x.len(), 12);
        for (row, chunk) in x.chunks(6).enumerate() {
            for (r, v) in chunk.iter().enumerate() {
                let want = raw[row * WALNET_DIM + 7 * r] - 7.0 * r as f32 / 100.0;
                assert!((v - want).abs() < 1e-5, "{row} {r}: {v} vs {want}");
            }
        }
        assert!(m.reduce(&raw[1..]).is_err());
        // The stored model survives a round trip through its JSON.
        let again = Model::from_json(&serde_json::to_string(&walnet_json()).unwrap()).unwrap();
        assert_eq!(again.reduce(&raw).unwrap(), x);
        // MFCC models take their vectors as they are.
        let mfcc = Model::from_parts(model_json(TextInput::PerModality, "plain")).unwrap();
        assert_eq!(mfcc.audio_kind().unwrap(), AudioKind::Mfcc);
        assert_eq!(mfcc.reduce(&[1.0; 6]).unwrap(), vec![1.0; 6]);
    }

    #[test]
    fn bad_feature_settings_are_clear_errors() {
        let err = |j: ModelJson| Model::from_parts(j).unwrap_err().to_string();
        let mut j = walnet_json();
        j.audio.weights = None;
        assert!(err(j).contains("need a weights file"));
        let mut j = walnet_json();
        j.audio.pca = None;
        assert!(err(j).contains("512-d, the model takes 6"));
        let mut j = walnet_json();
        if let Some(p) = j.audio.pca.as_mut() {
            p.mean.pop();
        }
        assert!(err(j).contains("audio projection"));
        let mut j = walnet_json();
        if let Some(p) = j.audio.pca.as_mut() {
            p.components.shape = vec![5, WALNET_DIM];
        }
        assert!(err(j).contains("audio projection"));
        let mut j = model_json(TextInput::PerModality, "plain");
        j.audio.pca = walnet_json().audio.pca;
        assert!(err(j).contains("mfcc features take no projection"));
        let mut j = model_json(TextInput::PerModality, "plain");
        j.audio.feature = "openl3".into();
        let m = Model::from_parts(j).unwrap();
        assert!(m
            .audio_kind()
            .unwrap_err()
            .to_string()
            .contains("\"openl3\" is not one"));
    }
}
