//! Shared helpers of the CLI's integration tests: run the `earshot` binary, assert a refusal,
//! write WAV files and temporary folders.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root: `earshot` runs there, so its default asset paths (pkg/...) resolve.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A shipped asset in pkg/.
pub fn pkg(name: &str) -> PathBuf {
    root().join("pkg").join(name)
}

/// A test fixture in crates/cli/tests/fixtures/.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Run `earshot` with `args` from the repository root.
pub fn earshot<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earshot"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run earshot")
}

/// `earshot search --json ARGS`, which must succeed: its JSON document.
pub fn search_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let out = earshot(&all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Exit 2, exactly one line on stderr and nothing on stdout, no panic; returns the line.
pub fn refused<S: AsRef<OsStr> + std::fmt::Debug>(args: &[S]) -> String {
    let out = earshot(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "args {args:?}: stderr {err}");
    assert_eq!(err.lines().count(), 1, "one line expected, got: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "stdout not empty for {args:?}");
    err
}

/// [`refused`], and the line names `subject` and says `reason` (case-insensitive).
pub fn assert_refused<S: AsRef<OsStr> + std::fmt::Debug>(args: &[S], subject: &str, reason: &str) {
    let err = refused(args);
    assert!(err.contains(subject), "{err:?} should name {subject:?}");
    assert!(
        err.to_lowercase().contains(&reason.to_lowercase()),
        "{err:?} should say {reason:?}"
    );
}

/// `earshot mfcc FILE --json`, which must succeed: the frames and the whole document.
pub fn mfcc_json(path: &Path) -> (Vec<Vec<f32>>, serde_json::Value) {
    let out = earshot(&[OsStr::new("mfcc"), path.as_os_str(), OsStr::new("--json")]);
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let frames: Vec<Vec<f32>> = serde_json::from_value(v["frames"].clone()).expect("frames");
    (frames, v)
}

/// The header of a PCM (format 1, 16-bit) or IEEE float (format 3, 32-bit) WAV file whose data
/// chunk holds `data_len` bytes.
pub fn wav_header(rate: u32, channels: u16, data_len: u32, float: bool) -> Vec<u8> {
    let bytes_per: u16 = if float { 4 } else { 2 };
    let mut b = Vec::with_capacity(44);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&data_len.saturating_add(36).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt \x10\x00\x00\x00");
    b.extend_from_slice(&(if float { 3u16 } else { 1u16 }).to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(channels * bytes_per)).to_le_bytes());
    b.extend_from_slice(&(channels * bytes_per).to_le_bytes());
    b.extend_from_slice(&(bytes_per * 8).to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    b
}

/// A WAV file: 16-bit PCM or 32-bit float, `frames` interleaved (one `Vec` of `channels` per
/// frame). 16-bit samples are clamped to ±1 and scaled by 32767.
pub fn wav(rate: u32, channels: u16, frames: &[Vec<f32>], float: bool) -> Vec<u8> {
    let bytes_per = if float { 4 } else { 2 };
    let data_len = (frames.len() * usize::from(channels) * bytes_per) as u32;
    let mut b = wav_header(rate, channels, data_len, float);
    for frame in frames {
        assert_eq!(frame.len(), usize::from(channels));
        for &s in frame {
            if float {
                b.extend_from_slice(&s.to_le_bytes());
            } else {
                b.extend_from_slice(&((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes());
            }
        }
    }
    b
}

/// `n` one-channel frames of `f(i)`.
pub fn mono(n: usize, f: impl Fn(usize) -> f32) -> Vec<Vec<f32>> {
    (0..n).map(|i| vec![f(i)]).collect()
}

/// A decaying chirp with some noise: broadband and deterministic.
pub fn signal(i: usize, rate: f32) -> f32 {
    let t = i as f32 / rate;
    let noise = ((i as u32).wrapping_mul(2_654_435_761) >> 8) as f32 / 16_777_216.0 - 0.5;
    0.5 * (2.0 * std::f32::consts::PI * (300.0 + 2000.0 * t) * t).sin() * (-t).exp() + 0.05 * noise
}

/// A temporary folder, removed on drop.
pub struct Temp(pub PathBuf);

impl Temp {
    pub fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("earshot-cli-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Temp(dir)
    }
    /// Write `bytes` to `name` in the folder.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    /// [`Temp::file`], as a `String` for argument lists.
    pub fn path(&self, name: &str, bytes: &[u8]) -> String {
        self.file(name, bytes).to_str().unwrap().to_string()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
