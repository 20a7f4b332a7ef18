//! End-to-end tests of the `earshot` binary: real clips in every format, edge cases and bad
//! input. Bad input must exit 2 with exactly one line on stderr naming the file and the reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_refused, earshot, fixture, mfcc_json, mono, signal, wav, Temp};

fn mean_frame(frames: &[Vec<f32>]) -> Vec<f64> {
    let mut m = vec![0.0f64; frames[0].len()];
    for f in frames {
        for (a, &b) in m.iter_mut().zip(f) {
            *a += f64::from(b) / frames.len() as f64;
        }
    }
    m
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

#[test]
fn mfcc_json_has_the_contract_shape_for_a_real_clip() {
    let (frames, v) = mfcc_json(&fixture("glass_rub.wav"));
    assert_eq!(v["sample_rate"], 22050);
    assert_eq!(v["n_mfcc"], 100);
    // 1.5 s at 44.1 kHz = 66150 samples -> 33075 at 22.05 kHz -> 1 + 33075 / 220 frames.
    assert_eq!(frames.len(), 1 + 33075 / 220);
    assert!(frames
        .iter()
        .all(|f| f.len() == 100 && f.iter().all(|x| x.is_finite())));
    // A real, non-silent clip: c0 well above the silence floor, higher coefficients vary.
    let m = mean_frame(&frames);
    assert!(m[0] > -700.0 && m[0] < 0.0, "c0 {}", m[0]);
    assert!(m[1..].iter().any(|c| c.abs() > 5.0));
}

#[test]
fn every_format_decodes_to_the_same_features() {
    let (wav_frames, _) = mfcc_json(&fixture("glass_rub.wav"));
    let (flac_frames, _) = mfcc_json(&fixture("glass_rub.flac"));
    // FLAC is lossless: identical samples, identical numbers.
    assert_eq!(wav_frames, flac_frames);
    let reference = mean_frame(&wav_frames);
    for lossy in ["glass_rub.ogg", "glass_rub.mp3"] {
        let (frames, _) = mfcc_json(&fixture(lossy));
        // Gapless decoding keeps the length; lossy coding keeps the spectral envelope.
        assert_eq!(frames.len(), wav_frames.len(), "{lossy}");
        let c = cosine(&mean_frame(&frames), &reference);
        assert!(c > 0.999, "{lossy}: cosine {c}");
    }
}

#[test]
fn header_sniffing_agrees_with_the_decoder() {
    use earshot_core::{probe, Format};
    for (name, format) in [
        ("glass_rub.wav", Format::Wav),
        ("glass_rub.flac", Format::Flac),
        ("glass_rub.ogg", Format::OggVorbis),
        ("glass_rub.mp3", Format::Mp3),
    ] {
        let p = probe(&std::fs::read(fixture(name)).unwrap()).expect(name);
        assert_eq!(
            (p.format, p.sample_rate, p.channels),
            (format, 44_100, 2),
            "{name}"
        );
    }
}

#[test]
fn human_output_summarises_the_file() {
    let out = earshot(&["mfcc", fixture("glass_rub.flac").to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("44100 Hz, 2 channel(s), 66150 samples, 1.500 s"),
        "{text}"
    );
    assert!(text.contains("151 frames x 100 MFCC"), "{text}");
}

#[test]
fn bad_files_exit_2_with_one_line() {
    let t = Temp::new("bad");
    let good = wav(22_050, 1, &mono(4410, |i| signal(i, 22_050.0)), false);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.wav", vec![], "empty"),
        (
            "truncated-header.wav",
            good[..20].to_vec(),
            "not a readable audio file",
        ),
        (
            "notes.wav",
            b"just some text, not audio at all\n".repeat(20),
            "not a readable audio file",
        ),
        (
            "noise.mp3",
            (0..5000u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            "not a readable audio file",
        ),
        (
            "no-samples.wav",
            wav(22_050, 1, &[], false),
            "no audio samples",
        ),
        (
            "nan.wav",
            wav(
                22_050,
                1,
                &mono(2205, |i| if i == 100 { f32::NAN } else { 0.1 }),
                true,
            ),
            "nan or infinite",
        ),
        (
            "inf.wav",
            wav(
                22_050,
                2,
                &(0..2205)
                    .map(|i| vec![0.0, if i % 7 == 0 { f32::INFINITY } else { 0.0 }])
                    .collect::<Vec<_>>(),
                true,
            ),
            "nan or infinite",
        ),
    ];
    for (name, bytes, reason) in &cases {
        let p = t.file(name, bytes);
        assert_refused(&["mfcc", p.to_str().unwrap(), "--json"], name, reason);
    }
    assert_refused(
        &["mfcc", "does-not-exist.wav"],
        "does-not-exist.wav",
        "no such file",
    );
    assert_refused(
        &["mfcc", t.0.to_str().unwrap()],
        t.0.to_str().unwrap(),
        "directory",
    );
}

#[test]
fn a_wav_cut_inside_its_data_keeps_what_was_read() {
    let t = Temp::new("cut");
    let full = wav(22_050, 1, &mono(22_050, |i| signal(i, 22_050.0)), false);
    // Keep 0.5 s of the 1 s of samples: the header still claims 1 s.
    let p = t.file("cut.wav", &full[..44 + 2 * 11_025]);
    let (frames, _) = mfcc_json(&p);
    assert_eq!(frames.len(), 1 + 11_025 / 220);
}

#[test]
fn edge_signals_that_are_valid_audio_work() {
    let t = Temp::new("edge");
    // One sample: one centred frame.
    let (frames, _) = mfcc_json(&t.file("one.wav", &wav(22_050, 1, &mono(1, |_| 0.5), false)));
    assert_eq!(frames.len(), 1);
    // All zeros: every frame is the silence floor, identical and finite.
    let (frames, _) =
        mfcc_json(&t.file("zeros.wav", &wav(22_050, 1, &mono(22_050, |_| 0.0), false)));
    assert_eq!(frames.len(), 101);
    assert!(frames
        .iter()
        .all(|f| f == &frames[0] && f.iter().all(|x| x.is_finite())));
    // 192 kHz: resampled to 22 050 Hz (1 s -> 22050 samples -> 101 frames).
    let hi = wav(192_000, 1, &mono(192_000, |i| signal(i, 192_000.0)), false);
    let (frames, _) = mfcc_json(&t.file("hi.wav", &hi));
    assert_eq!(frames.len(), 101);
}

#[test]
fn eight_identical_channels_mix_down_to_the_mono_result() {
    let t = Temp::new("multi");
    let n = 24_000;
    let mono_frames = mono(n, |i| signal(i, 48_000.0));
    let eight: Vec<Vec<f32>> = mono_frames.iter().map(|f| vec![f[0]; 8]).collect();
    let (a, _) = mfcc_json(&t.file("mono.wav", &wav(48_000, 1, &mono_frames, false)));
    let (b, _) = mfcc_json(&t.file("eight.wav", &wav(48_000, 8, &eight, false)));
    assert_eq!(a.len(), 1 + 11_025 / 220);
    for (fa, fb) in a.iter().zip(&b) {
        for (x, y) in fa.iter().zip(fb) {
            assert!((x - y).abs() < 1e-3, "{x} vs {y}");
        }
    }
}

#[test]
fn a_ten_minute_file_is_processed() {
    let t = Temp::new("long");
    let n = 600 * 22_050;
    let p = t.file(
        "long.wav",
        &wav(22_050, 1, &mono(n, |i| signal(i % 44_100, 22_050.0)), false),
    );
    let out = earshot(&["mfcc", p.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("{} frames x 100 MFCC", 1 + n / 220)),
        "{text}"
    );
    assert!(text.contains("600.000 s"), "{text}");
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    for (args, needle) in [
        (vec![], "missing command"),
        (vec!["mfcc"], "required"),
        (vec!["mfcc", "x.wav", "--bogus"], "--bogus"),
        (vec!["transmogrify"], "transmogrify"),
    ] {
        let out = earshot(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{err:?} should contain {needle:?}");
    }
    let help = earshot(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("mfcc"));
}

#[test]
fn clip_vectors_in_half_precision_are_half_the_file_and_the_same_numbers() {
    let t = Temp::new("features-f16");
    let manifest = t.path(
        "manifest.csv",
        format!(
            "id,path,label,source_package,source_recording,licence,duration,split\n\
             a,{},Glass,test,test:a,CC0-1.0,1.0,train\n\
             b,{},Glass,test,test:b,CC0-1.0,1.0,test\n",
            fixture("glass_rub.wav").display(),
            fixture("glass_rub.flac").display()
        )
        .as_bytes(),
    );
    let read = |f16: bool| {
        let out = t.0.join(if f16 { "half.bin" } else { "full.bin" });
        let mut args = vec!["features", "--manifest", &manifest, "--out"];
        args.push(out.to_str().unwrap());
        if f16 {
            args.push("--f16");
        }
        let run = earshot(&args);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let bytes = std::fs::read(&out).unwrap();
        let ix = earshot_core::Index::from_bytes(&bytes).unwrap();
        (bytes.len(), ix)
    };
    let (full_len, full) = read(false);
    let (half_len, half) = read(true);
    assert_eq!(full.len(), 2);
    assert_eq!(full.dim, 300);
    assert_eq!(full_len - half_len, 2 * 300 * 2, "2 bytes fewer per value");
    assert_eq!(half.items, full.items);
    assert_eq!(half.items[0].preview, "previews/a.mp3");
    for (h, f) in half.vectors().iter().zip(full.vectors()) {
        assert!((h - f).abs() <= f.abs() / 1000.0 + 1e-6, "{h} vs {f}");
    }
}
