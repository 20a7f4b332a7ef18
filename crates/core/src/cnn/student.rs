//! A small CNN distilled from the aisfx network ([`super::Walnet`]): the same log-mel blocks in,
//! a 512-d embedding out, at under a twentieth of the multiply-adds (84 M a block against 1.9 G).
//!
//! Layers (3×3 convolutions, padding 1, each followed by ReLU): 1 → 16, max-pool 2; 16 → 24,
//! 24 → 24, max-pool 2; 24 → 64, 64 → 64, max-pool 2; 64 → 128, 128 → 128; then the mean over
//! frequency and the maximum over time (as the teacher), and a linear layer 128 → 512.
//!
//! [`forward`] is the one definition of the network: the app and the CLI run it on loaded
//! weights, and `earshot distill` trains it on candle variables, so training and inference
//! cannot drift apart. Weights: safetensors with `conv{i}.weight` (out × in × 3 × 3),
//! `conv{i}.bias`, `head.weight` (512 × 128) and `head.bias`, f16 or f32.

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

/// The student with its weights loaded.
#[derive(Debug)]
pub struct Student {
    weights: HashMap<String, Tensor>,
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
        Ok(Self { weights, device })
    }

    /// Embeds `n` blocks (as [`super::blocks`] returns them): `n` × [`EMBEDDING_DIM`] values.
    pub fn embed_blocks(&self, n: usize, blocks: &[f32]) -> Result<Vec<Vec<f32>>> {
        check_blocks("student CNN", n, blocks)?;
        let x =
            Tensor::from_slice(blocks, (n, 1, BLOCK_FRAMES, N_MELS), &self.device).map_err(err)?;
        forward(&x, &self.weights)
            .and_then(|y| y.to_vec2::<f32>())
            .map_err(err)
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
