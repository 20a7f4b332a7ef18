//! Pure analysis of decoded audio (run in the search worker): the same core calls as the CLI,
//! plus the user-facing messages. No web types here, so it is testable natively.

use earshot_core::{AudioInput, Frames};

use crate::waveform::{self, Extent};

/// Everything the page shows about one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Shown as text, never as HTML.
    pub name: String,
    /// Length of the decoded audio in seconds (decoded samples / native rate).
    pub seconds: f64,
    pub native_rate: u32,
    pub channels: usize,
    /// The waveform envelope ([`waveform::envelope`]) of the mono signal at `rate`, the model's
    /// front end's rate (what the features are computed from).
    pub envelope: Vec<Extent>,
    pub rate: u32,
    /// The front end's mel spectrogram in dB, frame-major (one frame per feature frame).
    pub mel_db: Frames,
}

/// Run the model's front end (`input`) on planar channels decoded at `sample_rate`: one pass
/// gives the pictures of the sound and the model's input (the second value).
pub fn analyse(
    input: &AudioInput,
    name: &str,
    channels: &[Vec<f32>],
    sample_rate: u32,
) -> Result<(Analysis, Vec<f32>), String> {
    let heard = input
        .hear(channels, sample_rate)
        .map_err(|e| core_failed(name, &e))?;
    let analysis = Analysis {
        name: name.to_owned(),
        seconds: seconds(channels, sample_rate),
        native_rate: sample_rate,
        channels: channels.len(),
        envelope: waveform::envelope(&heard.samples),
        rate: heard.rate,
        mel_db: heard.spectrogram,
    };
    Ok((analysis, heard.input))
}

/// "2.35 s"
/// How long decoded audio lasts (0 without a sample rate).
pub fn seconds(channels: &[Vec<f32>], sample_rate: u32) -> f64 {
    if sample_rate > 0 {
        channels.first().map_or(0, Vec::len) as f64 / f64::from(sample_rate)
    } else {
        0.0
    }
}

pub fn format_seconds(s: f64) -> String {
    format!("{s:.2} s")
}

/// "44.1 kHz · 2 channels → mono 22.05 kHz" (`analysed_at`: the model's front end's rate)
pub fn format_source(rate: u32, channels: usize, analysed_at: u32) -> String {
    let ch = if channels == 1 {
        "1 channel".to_owned()
    } else {
        format!("{channels} channels")
    };
    format!("{} kHz · {ch} → mono {} kHz", khz(rate), khz(analysed_at))
}

/// 44100 → "44.1", 48000 → "48", 22050 → "22.05".
fn khz(rate: u32) -> String {
    let s = format!("{:.2}", f64::from(rate) / 1000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A core error as one sentence naming the file.
pub fn core_failed(name: &str, err: &earshot_core::Error) -> String {
    sentence(&format!("Could not analyse “{name}”: {err}"))
}

pub fn empty_file(name: &str) -> String {
    format!("Could not read “{name}”: the file is empty.")
}

pub fn read_failed(name: &str) -> String {
    format!("Could not read “{name}”: the browser refused to open it.")
}

pub fn decode_failed(name: &str) -> String {
    format!("Could not decode “{name}”: the file is not audio or is damaged.")
}

/// Ends `s` with a full stop unless it already ends with punctuation.
pub fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?', '…']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_end_with_a_stop() {
        let e = earshot_core::Error::NonFinite(3);
        assert_eq!(
            core_failed("a.wav", &e),
            "Could not analyse “a.wav”: contains 3 NaN or infinite samples."
        );
        assert!(decode_failed("x.mp3").contains("“x.mp3”"));
        assert_eq!(sentence("done."), "done.");
    }

    #[test]
    fn formats() {
        assert_eq!(format_seconds(2.3456), "2.35 s");
        assert_eq!(
            format_source(44_100, 2, 22_050),
            "44.1 kHz · 2 channels → mono 22.05 kHz"
        );
        assert_eq!(
            format_source(48_000, 1, 44_100),
            "48 kHz · 1 channel → mono 44.1 kHz"
        );
    }
}
