//! `earshot mfcc FILE [--json]`.

use std::path::Path;

use earshot_core::{prepare, TARGET_SR};
use earshot_core::{FeatureExtractor, Frames, MfccConfig};
use serde::Serialize;

use crate::{decode, emit, Failure};

#[derive(Serialize)]
struct MfccJson<'a> {
    sample_rate: u32,
    n_mfcc: usize,
    frames: Vec<&'a [f32]>,
}

/// Decode, mix down, resample and compute the docs/interfaces.md §1 MFCC of `file`.
pub fn mfcc_of(file: &Path) -> Result<(decode::Decoded, Frames), Failure> {
    let name = file.display().to_string();
    let decoded = decode::decode(file).map_err(|r| Failure::new(&name, r))?;
    let y = prepare(&decoded.channels, decoded.sample_rate).map_err(|e| Failure::new(&name, e))?;
    let extractor = FeatureExtractor::new(MfccConfig::default());
    let m = extractor.mfcc(&y).map_err(|e| Failure::new(&name, e))?;
    Ok((decoded, m))
}

pub fn run(file: &Path, json: bool) -> Result<(), Failure> {
    let (decoded, m) = mfcc_of(file)?;
    if json {
        let doc = MfccJson {
            sample_rate: TARGET_SR,
            n_mfcc: m.n_rows,
            frames: (0..m.n_frames).map(|i| m.frame(i)).collect(),
        };
        return emit(|out| {
            serde_json::to_writer(&mut *out, &doc).map_err(std::io::Error::from)?;
            writeln!(out)
        });
    }
    let seconds = decoded.n_samples() as f64 / f64::from(decoded.sample_rate);
    emit(|out| {
        writeln!(out, "file         {}", file.display())?;
        writeln!(out, "format       {}", decoded.format)?;
        writeln!(
            out,
            "decoded      {} Hz, {} channel(s), {} samples, {seconds:.3} s",
            decoded.sample_rate,
            decoded.channels.len(),
            decoded.n_samples()
        )?;
        writeln!(
            out,
            "features at  {TARGET_SR} Hz, {} frames x {} MFCC",
            m.n_frames, m.n_rows
        )?;
        let mean = |row: usize| {
            (0..m.n_frames)
                .map(|f| f64::from(m.frame(f)[row]))
                .sum::<f64>()
                / m.n_frames as f64
        };
        let shown: Vec<String> = (0..m.n_rows.min(8))
            .map(|r| format!("{:.2}", mean(r)))
            .collect();
        writeln!(out, "mean MFCC    [{}, ...]", shown.join(", "))
    })
}
