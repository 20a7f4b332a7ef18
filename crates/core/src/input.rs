//! The model's audio front end, chosen by the model: build an [`AudioInput`] from the model (and
//! the CNN's weights when the model names a weights file), then ask it for a sound's
//! [`AudioInput::input`]. Callers never choose the feature; the CLI, the app's worker and the
//! evaluation all go through here, and the sound is checked once, here.
//!
//! Adding an audio feature type: a variant of [`AudioKind`] (its name, its weights file) and an
//! arm of `Front` below; nothing else matches on it.

use crate::audio::prepare;
use crate::features::{FeatureExtractor, MfccConfig};
use crate::model::{AudioKind, Model};
use crate::{Error, Result};

#[cfg(feature = "cnn")]
use crate::cnn::{self, FrontEnd, Walnet};

enum Front {
    Mfcc(FeatureExtractor),
    #[cfg(feature = "cnn")]
    Walnet(Box<Walnet>, FrontEnd),
}

/// A sound's audio feature as a model takes it.
pub struct AudioInput {
    front: Front,
}

impl AudioInput {
    /// For a feature type; `weights`: the bytes of its weights file ([`AudioKind::weights`]),
    /// needed when it names one.
    pub fn for_kind(kind: AudioKind, weights: Option<&[u8]>) -> Result<Self> {
        let front = match kind {
            AudioKind::Mfcc => Front::Mfcc(FeatureExtractor::new(MfccConfig::default())),
            #[cfg(feature = "cnn")]
            AudioKind::Walnet => {
                let bytes = weights.ok_or_else(|| {
                    Error::Invalid("the sound network's weights are not loaded".into())
                })?;
                Front::Walnet(Box::new(Walnet::from_safetensors(bytes)?), FrontEnd::new())
            }
            #[cfg(not(feature = "cnn"))]
            AudioKind::Walnet => {
                let _ = weights;
                return Err(Error::Invalid(
                    "this build has no CNN features (cargo feature `cnn`)".into(),
                ));
            }
        };
        Ok(Self { front })
    }

    /// For the feature `model` was trained on.
    pub fn for_model(model: &Model, weights: Option<&[u8]>) -> Result<Self> {
        Self::for_kind(model.audio_kind()?, weights)
    }

    /// The weights file `model`'s feature needs before [`AudioInput::for_model`] can build it
    /// (the model's own name for it, else the feature's default); `None` for MFCC.
    pub fn weights_of(model: &Model) -> Result<Option<String>> {
        Ok(model.audio_kind()?.weights().map(|default| {
            model
                .audio_weights
                .clone()
                .unwrap_or_else(|| default.to_owned())
        }))
    }

    pub fn kind(&self) -> AudioKind {
        match self.front {
            Front::Mfcc(_) => AudioKind::Mfcc,
            #[cfg(feature = "cnn")]
            Front::Walnet(..) => AudioKind::Walnet,
        }
    }

    /// The clip's feature as computed (what a clip-vector file stores): the 300-d MFCC clip
    /// vector of `docs/interfaces.md` §1, or the CNN's 512-d mean block embedding.
    pub fn clip_feature(&self, channels: &[Vec<f32>], sample_rate: u32) -> Result<Vec<f32>> {
        match &self.front {
            Front::Mfcc(fx) => fx.clip_vector_of(&prepare(channels, sample_rate)?),
            #[cfg(feature = "cnn")]
            Front::Walnet(net, front) => cnn::clip_embedding(net, front, channels, sample_rate),
        }
    }

    /// The model's audio input for a sound: its clip feature through the model's projection.
    pub fn input(
        &self,
        model: &Model,
        channels: &[Vec<f32>],
        sample_rate: u32,
    ) -> Result<Vec<f32>> {
        model.reduce(&self.clip_feature(channels, sample_rate)?)
    }

    /// [`AudioInput::input`] for a caller that has already computed the sound's MFCC clip
    /// vector (the app does, with the mel spectrogram it shows): an MFCC front end takes it as
    /// is instead of computing it again.
    pub fn input_with_mfcc(
        &self,
        model: &Model,
        channels: &[Vec<f32>],
        sample_rate: u32,
        mfcc_clip: &[f32],
    ) -> Result<Vec<f32>> {
        if matches!(self.front, Front::Mfcc(_)) {
            model.reduce(mfcc_clip)
        } else {
            self.input(model, channels, sample_rate)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tone(rate: u32, seconds: f32) -> Vec<Vec<f32>> {
        let n = (rate as f32 * seconds) as usize;
        vec![(0..n)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 0.3)
            .collect()]
    }

    #[test]
    fn mfcc_needs_no_weights_and_gives_the_300_d_clip_vector() {
        let input = AudioInput::for_kind(AudioKind::Mfcc, None).unwrap();
        assert_eq!(input.kind(), AudioKind::Mfcc);
        let v = input.clip_feature(&tone(44_100, 1.0), 44_100).unwrap();
        assert_eq!(v.len(), 300);
        let fx = FeatureExtractor::new(MfccConfig::default());
        let direct = fx
            .clip_vector_of(&prepare(&tone(44_100, 1.0), 44_100).unwrap())
            .unwrap();
        assert_eq!(v, direct, "the same numbers as the features module");
    }

    #[test]
    fn the_sound_is_checked_once_here() {
        let input = AudioInput::for_kind(AudioKind::Mfcc, None).unwrap();
        assert!(matches!(input.clip_feature(&[], 44_100), Err(Error::Empty)));
        assert!(matches!(
            input.clip_feature(&tone(44_100, 1.0), 3),
            Err(Error::SampleRate(3))
        ));
    }

    #[test]
    fn a_cnn_front_end_needs_its_weights() {
        assert!(AudioInput::for_kind(AudioKind::Walnet, None).is_err());
        assert!(AudioInput::for_kind(AudioKind::Walnet, Some(b"not safetensors")).is_err());
        assert_eq!(
            AudioKind::Walnet.weights(),
            Some(crate::model::WALNET_WEIGHTS)
        );
        assert_eq!(AudioKind::Mfcc.weights(), None);
    }
}
