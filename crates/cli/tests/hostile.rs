//! The hostile-input catalogue of the CLI (issue 7; the table is in docs/hardening.md): damaged,
//! odd and oversized audio, damaged model, index and vocabulary files, and hostile text queries.
//! Each case either gives a correct result or exits 2 with one line naming the file or argument
//! and the reason; none panics, hangs or runs out of memory. Bad input already covered by
//! cli.rs and search.rs (empty and text-as-WAV files, NaN/inf floats, no samples, version 99,
//! truncated assets, ...) is not repeated here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{
    assert_refused, earshot, fixture, mfcc_json, mono, pkg, refused, signal, wav, wav_header, Temp,
};
use earshot_core::{MAX_FILE_BYTES, MAX_SECONDS};

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `mfcc --json` of `path` succeeds with `n` frames of 100 finite coefficients.
fn gives_frames(path: &Path, n: usize) -> Vec<Vec<f32>> {
    let (frames, _) = mfcc_json(path);
    assert_eq!(frames.len(), n, "{}", path.display());
    assert!(
        frames
            .iter()
            .all(|f| f.len() == 100 && f.iter().all(|x| x.is_finite())),
        "{}",
        path.display()
    );
    frames
}

/// `search --audio` of `path` succeeds with `top` results.
fn audio_search_works(path: &Path, top: usize) {
    let out = earshot(&[
        "search",
        "--json",
        "--top",
        &top.to_string(),
        "--audio",
        arg(path),
    ]);
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), top);
}

/// A WAV file of `seconds` of silence at `rate`/`channels` whose samples are never written: a
/// sparse file, so a long one costs no disk space.
fn sparse_wav(t: &Temp, name: &str, rate: u32, channels: u16, data_len: u64) -> std::path::PathBuf {
    let p = t.0.join(name);
    let mut f = File::create(&p).unwrap();
    f.write_all(&wav_header(
        rate,
        channels,
        u32::try_from(data_len).unwrap_or(u32::MAX),
        false,
    ))
    .unwrap();
    f.set_len(44 + data_len).unwrap();
    p
}

// ---- audio: every format empty, truncated and corrupt ----

#[test]
fn empty_files_of_every_format_are_refused() {
    let t = Temp::new("h-empty");
    for name in ["empty.flac", "empty.ogg", "empty.mp3", "empty"] {
        let p = t.file(name, &[]);
        assert_refused(&["mfcc", arg(&p)], name, "is empty (0 bytes)");
    }
}

#[test]
fn files_cut_inside_their_header_are_refused() {
    let t = Temp::new("h-cut-header");
    for name in ["glass_rub.flac", "glass_rub.ogg", "glass_rub.mp3"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        // FLAC: inside STREAMINFO; Ogg: inside the identification page; MP3: inside the ID3 tag.
        let p = t.file(name, &bytes[..30]);
        let err = refused(&["mfcc", arg(&p)]);
        assert!(err.contains(name), "{err}");
        assert!(
            err.contains("not a readable audio file") || err.contains("no audio samples"),
            "{err}"
        );
    }
}

#[test]
fn files_cut_inside_their_audio_keep_what_was_read() {
    let t = Temp::new("h-cut-audio");
    // The whole clip gives 151 frames; the first half of each file gives fewer, finite ones.
    for name in ["glass_rub.flac", "glass_rub.mp3"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let p = t.file(name, &bytes[..bytes.len() / 2]);
        let (frames, _) = mfcc_json(&p);
        assert!(
            (40..151).contains(&frames.len()),
            "{name}: {} frames",
            frames.len()
        );
        assert!(frames.iter().flatten().all(|x| x.is_finite()), "{name}");
    }
    // symphonia's Ogg reader reads the last page while probing, so a cut Ogg file is refused
    // whole (a known limit, docs/hardening.md).
    let bytes = std::fs::read(fixture("glass_rub.ogg")).unwrap();
    let p = t.file("glass_rub.ogg", &bytes[..bytes.len() / 2]);
    assert_refused(
        &["mfcc", arg(&p)],
        "glass_rub.ogg",
        "not a readable audio file",
    );
}

/// Bytes 1000.. of every 37th block of 64 bytes overwritten with noise: the header survives,
/// the audio is damaged.
fn scramble(bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for (i, x) in b.iter_mut().enumerate().skip(1000) {
        if (i / 64) % 37 == 0 {
            *x = (i as u32).wrapping_mul(2_654_435_761).to_le_bytes()[3];
        }
    }
    b
}

#[test]
fn corrupt_audio_is_decoded_around_the_damage() {
    let t = Temp::new("h-corrupt");
    for name in ["glass_rub.wav", "glass_rub.flac", "glass_rub.mp3"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let p = t.file(name, &scramble(&bytes));
        let out = earshot(&["mfcc", "--json", arg(&p)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let frames = v["frames"].as_array().unwrap();
        assert!(!frames.is_empty(), "{name}");
        assert!(
            frames
                .iter()
                .flat_map(|f| f.as_array().unwrap())
                .all(|x| x.as_f64().is_some_and(f64::is_finite)),
            "{name}"
        );
    }
    // Ogg pages carry a checksum: a damaged Ogg file is refused, saying so.
    let bytes = std::fs::read(fixture("glass_rub.ogg")).unwrap();
    let p = t.file("glass_rub.ogg", &scramble(&bytes));
    assert_refused(&["mfcc", arg(&p)], "glass_rub.ogg", "crc mismatch");
}

#[test]
fn a_wav_header_with_an_absurd_format_is_refused() {
    let t = Temp::new("h-fmt");
    let good = wav(22_050, 1, &mono(2205, |i| signal(i, 22_050.0)), false);
    // Sample rate 0, and 0 channels, in an otherwise intact header.
    let mut zero_rate = good.clone();
    zero_rate[24..28].copy_from_slice(&0u32.to_le_bytes());
    let mut zero_channels = good.clone();
    zero_channels[22..24].copy_from_slice(&0u16.to_le_bytes());
    // An unknown codec tag (0x1234) instead of PCM.
    let mut codec = good.clone();
    codec[20..22].copy_from_slice(&0x1234u16.to_le_bytes());
    for (name, bytes) in [
        ("rate0.wav", zero_rate),
        ("channels0.wav", zero_channels),
        ("codec.wav", codec),
    ] {
        let p = t.file(name, &bytes);
        let err = refused(&["mfcc", arg(&p)]);
        assert!(err.contains(name), "{err}");
    }
}

// ---- audio: names that lie ----

#[test]
fn files_are_decoded_by_content_whatever_their_extension() {
    let t = Temp::new("h-ext");
    let reference = gives_frames(&fixture("glass_rub.flac"), 151);
    // FLAC named .wav and .mp3, and without an extension: the same samples, the same numbers.
    let flac = std::fs::read(fixture("glass_rub.flac")).unwrap();
    for name in ["flac-named.wav", "flac-named.mp3", "flac-no-extension"] {
        assert_eq!(gives_frames(&t.file(name, &flac), 151), reference, "{name}");
    }
    // WAV named .ogg, Ogg named .mp3, MP3 named .flac: each still decodes.
    for (src, name) in [
        ("glass_rub.wav", "wav-named.ogg"),
        ("glass_rub.ogg", "ogg-named.mp3"),
        ("glass_rub.mp3", "mp3-named.flac"),
    ] {
        let bytes = std::fs::read(fixture(src)).unwrap();
        gives_frames(&t.file(name, &bytes), 151);
    }
}

#[test]
fn a_non_audio_file_with_an_audio_extension_is_refused_by_search_too() {
    let t = Temp::new("h-png");
    // A PNG signature and an HTML page, named as audio, as a search query.
    for (name, bytes) in [
        ("image.ogg", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".repeat(40)),
        (
            "page.mp3",
            b"<html><script>alert(1)</script></html>\n".repeat(40),
        ),
    ] {
        let p = t.file(name, &bytes);
        assert_refused(
            &["search", "--audio", arg(&p)],
            name,
            "not a readable audio file",
        );
    }
}

// ---- audio: lengths ----

#[test]
fn a_window_of_551_samples_gives_three_frames() {
    let t = Temp::new("h-551");
    let p = t.file(
        "551.wav",
        &wav(22_050, 1, &mono(551, |i| signal(i, 22_050.0)), false),
    );
    gives_frames(&p, 3);
    audio_search_works(&p, 3);
}

#[test]
fn a_one_sample_file_can_be_a_query() {
    let t = Temp::new("h-one");
    let p = t.file("one.wav", &wav(44_100, 1, &mono(1, |_| 0.25), false));
    gives_frames(&p, 1);
    audio_search_works(&p, 2);
}

#[test]
fn a_one_hour_file_is_refused_with_the_limit_in_bounded_memory() {
    let t = Temp::new("h-hour");
    // One hour of 44.1 kHz stereo: 635 MB of samples, sparse on disk. Decoding stops at the
    // 20-minute limit (≈ 106 M samples held), well before the end of the file.
    let p = sparse_wav(&t, "hour.wav", 44_100, 2, 3600 * 44_100 * 4);
    let start = Instant::now();
    let err = refused(&["mfcc", arg(&p)]);
    assert!(err.contains("hour.wav"), "{err}");
    assert!(
        err.contains(&format!("the limit is {} minutes", MAX_SECONDS / 60)),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_file_just_over_the_time_limit_is_refused_and_one_under_is_not() {
    let t = Temp::new("h-limit");
    // 8 kHz mono keeps these small: 20 minutes is 19.2 MB.
    let limit = u64::from(MAX_SECONDS) * 8000;
    let over = sparse_wav(&t, "over.wav", 8000, 1, (limit + 8000) * 2);
    assert_refused(
        &["search", "--audio", arg(&over)],
        "over.wav",
        "the limit is 20 minutes",
    );
    let under = sparse_wav(&t, "under.wav", 8000, 1, limit * 2);
    let out = earshot(&["mfcc", arg(&under)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1200.000 s"));
}

#[test]
fn too_many_samples_at_a_high_rate_are_refused() {
    let t = Temp::new("h-samples");
    // Eight channels at 192 kHz: the sample limit (20 minutes of 48 kHz stereo) is reached
    // after 150 s.
    let p = sparse_wav(&t, "dense.wav", 192_000, 8, 200 * 192_000 * 16);
    assert_refused(&["mfcc", arg(&p)], "dense.wav", "samples over all channels");
}

#[test]
fn a_two_gigabyte_file_is_refused_at_once_without_reading_it() {
    let t = Temp::new("h-2gb");
    let p = sparse_wav(&t, "huge.wav", 44_100, 2, 2 << 30);
    let start = Instant::now();
    let err = refused(&["mfcc", arg(&p)]);
    assert!(err.contains("huge.wav"), "{err}");
    assert!(
        err.contains(&format!("the limit is {} MiB", MAX_FILE_BYTES >> 20)),
        "{err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // The same file as a search query, and as the index or model of a search.
    assert_refused(&["search", "--audio", arg(&p)], "huge.wav", "MiB");
    assert_refused(
        &["search", "--text", "dog", "--index", arg(&p)],
        "huge.wav",
        "MiB",
    );
    assert_refused(
        &["search", "--text", "dog", "--model", arg(&p)],
        "huge.wav",
        "MiB",
    );
}

// ---- audio: odd signals that are valid ----

#[test]
fn silence_dc_offset_and_clipping_give_results() {
    let t = Temp::new("h-signals");
    let n = 22_050;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("silence.wav", wav(22_050, 1, &mono(n, |_| 0.0), false)),
        // A constant offset of 0.8 with a small signal on top.
        (
            "dc.wav",
            wav(
                22_050,
                1,
                &mono(n, |i| 0.8 + 0.1 * signal(i, 22_050.0)),
                false,
            ),
        ),
        // Driven 20 dB into the rails: a square-ish wave at full scale.
        (
            "clipped.wav",
            wav(22_050, 1, &mono(n, |i| 10.0 * signal(i, 22_050.0)), false),
        ),
        // Float samples far beyond ±1 (a "hot" float file), not clamped by anyone.
        (
            "hot-float.wav",
            wav(22_050, 1, &mono(n, |i| 1e4 * signal(i, 22_050.0)), true),
        ),
    ];
    for (name, bytes) in &cases {
        let p = t.file(name, bytes);
        gives_frames(&p, 101);
        audio_search_works(&p, 3);
    }
}

#[test]
fn eight_khz_and_192_khz_eight_channel_files_give_results() {
    let t = Temp::new("h-rates");
    // 1 s at 8 kHz and at 192 kHz (8 channels): 22 050 samples after resampling, 101 frames.
    let low = t.file(
        "8k.wav",
        &wav(8000, 1, &mono(8000, |i| signal(i, 8000.0)), false),
    );
    gives_frames(&low, 101);
    audio_search_works(&low, 3);
    let frames: Vec<Vec<f32>> = (0..192_000)
        .map(|i| (0..8).map(|c| signal(i + 97 * c, 192_000.0)).collect())
        .collect();
    let high = t.file("192k-8ch.wav", &wav(192_000, 8, &frames, false));
    gives_frames(&high, 101);
    audio_search_works(&high, 3);
}

#[test]
fn unsupported_sample_rates_are_named() {
    let t = Temp::new("h-sr");
    let p = t.file("500hz.wav", &wav(500, 1, &mono(500, |_| 0.1), false));
    assert_refused(
        &["mfcc", arg(&p)],
        "500hz.wav",
        "unsupported sample rate 500 Hz",
    );
}

// ---- model JSON ----

fn shipped_model() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(pkg("model.json")).unwrap()).unwrap()
}

#[test]
fn malformed_model_json_is_refused() {
    let t = Temp::new("h-model");
    for (name, bytes, reason) in [
        ("empty.json", b"".to_vec(), "not valid model JSON"),
        ("text.json", b"hello".to_vec(), "not valid model JSON"),
        ("array.json", b"[1, 2, 3]".to_vec(), "not valid model JSON"),
        (
            "nan.json",
            b"{\"format\": NaN}".to_vec(),
            "not valid model JSON",
        ),
        (
            "latin1.json",
            b"{\"format\": \"caf\xe9\"}".to_vec(),
            "not UTF-8",
        ),
    ] {
        let p = t.file(name, &bytes);
        assert_refused(
            &["search", "--text", "dog", "--model", arg(&p)],
            name,
            reason,
        );
    }
}

#[test]
fn models_with_wrong_contents_are_refused_naming_the_problem() {
    let t = Temp::new("h-model-contents");
    let nan = earshot_core::pack_tensor(&[1024], &[f32::NAN; 1024], "f32");
    let inf_values = serde_json::json!({"shape": [1024], "values": vec![1e39; 1024]});
    type Edit = fn(&mut serde_json::Value, &serde_json::Value, &serde_json::Value);
    let cases: [(&str, Edit, &str); 7] = [
        (
            "format.json",
            |m, _, _| m["format"] = "onnx".into(),
            "format is \"onnx\"",
        ),
        (
            "nan-bias.json",
            |m, nan, _| m["audio_input"]["bias"] = nan.clone(),
            "non-finite value",
        ),
        (
            "huge-bias.json",
            |m, _, inf| m["audio_input"]["bias"] = inf.clone(),
            "non-finite value",
        ),
        (
            "shape.json",
            |m, _, _| m["layers"][0]["weight"]["shape"] = serde_json::json!([512, 1000]),
            "expected inputs 1024",
        ),
        (
            "dtype.json",
            |m, _, _| m["layers"][1]["weight"]["dtype"] = "f64".into(),
            "unknown dtype",
        ),
        (
            "no-layers.json",
            |m, _, _| m["layers"] = serde_json::json!([]),
            "no layers",
        ),
        (
            "std0.json",
            |m, _, _| m["audio"]["std"][7] = 0.0.into(),
            "non-positive",
        ),
    ];
    for (name, edit, reason) in cases {
        let mut m = shipped_model();
        edit(&mut m, &serde_json::to_value(&nan).unwrap(), &inf_values);
        let p = t.path(name, m.to_string().as_bytes());
        assert_refused(&["search", "--text", "dog", "--model", &p], name, reason);
    }
}

// ---- index and vocabulary ----

#[test]
fn damaged_indexes_are_refused_naming_the_problem() {
    let t = Temp::new("h-index");
    let index = std::fs::read(pkg("index.bin")).unwrap();
    let meta_len = u32::from_le_bytes(index[24..28].try_into().unwrap()) as usize;
    let mut count = index.clone();
    count[12..16].copy_from_slice(&5u32.to_le_bytes());
    let mut dim0 = index.clone();
    dim0[16..20].copy_from_slice(&0u32.to_le_bytes());
    let mut dtype = index.clone();
    dtype[20..24].copy_from_slice(&9u32.to_le_bytes());
    let mut meta = index.clone();
    meta[28] = b'[';
    let mut nan = index.clone();
    let body = 28 + meta_len;
    nan[body + 8..body + 12].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut extra = index.clone();
    extra.extend_from_slice(b"trailing");
    let model = std::fs::read(pkg("model.json")).unwrap();
    for (name, bytes, reason) in [
        ("empty.bin", vec![], "truncated (header)"),
        ("model.bin", model, "not an earshot index file"),
        (
            "library.json",
            br#"{"format":"earshot-library","version":1,"dim":3,"items":[{"name":"a"}]}"#.to_vec(),
            "not an earshot library export",
        ),
        ("header.bin", index[..20].to_vec(), "truncated (header)"),
        ("count.bin", count, "its header says"),
        ("dim0.bin", dim0, "invalid dimension 0"),
        ("dtype.bin", dtype, "unknown vector type 9"),
        ("meta.bin", meta, "metadata is not valid"),
        ("extra.bin", extra, "truncated or damaged"),
    ] {
        let p = t.path(name, &bytes);
        assert_refused(&["search", "--text", "dog", "--index", &p], name, reason);
    }
    // NaN vector values: only an f32 index can hold them (an i8 one has finite codes).
    let p = t.path("nan.bin", &nan);
    let err = refused(&["search", "--text", "dog", "--index", &p]);
    assert!(err.contains("nan.bin"), "{err}");
}

#[test]
fn damaged_vocabularies_are_refused() {
    let t = Temp::new("h-vocab");
    let vocab = std::fs::read(pkg("vocab.bin")).unwrap();
    let mut version = vocab.clone();
    version[8] = 3;
    let mut bits = vocab.clone();
    bits[20] = 5;
    for (name, bytes, reason) in [
        (
            "index.bin",
            std::fs::read(pkg("index.bin")).unwrap(),
            "not an earshot vocabulary",
        ),
        ("v3.bin", version, "version 3"),
        ("bits.bin", bits, "invalid sizes"),
        ("cut.bin", vocab[..vocab.len() - 1].to_vec(), "truncated"),
    ] {
        let p = t.path(name, &bytes);
        assert_refused(&["search", "--text", "dog", "--vocab", &p], name, reason);
    }
}

// ---- text queries ----

/// `search --json --text q` succeeds; the query is echoed exactly.
fn text_results(q: &str) -> serde_json::Value {
    let out = earshot(&["search", "--json", "--top", "3", "--text", q]);
    assert!(
        out.status.success(),
        "{q:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["query"]["value"], q);
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    v
}

#[test]
fn whitespace_only_queries_are_refused() {
    for q in [" ", "\t\n  \r\n", "\u{a0}\u{2003}\u{3000}"] {
        assert_refused(&["search", "--text", q], "--text", "no words");
    }
}

#[test]
fn a_query_of_100000_characters_is_refused_with_the_limit() {
    let q = "a".repeat(100_000);
    assert_refused(
        &["search", "--text", &q],
        "--text",
        "100000 characters long; the limit is 1000",
    );
}

#[test]
fn emoji_queries() {
    // Emoji alone have no words; with a word they search for the word.
    assert_refused(&["search", "--text", "🐶🔔🎸"], "--text", "no words");
    let v = text_results("🐶 dog 🐕‍🦺");
    assert_eq!(v["results"][0]["label"], "Canidae_dogs_wolves");
}

#[test]
fn right_to_left_queries() {
    // Arabic and Hebrew words are words, just not in the (English) vocabulary: named back.
    assert_refused(
        &["search", "--text", "كلب ينبح"],
        "--text",
        "no word of the query is in the vocabulary (كلب, ينبح)",
    );
    assert_refused(&["search", "--text", "כלב"], "--text", "(כלב)");
    // Mixed with English, and with a right-to-left override character: results for "dog".
    text_results("كلب dog");
    text_results("\u{202e}dog\u{202c}");
}

#[test]
fn html_and_script_injection_is_plain_text() {
    // Words of the markup are searched for like any others; the JSON echoes the query escaped.
    for q in [
        "<script>alert('dog')</script>",
        "\"><img src=x onerror=alert(1)> dog",
        "dog'; DROP TABLE clips; --",
        "{{7*7}} ${jndi:ldap://x} dog",
    ] {
        text_results(q);
    }
}

#[test]
fn a_query_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"dog \xff\xfe");
    let err = refused(&[
        std::ffi::OsStr::new("search"),
        std::ffi::OsStr::new("--text"),
        bad,
    ]);
    assert!(err.to_lowercase().contains("utf-8"), "{err}");
}
