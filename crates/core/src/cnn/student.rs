//! A small CNN distilled from the aisfx network ([`super::Walnet`]): the same log-mel blocks in,
//! a 512-d embedding out, at under a twentieth of the multiply-adds (84 M a block against 1.9 G).
//!
//! Layers (3×3 convolutions, padding 1, each followed by ReLU): 1 → 16, max-pool 2; 16 → 24,
//! 24 → 24, max-pool 2; 24 → 64, 64 → 64, max-pool 2; 64 → 128, 128 → 128; then the mean over
//! frequency and the maximum over time (as the teacher), and a linear layer 128 → 512.
//!
//! [`forward`] is the one definition of the network (candle's `conv2d`): `earshot distill` trains
//! it on candle variables. The app and the CLI run [`Student::embed_blocks`], which computes the
//! same network faster (channels last, each convolution one im2col buffer times the weight
//! matrix); a test holds the two equal, so training and inference cannot drift apart.
//!
//! Weights: safetensors with `conv{i}.weight` (out × in × 3 × 3), `conv{i}.bias`, `head.weight`
//! (512 × 128) and `head.bias`, f16 or f32.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};

use super::{all_finite, check_blocks, err, BLOCK_FRAMES, EMBEDDING_DIM, N_MELS};
use crate::{Error, Result};

/// (inputs, outputs) of each convolution, and whether a max-pool follows it.
pub const CONVS: [(usize, usize, bool); 7] = [
    (1, 16, true),
    (16, 24, false),
    (24, 24, true),
    (24, 64, false),
    (64, 64, true),
    (64, 128, false),
    (128, 128, false),
];
/// Channels after the last convolution (the head's input).
pub const WIDTH: usize = 128;

/// The student's tensors, by the names of its safetensors file.
pub fn shapes() -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    for (i, &(c_in, c_out, _)) in CONVS.iter().enumerate() {
        out.push((format!("conv{i}.weight"), vec![c_out, c_in, 3, 3]));
        out.push((format!("conv{i}.bias"), vec![c_out]));
    }
    out.push(("head.weight".into(), vec![EMBEDDING_DIM, WIDTH]));
    out.push(("head.bias".into(), vec![EMBEDDING_DIM]));
    out
}

/// Multiply-adds of one block, the convolutions and the head (the teacher's: about 1.9 G).
pub fn macs_per_block() -> usize {
    let (mut t, mut f) = (BLOCK_FRAMES, N_MELS);
    let mut macs = 0;
    for &(c_in, c_out, pool) in &CONVS {
        macs += t * f * c_in * c_out * 9;
        if pool {
            t /= 2;
            f /= 2;
        }
    }
    macs + WIDTH * EMBEDDING_DIM
}

/// The network on `x` (batch × 1 × [`BLOCK_FRAMES`] × [`N_MELS`]) with the weights in
/// `w` (named as [`shapes`]): batch × [`EMBEDDING_DIM`].
pub fn forward(x: &Tensor, w: &HashMap<String, Tensor>) -> candle_core::Result<Tensor> {
    let get = |name: &str| {
        w.get(name)
            .ok_or_else(|| candle_core::Error::Msg(format!("no tensor {name}")))
    };
    let mut x = x.clone();
    for (i, &(_, c_out, pool)) in CONVS.iter().enumerate() {
        let bias = get(&format!("conv{i}.bias"))?.reshape((1, c_out, 1, 1))?;
        x = x
            .conv2d(get(&format!("conv{i}.weight"))?, 1, 1, 1, 1)?
            .broadcast_add(&bias)?
            .relu()?;
        if pool {
            x = x.max_pool2d(2)?;
        }
    }
    // Mean over frequency, then max over time: batch × WIDTH.
    let pooled = x.mean(3)?.max(2)?;
    pooled
        .matmul(&get("head.weight")?.t()?)?
        .broadcast_add(get("head.bias")?)
}

/// One convolution of the fast inference path (the same layer as in [`forward`]): the weights
/// as a `9·c_in × c_out` matrix whose rows follow [`im2col`]'s columns (time offset, frequency
/// offset, input channel).
#[derive(Debug)]
struct Layer {
    weight: Tensor,
    bias: Vec<f32>,
    c_out: usize,
    pool: bool,
}

/// One block's activations, channels last: `h × w × c` values (time, frequency, channel).
struct Act {
    data: Vec<f32>,
    h: usize,
    w: usize,
    c: usize,
}

/// The 3×3 patches (padding 1) of `x`, one row of `9·c` values per position:
/// `h·w × 9·c`, columns ordered (time offset, frequency offset, channel).
fn im2col(x: &Act) -> Vec<f32> {
    let (h, w, c) = (x.h, x.w, x.c);
    let k = 9 * c;
    let mut cols = vec![0.0f32; h * w * k];
    for (p, row) in cols.chunks_exact_mut(k).enumerate() {
        let (t, f) = (p / w, p % w);
        // Frequencies f − 1 ..= f + 1 inside the block, and where they go in the row.
        let (f0, f1) = (f.saturating_sub(1), (f + 2).min(w));
        let skip = (f0 + 1 - f) * c;
        for dt in 0..3 {
            if t + dt < 1 || t + dt > h {
                continue;
            }
            let src = (t + dt - 1) * w * c;
            let dst = dt * 3 * c + skip;
            row[dst..dst + (f1 - f0) * c].copy_from_slice(&x.data[src + f0 * c..src + f1 * c]);
        }
    }
    cols
}

/// 2×2 max-pool, stride 2 (an odd last row or column is dropped, as candle's `max_pool2d`).
fn max_pool(x: &Act) -> Act {
    let (h, w, c) = (x.h / 2, x.w / 2, x.c);
    let mut data = vec![f32::NEG_INFINITY; h * w * c];
    for (p, dst) in data.chunks_exact_mut(c).enumerate() {
        let (t, f) = (p / w, p % w);
        for (dt, df) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let src = ((2 * t + dt) * x.w + 2 * f + df) * c;
            for (d, &s) in dst.iter_mut().zip(&x.data[src..src + c]) {
                *d = d.max(s);
            }
        }
    }
    Act { data, h, w, c }
}

impl Layer {
    /// `relu(conv(x) + bias)`, max-pooled if the layer pools. The pool comes before the bias
    /// and ReLU, which are the same on every value of a window and monotonic, so it gives the
    /// same result on a quarter of the values.
    fn forward(&self, x: &Act, device: &Device) -> candle_core::Result<Act> {
        let rows = x.h * x.w;
        let y = Tensor::from_vec(im2col(x), (rows, 9 * x.c), device)?.matmul(&self.weight)?;
        let mut y = Act {
            data: y.flatten_all()?.to_vec1::<f32>()?,
            h: x.h,
            w: x.w,
            c: self.c_out,
        };
        if self.pool {
            y = max_pool(&y);
        }
        for px in y.data.chunks_exact_mut(self.c_out) {
            for (v, b) in px.iter_mut().zip(&self.bias) {
                *v = (*v + b).max(0.0);
            }
        }
        Ok(y)
    }
}

/// The student with its weights loaded.
#[derive(Debug)]
pub struct Student {
    /// The convolutions, arranged for the fast path.
    layers: Vec<Layer>,
    /// `head.weight` transposed ([`WIDTH`] × [`EMBEDDING_DIM`]) and `head.bias`.
    head: (Tensor, Tensor),
    device: Device,
}

impl Student {
    /// Loads a safetensors file of the tensors [`shapes`] names (f16 or f32). Missing tensors,
    /// wrong shapes and non-finite values are errors.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let device = Device::Cpu;
        let tensors = candle_core::safetensors::load_buffer(bytes, &device).map_err(err)?;
        let mut weights = HashMap::new();
        for (name, shape) in shapes() {
            let t = tensors
                .get(&name)
                .ok_or_else(|| Error::Invalid(format!("student weights: no tensor {name}")))?;
            if t.dims() != shape.as_slice() {
                return Err(Error::Invalid(format!(
                    "student weights: {name} has shape {:?}, expected {shape:?}",
                    t.dims()
                )));
            }
            let t = t.to_dtype(DType::F32).map_err(err)?;
            if !all_finite(&t).map_err(err)? {
                return Err(Error::Invalid(format!(
                    "student weights: {name} is not finite"
                )));
            }
            weights.insert(name, t);
        }
        Self::from_weights(&weights, device).map_err(err)
    }

    /// The fast path's arrangement of checked f32 weights (named as [`shapes`]).
    fn from_weights(w: &HashMap<String, Tensor>, device: Device) -> candle_core::Result<Self> {
        let get = |name: &str| {
            w.get(name)
                .ok_or_else(|| candle_core::Error::Msg(format!("no tensor {name}")))
        };
        let mut layers = Vec::with_capacity(CONVS.len());
        for (i, &(c_in, c_out, pool)) in CONVS.iter().enumerate() {
            // out × in × 3 × 3 → (3 × 3 × in) × out, the order of im2col's columns.
            let weight = get(&format!("conv{i}.weight"))?
                .permute((2, 3, 1, 0))?
                .contiguous()?
                .reshape((9 * c_in, c_out))?;
            let bias = get(&format!("conv{i}.bias"))?.to_vec1::<f32>()?;
            layers.push(Layer {
                weight,
                bias,
                c_out,
                pool,
            });
        }
        let head = (
            get("head.weight")?.t()?.contiguous()?,
            get("head.bias")?.clone(),
        );
        Ok(Self {
            layers,
            head,
            device,
        })
    }

    /// Embeds `n` blocks (as [`super::blocks`] returns them): `n` × [`EMBEDDING_DIM`] values.
    pub fn embed_blocks(&self, n: usize, blocks: &[f32]) -> Result<Vec<Vec<f32>>> {
        check_blocks("student CNN", n, blocks)?;
        // One block at a time: batching blocks made the matrix products no faster (measured
        // natively) and the im2col buffers larger (~2 MB a block at the widest layer).
        blocks
            .chunks_exact(BLOCK_FRAMES * N_MELS)
            .map(|b| self.embed_one(b).map_err(err))
            .collect()
    }

    /// [`forward`] on one block, computed channels last: each convolution is one matrix product
    /// (candle's) of the block's im2col patches and the weights.
    fn embed_one(&self, block: &[f32]) -> candle_core::Result<Vec<f32>> {
        let mut x = Act {
            data: block.to_vec(),
            h: BLOCK_FRAMES,
            w: N_MELS,
            c: 1,
        };
        for layer in &self.layers {
            x = layer.forward(&x, &self.device)?;
        }
        // Mean over frequency, then max over time: WIDTH values.
        let mut pooled = vec![f32::NEG_INFINITY; x.c];
        for row in x.data.chunks_exact(x.w * x.c) {
            let mut sum = vec![0.0f32; x.c];
            for px in row.chunks_exact(x.c) {
                for (s, &v) in sum.iter_mut().zip(px) {
                    *s += v;
                }
            }
            for (p, s) in pooled.iter_mut().zip(sum) {
                *p = p.max(s / x.w as f32);
            }
        }
        Tensor::from_vec(pooled, (1, x.c), &self.device)?
            .matmul(&self.head.0)?
            .broadcast_add(&self.head.1)?
            .flatten_all()?
            .to_vec1::<f32>()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn costs_at_most_a_twentieth_of_the_teacher() {
        // The teacher: two 3×3 convolutions per block at 64, 128, 256, 512 channels.
        let (mut t, mut f, mut teacher) = (BLOCK_FRAMES, N_MELS, 0usize);
        for (b, (c_in, c_out)) in [(1, 64), (64, 128), (128, 256), (256, 512)]
            .into_iter()
            .enumerate()
        {
            teacher += t * f * 9 * (c_in * c_out + c_out * c_out);
            if b < 3 {
                t /= 2;
                f /= 2;
            }
        }
        assert!(
            macs_per_block() * 20 <= teacher,
            "{} vs {teacher}",
            macs_per_block()
        );
    }

    /// A safetensors file's bytes (candle writes files only).
    fn to_bytes(map: &HashMap<String, Tensor>, tag: &str) -> Vec<u8> {
        let path = std::env::temp_dir().join(format!(
            "earshot-student-{tag}-{}.safetensors",
            std::process::id()
        ));
        candle_core::safetensors::save(map, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        bytes
    }

    fn weights(scale: f32) -> Vec<u8> {
        let dev = Device::Cpu;
        let mut map = HashMap::new();
        for (k, (name, shape)) in shapes().into_iter().enumerate() {
            let n: usize = shape.iter().product();
            let v: Vec<f32> = (0..n)
                .map(|i| scale * (((i * 31 + k * 17) % 13) as f32 - 6.0) / 40.0)
                .collect();
            map.insert(name, Tensor::from_vec(v, shape, &dev).unwrap());
        }
        to_bytes(&map, "good")
    }

    #[test]
    fn embeds_blocks_and_refuses_bad_input() {
        let s = Student::from_safetensors(&weights(1.0)).unwrap();
        let size = BLOCK_FRAMES * N_MELS;
        let x: Vec<f32> = (0..2 * size).map(|i| ((i % 97) as f32) / 97.0).collect();
        let e = s.embed_blocks(2, &x).unwrap();
        assert_eq!((e.len(), e[0].len()), (2, EMBEDDING_DIM));
        // Blocks are embedded independently: the second alone gives the same vector.
        let one = s.embed_blocks(1, &x[size..]).unwrap();
        for (a, b) in one[0].iter().zip(&e[1]) {
            assert!((a - b).abs() < 1e-4);
        }
        assert!(s.embed_blocks(1, &x).is_err());
        let mut bad = x[..size].to_vec();
        bad[5] = f32::NAN;
        assert!(s.embed_blocks(1, &bad).is_err());
    }

    /// Uniform values in −1 ..= 1 from a seeded generator (SplitMix64).
    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    #[test]
    fn fast_path_equals_forward() {
        let dev = Device::Cpu;
        // Weights scaled as a trained network's (He-like), so activations neither die nor blow up;
        // biases slightly negative, so ReLU cuts some values.
        let w: HashMap<String, Tensor> = shapes()
            .into_iter()
            .enumerate()
            .map(|(k, (name, shape))| {
                let n: usize = shape.iter().product();
                let fan_in = if shape.len() == 4 { n / shape[0] } else { n };
                let scale = if shape.len() == 1 {
                    0.1
                } else {
                    (3.0 / fan_in as f32).sqrt()
                };
                let v: Vec<f32> = random(n, k as u64)
                    .iter()
                    .map(|x| scale * (x - 0.1))
                    .collect();
                (name, Tensor::from_vec(v, shape, &dev).unwrap())
            })
            .collect();
        let student = Student::from_weights(&w, dev.clone()).unwrap();
        let n = 3;
        let x = random(n * BLOCK_FRAMES * N_MELS, 99);
        let fast = student.embed_blocks(n, &x).unwrap();
        let input = Tensor::from_slice(&x, (n, 1, BLOCK_FRAMES, N_MELS), &dev).unwrap();
        let want = forward(&input, &w).unwrap().to_vec2::<f32>().unwrap();
        assert_eq!(fast.len(), n);
        let scale = want.iter().flatten().fold(0.0f32, |m, v| m.max(v.abs()));
        let diff = fast
            .iter()
            .flatten()
            .zip(want.iter().flatten())
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            scale > 0.1,
            "degenerate test network: largest output {scale}"
        );
        assert!(
            diff <= 1e-5 * scale,
            "max |fast − forward| {diff}, largest {scale}"
        );
    }

    #[test]
    fn weights_are_checked() {
        let good = weights(1.0);
        let tensors = candle_core::safetensors::load_buffer(&good, &Device::Cpu).unwrap();
        let mut missing = tensors.clone();
        missing.remove("head.bias");
        let e = Student::from_safetensors(&to_bytes(&missing, "missing"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("head.bias"), "{e}");
        let mut wrong = tensors;
        wrong.insert(
            "conv0.bias".into(),
            Tensor::zeros(3, DType::F32, &Device::Cpu).unwrap(),
        );
        let e = Student::from_safetensors(&to_bytes(&wrong, "wrong"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("conv0.bias"), "{e}");
    }
}
