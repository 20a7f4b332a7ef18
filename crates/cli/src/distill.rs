//! `earshot distill`: trains the student CNN (`earshot_core::cnn::Student`) to give the aisfx
//! network's block embeddings from the same log-mel blocks, at under a twentieth of its cost.
//!
//! 1. Every clip of the manifest's train and validation splits (never the test split) is cut
//!    into the networks' log-mel blocks and the teacher embeds each block; both are cached
//!    (`--cache`), so later runs start training at once.
//! 2. The student ([`student_net::forward`], its training definition; the app and the CLI run
//!    `Student::embed_blocks`, a faster path a test checks against it) learns with AdamW,
//!    train-split blocks only, to give the teacher's embeddings standardised (less the train
//!    blocks' mean, over their RMS deviation: what tells blocks apart, not what they share), on
//!    `1 − cos(s, z) + ‖s − z‖² / D` per block; the mean and scale are folded into its last
//!    layer when it is written, so it gives the teacher's own scale. The input is
//!    augmented, the target never: a gain of ±`GAIN_DB` (exactly, through the log-mel's
//!    formula), one band of up to `MAX_MASK_BANDS` mel bands and one stretch of up to
//!    `MAX_MASK_FRAMES` frames silenced (SpecAugment).
//! 3. After every epoch the validation blocks' mean cosine to the teacher, both centred on the
//!    train mean, is printed and recorded (the train mean itself scores 0 there, where the raw
//!    cosine would give it 0.86); the weights are written as float16 safetensors with a JSON
//!    record beside them.
//!
//! Seeded (ChaCha8): the same data, seed and epochs give the same weights.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use earshot_core::cnn::{self, student_net, FrontEnd, Walnet};
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::corpus::{per_clip, read_manifest};

/// Size of one network input block.
const BLOCK: usize = cnn::BLOCK_FRAMES * cnn::N_MELS;
const DIM: usize = cnn::EMBEDDING_DIM;
/// Largest gain change of the augmentation, in dB either way.
const GAIN_DB: f32 = 6.0;
const MAX_MASK_BANDS: usize = 12;
const MAX_MASK_FRAMES: usize = 15;
const CACHE_MAGIC: &[u8; 8] = b"ESBLOCK1";

/// How the student is trained.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DistillConfig {
    pub epochs: usize,
    pub batch: usize,
    pub learning_rate: f64,
    pub seed: u64,
}

/// The teacher's blocks: inputs (`n` × [`BLOCK`]), targets (`n` × [`DIM`]), and whether each
/// is a validation block.
#[derive(Debug, Default)]
pub struct Blocks {
    pub inputs: Vec<f32>,
    pub targets: Vec<f32>,
    pub validation: Vec<bool>,
}

impl Blocks {
    pub fn len(&self) -> usize {
        self.validation.len()
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(16 + self.len() * (1 + 4 * (BLOCK + DIM)));
        out.extend_from_slice(CACHE_MAGIC);
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        out.extend(self.validation.iter().map(|&v| u8::from(v)));
        for x in self.inputs.iter().chain(&self.targets) {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out
    }

    fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            bytes.len() >= 16 && &bytes[..8] == CACHE_MAGIC,
            "not a block cache"
        );
        let mut n = [0u8; 8];
        n.copy_from_slice(&bytes[8..16]);
        let n = usize::try_from(u64::from_le_bytes(n))?;
        let floats = n * (BLOCK + DIM);
        anyhow::ensure!(
            bytes.len() == 16 + n + 4 * floats,
            "the block cache is truncated"
        );
        let validation = bytes[16..16 + n].iter().map(|&b| b != 0).collect();
        let mut values = bytes[16 + n..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let inputs = values.by_ref().take(n * BLOCK).collect();
        let targets = values.collect();
        Ok(Self {
            inputs,
            targets,
            validation,
        })
    }
}

/// The teacher's blocks of every train and validation clip of `manifest`, from `cache` when it
/// exists (else computed, one worker per core, and written there).
pub fn teacher_blocks(
    manifest: &Path,
    root: Option<&Path>,
    teacher: &Path,
    cache: &Path,
) -> anyhow::Result<Blocks> {
    if let Ok(bytes) = std::fs::read(cache) {
        let b = Blocks::from_bytes(&bytes).with_context(|| format!("{}", cache.display()))?;
        eprintln!(
            "distill: {} teacher blocks from {}",
            b.len(),
            cache.display()
        );
        return Ok(b);
    }
    let rows: Vec<_> = read_manifest(manifest)?
        .into_iter()
        .filter(|r| r.split == "train" || r.split == "validation")
        .collect();
    let bytes = crate::files::read_bytes(teacher)?;
    let net = Walnet::from_safetensors(&bytes).with_context(|| format!("{}", teacher.display()))?;
    let front = FrontEnd::new();
    let bar = crate::progress_bar(
        rows.len() as u64,
        "teacher [{bar:30}] {pos}/{len} clips, ETA {eta}",
        true,
    );
    let results = per_clip(manifest, root, &rows, &bar, |d| {
        clip_blocks(&net, &front, &d.channels, d.sample_rate)
    })?;
    let mut out = Blocks::default();
    for (row, (inputs, targets)) in rows.iter().zip(results) {
        out.validation.extend(std::iter::repeat_n(
            row.split == "validation",
            targets.len() / DIM,
        ));
        out.inputs.extend(inputs);
        out.targets.extend(targets);
    }
    if let Some(dir) = cache.parent() {
        std::fs::create_dir_all(dir).ok();
    }
    std::fs::write(cache, out.to_bytes())
        .with_context(|| format!("{}: cannot be written", cache.display()))?;
    eprintln!(
        "distill: {} teacher blocks of {} clips",
        out.len(),
        rows.len()
    );
    Ok(out)
}

/// A clip's log-mel blocks and the teacher's embedding of each.
fn clip_blocks(
    net: &Walnet,
    front: &FrontEnd,
    channels: &[Vec<f32>],
    rate: u32,
) -> Result<(Vec<f32>, Vec<f32>), String> {
    let go = || -> earshot_core::Result<(Vec<f32>, Vec<f32>)> {
        earshot_core::validate(channels, rate)?;
        let mono = earshot_core::mix_to_mono(channels)?;
        let y = earshot_core::resample(&mono, rate, cnn::SAMPLE_RATE)?;
        let (n, blocks) = cnn::blocks(&front.log_mel(&y)?)?;
        let targets = net.embed_blocks(n, &blocks)?.concat();
        Ok((blocks, targets))
    };
    go().map_err(|e| e.to_string())
}

/// The log-mel value `v = log10(1e4·mel + 1) / M` of a mel energy multiplied by `gain` (a power
/// ratio), exactly.
fn with_gain(v: f32, gain: f32) -> f32 {
    let m = cnn::LOG_MEL_MAX as f32;
    ((10f32.powf(v * m) - 1.0) * gain + 1.0).max(1.0).log10() / m
}

/// One augmented copy of a block ([`BLOCK`] values, frame-major).
fn augment(block: &[f32], rng: &mut ChaCha8Rng) -> Vec<f32> {
    let gain = 10f32.powf(rng.random_range(-GAIN_DB..=GAIN_DB) / 10.0);
    let mut out: Vec<f32> = block.iter().map(|&v| with_gain(v, gain)).collect();
    let bands = rng.random_range(0..=MAX_MASK_BANDS);
    let band0 = rng.random_range(0..=cnn::N_MELS - bands);
    let frames = rng.random_range(0..=MAX_MASK_FRAMES);
    let frame0 = rng.random_range(0..=cnn::BLOCK_FRAMES - frames);
    for (t, row) in out.chunks_exact_mut(cnn::N_MELS).enumerate() {
        if (frame0..frame0 + frames).contains(&t) {
            row.fill(0.0);
        } else {
            row[band0..band0 + bands].fill(0.0);
        }
    }
    out
}

/// Freshly initialised student weights (He-uniform convolutions and head, zero biases).
fn init(rng: &mut ChaCha8Rng, dev: &Device) -> candle_core::Result<Vec<(String, Var)>> {
    student_net::shapes()
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let values: Vec<f32> = if name.ends_with(".bias") {
                vec![0.0; n]
            } else {
                let fan_in: usize = shape[1..].iter().product();
                let bound = (6.0 / fan_in as f32).sqrt();
                (0..n).map(|_| rng.random_range(-bound..bound)).collect()
            };
            Ok((
                name,
                Var::from_tensor(&Tensor::from_vec(values, shape, dev)?)?,
            ))
        })
        .collect()
}

fn tensors(vars: &[(String, Var)]) -> HashMap<String, Tensor> {
    vars.iter()
        .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
        .collect()
}

/// Per block, `1 − cos(s, z) + ‖s − z‖² / D` for standardised targets `z`, averaged.
fn loss(s: &Tensor, z: &Tensor) -> candle_core::Result<Tensor> {
    let dot = (s * z)?.sum(1)?;
    let ns = s.sqr()?.sum(1)?.affine(1.0, 1e-8)?.sqrt()?;
    let nz = z.sqr()?.sum(1)?.affine(1.0, 1e-8)?.sqrt()?;
    let cos = dot.div(&ns.mul(&nz)?)?;
    let mse = (s - z)?.sqr()?.mean(1)?;
    (cos.affine(-1.0, 1.0)? + mse)?.mean_all()
}

/// The train blocks' mean target and the RMS of their deviation from it.
fn target_scale(blocks: &Blocks, train: &[usize]) -> (Vec<f32>, f32) {
    let mut mean = vec![0.0f64; DIM];
    for &i in train {
        for (m, &t) in mean.iter_mut().zip(&blocks.targets[i * DIM..(i + 1) * DIM]) {
            *m += f64::from(t);
        }
    }
    mean.iter_mut()
        .for_each(|m| *m /= train.len().max(1) as f64);
    let mut var = 0.0f64;
    for &i in train {
        for (m, &t) in mean.iter().zip(&blocks.targets[i * DIM..(i + 1) * DIM]) {
            var += (f64::from(t) - m).powi(2);
        }
    }
    let rms = (var / (train.len().max(1) * DIM) as f64).sqrt().max(1e-6);
    (mean.into_iter().map(|m| m as f32).collect(), rms as f32)
}

/// The head's weights and bias with the target scale folded in, so the network gives the
/// teacher's scale: `y = rms · (W x + b) + mean`.
fn fold_scale(
    mut w: HashMap<String, Tensor>,
    mean: &[f32],
    rms: f32,
) -> candle_core::Result<HashMap<String, Tensor>> {
    let dev = Device::Cpu;
    if let Some(hw) = w.get("head.weight") {
        let scaled = hw.affine(f64::from(rms), 0.0)?;
        w.insert("head.weight".into(), scaled);
    }
    if let Some(hb) = w.get("head.bias") {
        let m = Tensor::from_slice(mean, DIM, &dev)?;
        let folded = hb.affine(f64::from(rms), 0.0)?.add(&m)?;
        w.insert("head.bias".into(), folded);
    }
    Ok(w)
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b)).max(1e-12)
}

/// Mean cosine of the student's embeddings of `idx` (with the target scale folded in) to the
/// teacher's, both less `mean`.
fn mean_cosine(
    blocks: &Blocks,
    idx: &[usize],
    w: &HashMap<String, Tensor>,
    mean: &[f32],
    dev: &Device,
) -> anyhow::Result<f64> {
    let mut total = 0.0f64;
    for chunk in idx.chunks(64) {
        let x: Vec<f32> = chunk
            .iter()
            .flat_map(|&i| blocks.inputs[i * BLOCK..(i + 1) * BLOCK].iter().copied())
            .collect();
        let x = Tensor::from_vec(x, (chunk.len(), 1, cnn::BLOCK_FRAMES, cnn::N_MELS), dev)?;
        let s = student_net::forward(&x, w)?.to_vec2::<f32>()?;
        for (row, &i) in s.iter().zip(chunk) {
            let t = &blocks.targets[i * DIM..(i + 1) * DIM];
            let centre = |v: &[f32]| v.iter().zip(mean).map(|(a, m)| a - m).collect::<Vec<_>>();
            total += cosine(&centre(row), &centre(t));
        }
    }
    Ok(total / idx.len().max(1) as f64)
}

/// Train the student on `blocks`; returns its weights and the validation cosine per epoch.
pub fn train(
    blocks: &Blocks,
    cfg: &DistillConfig,
) -> anyhow::Result<(HashMap<String, Tensor>, Vec<f64>)> {
    let dev = Device::Cpu;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let vars = init(&mut rng, &dev)?;
    let mut opt = AdamW::new(
        vars.iter().map(|(_, v)| v.clone()).collect(),
        ParamsAdamW {
            lr: cfg.learning_rate,
            weight_decay: 0.0,
            ..Default::default()
        },
    )?;
    let (val, mut train): (Vec<usize>, Vec<usize>) =
        (0..blocks.len()).partition(|&i| blocks.validation[i]);
    anyhow::ensure!(!train.is_empty(), "no train blocks to learn from");
    let (mean, rms) = target_scale(blocks, &train);
    let steps = train.len().div_ceil(cfg.batch);
    let bar = crate::progress_bar(
        (cfg.epochs * steps) as u64,
        "distill [{bar:30}] {pos}/{len} steps, ETA {eta} {msg}",
        true,
    );
    let mut history = Vec::new();
    for epoch in 0..cfg.epochs {
        train.shuffle(&mut rng);
        let mut sum = 0.0f64;
        for chunk in train.chunks(cfg.batch) {
            let x: Vec<f32> = chunk
                .iter()
                .flat_map(|&i| augment(&blocks.inputs[i * BLOCK..(i + 1) * BLOCK], &mut rng))
                .collect();
            let t: Vec<f32> = chunk
                .iter()
                .flat_map(|&i| {
                    blocks.targets[i * DIM..(i + 1) * DIM]
                        .iter()
                        .zip(&mean)
                        .map(|(t, m)| (t - m) / rms)
                })
                .collect();
            let b = chunk.len();
            let x = Tensor::from_vec(x, (b, 1, cnn::BLOCK_FRAMES, cnn::N_MELS), &dev)?;
            let t = Tensor::from_vec(t, (b, DIM), &dev)?;
            let l = loss(&student_net::forward(&x, &tensors(&vars))?, &t)?;
            let value = f64::from(l.to_scalar::<f32>()?);
            anyhow::ensure!(value.is_finite(), "distillation diverged at epoch {epoch}");
            sum += value * b as f64;
            opt.backward_step(&l)?;
            bar.inc(1);
        }
        let cos = if val.is_empty() {
            f64::NAN
        } else {
            let w = fold_scale(tensors(&vars), &mean, rms)?;
            mean_cosine(blocks, &val, &w, &mean, &dev)?
        };
        bar.set_message(format!(
            "epoch {} loss {:.4} validation cosine {cos:.4}",
            epoch + 1,
            sum / train.len() as f64
        ));
        eprintln!(
            "distill: epoch {} loss {:.4} validation cosine {cos:.4}",
            epoch + 1,
            sum / train.len() as f64
        );
        history.push((cos * 1e4).round() / 1e4);
    }
    bar.finish_and_clear();
    Ok((fold_scale(tensors(&vars), &mean, rms)?, history))
}

/// Options of `earshot distill`.
pub struct Args<'a> {
    pub manifest: &'a Path,
    pub root: Option<&'a Path>,
    pub teacher: &'a Path,
    pub cache: &'a Path,
    pub out: &'a Path,
    pub cfg: DistillConfig,
}

/// `earshot distill`: teacher blocks, training, and the float16 weights at `out` with a JSON
/// record (`out` with `.json`).
pub fn run(a: &Args) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let blocks = teacher_blocks(a.manifest, a.root, a.teacher, a.cache)?;
    let (weights, history) = train(&blocks, &a.cfg)?;
    let half: HashMap<String, Tensor> = weights
        .into_iter()
        .map(|(k, v)| Ok((k, v.to_dtype(DType::F16)?)))
        .collect::<candle_core::Result<_>>()?;
    candle_core::safetensors::save(&half, a.out)
        .with_context(|| format!("{}: cannot be written", a.out.display()))?;
    let record = serde_json::json!({
        "config": a.cfg,
        "teacher": a.teacher.file_name().map(|n| n.to_string_lossy().into_owned()),
        "train_blocks": blocks.validation.iter().filter(|v| !**v).count(),
        "validation_blocks": blocks.validation.iter().filter(|v| **v).count(),
        "validation_cosine_per_epoch": history,
        "macs_per_block": student_net::macs_per_block(),
        "seconds": started.elapsed().as_secs(),
        "library": "candle 0.11",
    });
    let record_path: PathBuf = a.out.with_extension("json");
    let mut f = std::fs::File::create(&record_path)
        .with_context(|| format!("{}: cannot be written", record_path.display()))?;
    writeln!(f, "{}", serde_json::to_string_pretty(&record)?)?;
    eprintln!(
        "wrote {} and {} after {:.0} s",
        a.out.display(),
        record_path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn gain_is_exact_in_the_log_mel_domain() {
        let m = cnn::LOG_MEL_MAX;
        let v = |mel: f64| ((1e4 * mel + 1.0).log10() / m) as f32;
        for mel in [0.0, 1e-6, 0.01, 3.0] {
            let got = with_gain(v(mel), 2.0);
            assert!(
                (got - v(2.0 * mel)).abs() < 1e-5,
                "{mel}: {got} vs {}",
                v(2.0 * mel)
            );
        }
        assert_eq!(with_gain(0.0, 0.5), 0.0, "silence stays silent");
    }

    #[test]
    fn augmentation_is_seeded_and_keeps_the_shape() {
        let block: Vec<f32> = (0..BLOCK).map(|i| (i % 50) as f32 / 100.0).collect();
        let a = augment(&block, &mut ChaCha8Rng::seed_from_u64(1));
        let b = augment(&block, &mut ChaCha8Rng::seed_from_u64(1));
        let c = augment(&block, &mut ChaCha8Rng::seed_from_u64(2));
        assert_eq!(a.len(), BLOCK);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|v| v.is_finite() && *v >= 0.0));
    }

    #[test]
    fn block_cache_round_trips_and_refuses_damage() {
        let b = Blocks {
            inputs: (0..2 * BLOCK).map(|i| i as f32).collect(),
            targets: (0..2 * DIM).map(|i| -(i as f32)).collect(),
            validation: vec![false, true],
        };
        let bytes = b.to_bytes();
        let back = Blocks::from_bytes(&bytes).unwrap();
        assert_eq!(
            (back.inputs, back.targets, back.validation),
            (b.inputs, b.targets, b.validation)
        );
        assert!(Blocks::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Blocks::from_bytes(b"nonsense").is_err());
    }

    #[test]
    fn the_student_learns_to_follow_a_teacher() {
        // Two kinds of block, as a teacher would tell apart: stripes across time (clicks) and
        // across frequency (a held chord), at random levels; the teacher gives each kind its
        // own direction.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 32;
        let mut blocks = Blocks::default();
        for i in 0..n {
            let clicks = i % 2 == 0;
            let level: f32 = rng.random_range(0.2..0.5);
            let block: Vec<f32> = (0..BLOCK)
                .map(|k| {
                    let (t, f) = (k / cnn::N_MELS, k % cnn::N_MELS);
                    let on = if clicks { t % 6 == 0 } else { f % 6 == 0 };
                    if on {
                        level
                    } else {
                        0.02
                    }
                })
                .collect();
            blocks.inputs.extend(block);
            blocks.targets.extend((0..DIM).map(|d| {
                let sign = if (d % 2 == 0) == clicks { 1.0 } else { -1.0 };
                0.5 + 0.2 * sign + rng.random_range(-0.01..0.01)
            }));
            blocks.validation.push(i % 8 < 2);
        }
        let cfg = DistillConfig {
            epochs: 1,
            batch: 8,
            learning_rate: 1e-3,
            seed: 1,
        };
        let (_, one) = train(&blocks, &cfg).unwrap();
        let (_, more) = train(&blocks, &DistillConfig { epochs: 15, ..cfg }).unwrap();
        assert!(more[14] > one[0], "{one:?} then {more:?}");
        assert!(more[14] > 0.9, "{more:?}");
    }
}
