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

#[cfg(test)]
use crate::input::WALNET_DIM;
use crate::input::{AudioInput, AudioKind};
use crate::pca::Pca;
use crate::{Error, Result};

pub const FORMAT: &str = "earshot-model";
pub const VERSION: u32 = 1;

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
    /// Text queries pulled toward their nearest labels, fitted on validation words (older
    /// models have none: text queries go through the text branch alone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_prior: Option<crate::rank::TextPrior>,
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
    pub text_prior: Option<crate::rank::TextPrior>,
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
        if let Some(kind) = AudioKind::of(&a.feature) {
            if let Some(dim) = kind.fixed_dim().filter(|&d| d != raw_dim) {
                return Err(bad(format!(
                    "{} features are {dim}-d, the model takes {raw_dim}",
                    a.feature
                )));
            }
            if kind.weights().is_some() && m.audio.weights.as_deref().is_none_or(str::is_empty) {
                return Err(bad(format!("{} features need a weights file", a.feature)));
            }
            if audio_pca.is_some() && !kind.projectable() {
                return Err(bad(format!("{} features take no projection", kind.name())));
            }
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
        if m.text_prior.as_ref().is_some_and(|p| !p.is_valid()) {
            return Err(bad(
                "text_prior needs a weight in [0, 1] and a finite sharpness ≥ 0",
            ));
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
            text_prior: m.text_prior,
        })
    }

    pub fn audio_dim(&self) -> usize {
        self.audio_mean.len()
    }

    /// What the model's audio input is computed from, or an error naming a feature type this
    /// version does not compute.
    /// The weights file this model's audio front end needs before [`Model::audio_front`] can
    /// build it (its own name for it, else the feature's default); `None` for MFCC.
    pub fn audio_weights_file(&self) -> Result<Option<String>> {
        Ok(self.audio_kind()?.weights().map(|default| {
            self.audio_weights
                .clone()
                .unwrap_or_else(|| default.to_owned())
        }))
    }

    /// This model's audio front end ([`AudioInput`]); `weights`: the bytes of the file
    /// [`Model::audio_weights_file`] names, when it names one.
    pub fn audio_front(&self, weights: Option<&[u8]>) -> Result<AudioInput> {
        AudioInput::new(self.audio_kind()?, weights, self.audio_pca.clone())
    }

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
mod tests;
