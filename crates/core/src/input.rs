//! The audio front end, chosen by the model: [`Model::audio_front`](crate::Model::audio_front)
//! builds an [`AudioInput`] for the model's feature (with the CNN's weights when the model names a
//! weights file, and the model's projection), and [`AudioInput::input`] gives a sound's input to
//! the model. Callers never choose the feature; the CLI and the app's worker both go through
//! here, and the sound is checked once, here.
//!
//! Adding an audio feature type touches this module and the new feature's own: a variant of
//! [`AudioKind`] (its name, weights file, size) and an arm of `Front`; nothing else matches on
//! the kind.

use crate::audio::{prepare, TARGET_SR};
use crate::features::{clip_vector, FeatureExtractor, Frames, MfccConfig};
use crate::pca::Pca;
use crate::{Error, Result};

#[cfg(feature = "cnn")]
use crate::cnn::{self, BlockNet, FrontEnd, Student, Walnet};

/// Size of the aisfx CNN clip embedding ([`AudioKind::Walnet`], and its student's).
pub const WALNET_DIM: usize = 512;
/// The CNN's weights file that CNN models name by default, next to the model file.
pub const WALNET_WEIGHTS: &str = "walnet.safetensors";
/// The student CNN's weights file ([`AudioKind::Student`]).
pub const STUDENT_WEIGHTS: &str = "student.safetensors";

/// How a model's audio input is computed from sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioKind {
    /// The 300-d MFCC clip vector of docs/interfaces.md §1 (`crate::features`).
    Mfcc,
    /// The aisfx CNN ("Walnet") clip embedding, 512-d (`crate::cnn`, cargo feature `cnn`).
    Walnet,
    /// The small CNN distilled from it (`crate::cnn::Student`): the same 512-d embedding at under
    /// a twentieth of the cost.
    Student,
}

impl AudioKind {
    /// The kind a feature name stands for: "mfcc", "walnet…" (e.g. "walnet-pca300") or
    /// "student…"; "cnn", the command line's name for the teacher, also stands for it.
    pub fn of(feature: &str) -> Option<Self> {
        if feature == "mfcc" {
            Some(Self::Mfcc)
        } else if feature.starts_with("walnet") || feature == "cnn" {
            Some(Self::Walnet)
        } else if feature.starts_with("student") {
            Some(Self::Student)
        } else {
            None
        }
    }

    /// The name recorded in a clip-vector file and, after training, in the model JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mfcc => "mfcc",
            Self::Walnet => "walnet-512",
            Self::Student => "student-512",
        }
    }

    /// The weights file the front end needs, by default (a model may name another).
    pub fn weights(self) -> Option<&'static str> {
        match self {
            Self::Mfcc => None,
            Self::Walnet => Some(WALNET_WEIGHTS),
            Self::Student => Some(STUDENT_WEIGHTS),
        }
    }

    /// The size a model must take the feature at, when it is fixed (MFCC models of any size are
    /// accepted: the tests' are small).
    pub fn fixed_dim(self) -> Option<usize> {
        match self {
            Self::Mfcc => None,
            Self::Walnet | Self::Student => Some(WALNET_DIM),
        }
    }

    /// Whether a model may project the feature (PCA) before its network.
    pub fn projectable(self) -> bool {
        match self {
            Self::Mfcc => false,
            Self::Walnet | Self::Student => true,
        }
    }
}

enum Front {
    Mfcc(FeatureExtractor),
    #[cfg(feature = "cnn")]
    Cnn(AudioKind, Box<dyn BlockNet>, FrontEnd),
}

/// A sound as the model's front end heard it ([`AudioInput::hear`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Heard {
    /// The model's audio input ([`AudioInput::input`]).
    pub input: Vec<f32>,
    /// The mono signal the features were computed from, at `rate`.
    pub samples: Vec<f32>,
    /// The front end's sample rate (22 050 Hz for MFCC, 44 100 Hz for the CNNs).
    pub rate: u32,
    /// The front end's mel spectrogram in dB, frame-major (one frame per feature frame).
    pub spectrogram: Frames,
}

/// A sound's audio feature as a model takes it.
pub struct AudioInput {
    front: Front,
    /// The model's projection of the feature, if it has one.
    pca: Option<Pca>,
}

impl AudioInput {
    /// For a feature type; `weights`: the bytes of its weights file ([`AudioKind::weights`]),
    /// needed when it names one; `pca`: the model's projection of the feature.
    pub fn new(kind: AudioKind, weights: Option<&[u8]>, pca: Option<Pca>) -> Result<Self> {
        let front = match kind {
            AudioKind::Mfcc => Front::Mfcc(FeatureExtractor::new(MfccConfig::default())),
            #[cfg(feature = "cnn")]
            AudioKind::Walnet | AudioKind::Student => {
                let bytes = weights.ok_or_else(|| {
                    Error::Invalid("the sound network's weights are not loaded".into())
                })?;
                let net: Box<dyn BlockNet> = if kind == AudioKind::Walnet {
                    Box::new(Walnet::from_safetensors(bytes)?)
                } else {
                    Box::new(Student::from_safetensors(bytes)?)
                };
                Front::Cnn(kind, net, FrontEnd::new())
            }
            #[cfg(not(feature = "cnn"))]
            AudioKind::Walnet | AudioKind::Student => {
                let _ = weights;
                return Err(Error::Invalid(
                    "this build has no CNN features (cargo feature `cnn`)".into(),
                ));
            }
        };
        Ok(Self { front, pca })
    }

    pub fn kind(&self) -> AudioKind {
        match self.front {
            Front::Mfcc(_) => AudioKind::Mfcc,
            #[cfg(feature = "cnn")]
            Front::Cnn(kind, ..) => kind,
        }
    }

    /// The clip's feature as computed (what a clip-vector file stores): the 300-d MFCC clip
    /// vector of `docs/interfaces.md` §1, or the CNN's 512-d mean block embedding.
    pub fn clip_feature(&self, channels: &[Vec<f32>], sample_rate: u32) -> Result<Vec<f32>> {
        match &self.front {
            Front::Mfcc(fx) => fx.clip_vector_of(&prepare(channels, sample_rate)?),
            #[cfg(feature = "cnn")]
            Front::Cnn(_, net, front) => {
                cnn::clip_embedding(net.as_ref(), front, channels, sample_rate)
            }
        }
    }

    /// The model's audio input for a sound: its clip feature through the model's projection.
    pub fn input(&self, channels: &[Vec<f32>], sample_rate: u32) -> Result<Vec<f32>> {
        self.project(self.clip_feature(channels, sample_rate)?)
    }

    /// [`AudioInput::input`] together with what the front end made of the sound on the way, for
    /// showing it (the app draws the query's waveform and spectrogram): one pass, nothing
    /// computed twice, nothing computed that the model does not use.
    pub fn hear(&self, channels: &[Vec<f32>], sample_rate: u32) -> Result<Heard> {
        let (feature, samples, rate, spectrogram) = match &self.front {
            Front::Mfcc(fx) => {
                let samples = prepare(channels, sample_rate)?;
                let mel_db = fx.mel_db(&samples)?;
                let mfcc = fx.mfcc_from_mel_db(&mel_db)?;
                (clip_vector(&mfcc), samples, TARGET_SR, mel_db)
            }
            #[cfg(feature = "cnn")]
            Front::Cnn(_, net, front) => {
                let h = cnn::prepared(front, channels, sample_rate)?;
                let feature = cnn::mean_of(&net.embed_blocks(h.n_blocks, &h.blocks)?);
                (
                    feature,
                    h.samples,
                    cnn::SAMPLE_RATE,
                    cnn::log_mel_db(h.log_mel),
                )
            }
        };
        Ok(Heard {
            input: self.project(feature)?,
            samples,
            rate,
            spectrogram,
        })
    }

    fn project(&self, raw: Vec<f32>) -> Result<Vec<f32>> {
        match &self.pca {
            Some(p) => p.project_rows(&raw),
            None => Ok(raw),
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
        let input = AudioInput::new(AudioKind::Mfcc, None, None).unwrap();
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
    fn mfcc_hears_the_22_khz_signal_its_mel_spectrogram_and_its_input_in_one_pass() {
        let input = AudioInput::new(AudioKind::Mfcc, None, None).unwrap();
        let sound = [tone(44_100, 1.0)[0].clone(), vec![0.0; 44_100]];
        let heard = input.hear(&sound, 44_100).unwrap();
        assert_eq!(heard.input, input.input(&sound, 44_100).unwrap());
        assert_eq!(heard.rate, TARGET_SR);
        assert_eq!(heard.samples, prepare(&sound, 44_100).unwrap());
        assert_eq!(heard.spectrogram.n_rows, MfccConfig::default().n_mels);
        assert_eq!(heard.spectrogram.n_frames, 1 + 22_050 / 220);
        assert!(matches!(input.hear(&[], 44_100), Err(Error::Empty)));
    }

    #[test]
    fn the_sound_is_checked_once_here() {
        let input = AudioInput::new(AudioKind::Mfcc, None, None).unwrap();
        assert!(matches!(input.clip_feature(&[], 44_100), Err(Error::Empty)));
        assert!(matches!(
            input.clip_feature(&tone(44_100, 1.0), 3),
            Err(Error::SampleRate(3))
        ));
    }

    #[test]
    fn a_cnn_front_end_needs_its_weights() {
        assert!(AudioInput::new(AudioKind::Walnet, None, None).is_err());
        assert!(AudioInput::new(AudioKind::Walnet, Some(b"not safetensors"), None).is_err());
        assert_eq!(AudioKind::Walnet.weights(), Some(WALNET_WEIGHTS));
        assert_eq!(AudioKind::Mfcc.weights(), None);
        assert!(AudioInput::new(AudioKind::Student, None, None).is_err());
        assert!(AudioInput::new(AudioKind::Student, Some(b"not safetensors"), None).is_err());
        assert_eq!(AudioKind::Student.weights(), Some(STUDENT_WEIGHTS));
    }

    #[test]
    fn feature_names_name_their_kind() {
        for kind in [AudioKind::Mfcc, AudioKind::Walnet, AudioKind::Student] {
            assert_eq!(AudioKind::of(kind.name()), Some(kind));
        }
        assert_eq!(AudioKind::of("walnet-pca300"), Some(AudioKind::Walnet));
        assert_eq!(AudioKind::of("student-pca300"), Some(AudioKind::Student));
        assert_eq!(AudioKind::of("cnn"), Some(AudioKind::Walnet));
        assert_eq!(AudioKind::of("yamnet"), None);
    }
}
