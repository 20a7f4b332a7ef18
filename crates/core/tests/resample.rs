//! The band-limited resampler against soxr VHQ (committed fixtures) and against analytic sines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;

use common::{f32s, parse_wav16};
use earshot_core::{resample, resampled_len, TARGET_SR};
use realfft::RealFftPlanner;

/// Zeroes every FFT bin above `cutoff_hz` of `x` sampled at `sr` (whole-signal brickwall).
fn brickwall(x: &[f32], sr: u32, cutoff_hz: f64) -> Vec<f64> {
    let n = x.len();
    let mut planner = RealFftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(n);
    let inv = planner.plan_fft_inverse(n);
    let mut buf: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let mut spec = fwd.make_output_vec();
    fwd.process(&mut buf, &mut spec).unwrap();
    for (k, c) in spec.iter_mut().enumerate() {
        if k as f64 * f64::from(sr) / n as f64 > cutoff_hz {
            *c = realfft::num_complex::Complex::new(0.0, 0.0);
        }
    }
    // The DC and Nyquist bins of a real signal must stay real for the inverse transform.
    spec[0].im = 0.0;
    if let Some(last) = spec.last_mut() {
        last.im = 0.0;
    }
    let mut out = inv.make_output_vec();
    inv.process(&mut spec, &mut out).unwrap();
    out.iter().map(|v| v / n as f64).collect()
}

/// SNR (dB) of `got` against `want`, over `[skip, len - skip)`.
fn snr_db(got: &[f64], want: &[f64], skip: usize) -> f64 {
    let n = got.len().min(want.len());
    let (mut s, mut e) = (0.0f64, 0.0f64);
    for i in skip..n - skip {
        s += want[i] * want[i];
        e += (got[i] - want[i]).powi(2);
    }
    10.0 * (s / e.max(1e-300)).log10()
}

#[test]
fn matches_soxr_vhq_in_the_passband() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let items = m["resample"].as_array().unwrap();
    assert_eq!(items.len(), 4);
    let mut worst = f64::INFINITY;
    for it in items {
        let name = it["name"].as_str().unwrap();
        let from = it["from"].as_u64().unwrap() as u32;
        let (sr, x) =
            parse_wav16(&std::fs::read(dir.join(format!("resample/{name}.wav"))).unwrap());
        assert_eq!(sr, from);
        let want = f32s(&std::fs::read(dir.join(format!("resample/{name}.ref.f32"))).unwrap());
        let got = resample(&x, from, TARGET_SR).unwrap();
        assert_eq!(got.len(), resampled_len(x.len(), from, TARGET_SR), "{name}");
        assert_eq!(
            got.len(),
            it["n_out"].as_u64().unwrap() as usize,
            "{name}: soxr's length"
        );
        let cutoff = 0.9 * f64::from(from.min(TARGET_SR)) / 2.0;
        let skip = (0.05 * f64::from(TARGET_SR)) as usize;
        let snr = snr_db(
            &brickwall(&got, TARGET_SR, cutoff),
            &brickwall(&want, TARGET_SR, cutoff),
            skip,
        );
        // Unfiltered, for the record (differences above the passband are the filters' own).
        let raw = snr_db(
            &got.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
            &want.iter().map(|&v| f64::from(v)).collect::<Vec<_>>(),
            skip,
        );
        println!(
            "{name:22} {from:6} -> {TARGET_SR}: passband SNR {snr:6.1} dB (full band {raw:5.1} dB)"
        );
        worst = worst.min(snr);
        assert!(snr >= 60.0, "{name}: passband SNR {snr:.1} dB < 60 dB");
    }
    println!("worst passband SNR {worst:.1} dB");
}

/// Sines below 0.9 × the lower Nyquist frequency, sampled at the source rate, against the same
/// sines evaluated at the target rate (checks the passband gain and the time alignment).
#[test]
fn sum_of_sines_analytic() {
    let pairs = [
        (8000u32, 22050u32),
        (11025, 22050),
        (16000, 22050),
        (44100, 22050),
        (48000, 22050),
        (96000, 22050),
        (22050, 44100),
        (44100, 48000),
        (7919, 22050),
    ];
    for (from, to) in pairs {
        let nyq = 0.9 * f64::from(from.min(to)) / 2.0;
        let tones = [
            (0.013 * nyq, 0.3, 0.1),
            (0.21 * nyq, 0.2, 1.0),
            (0.55 * nyq, 0.2, 2.0),
            (0.98 * nyq, 0.1, 0.5),
        ];
        let signal = |t: f64| -> f64 {
            tones
                .iter()
                .map(|(f, a, ph)| a * (2.0 * std::f64::consts::PI * f * t + ph).sin())
                .sum()
        };
        let n_in = (0.5 * f64::from(from)) as usize;
        let x: Vec<f32> = (0..n_in)
            .map(|i| signal(i as f64 / f64::from(from)) as f32)
            .collect();
        let y = resample(&x, from, to).unwrap();
        assert_eq!(y.len(), resampled_len(n_in, from, to));
        let want: Vec<f64> = (0..y.len())
            .map(|k| signal(k as f64 / f64::from(to)))
            .collect();
        let got: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let skip = (0.05 * f64::from(to)) as usize;
        let snr = snr_db(&got, &want, skip);
        println!("sines {from:6} -> {to:6}: SNR {snr:6.1} dB");
        assert!(snr >= 60.0, "{from} -> {to}: SNR {snr:.1} dB");
    }
}

/// A tone above the target Nyquist frequency must not alias into the output.
#[test]
fn rejects_aliases() {
    for from in [44100u32, 48000, 96000] {
        let f = 13_000.0;
        let x: Vec<f32> = (0..from as usize / 2)
            .map(|i| (2.0 * std::f64::consts::PI * f * i as f64 / f64::from(from)).sin() as f32)
            .collect();
        let y = resample(&x, from, TARGET_SR).unwrap();
        let skip = 1100;
        let rms = (y[skip..y.len() - skip]
            .iter()
            .map(|v| f64::from(*v).powi(2))
            .sum::<f64>()
            / (y.len() - 2 * skip) as f64)
            .sqrt();
        let db = 20.0 * (rms / std::f64::consts::FRAC_1_SQRT_2).log10();
        println!("13 kHz tone {from} -> {TARGET_SR}: alias level {db:.1} dB");
        assert!(db < -100.0, "{from}: alias at {db:.1} dB");
    }
}
