//! Decoding of WAV, FLAC, Ogg Vorbis and MP3 (and AIFF) files with symphonia, to planar f32 at the
//! file's own rate. The core then mixes down and resamples, exactly as in the app.

use std::fs::File;
use std::path::Path;

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// Decoded audio: one `Vec` per channel at `sample_rate`.
#[derive(Debug)]
pub struct Decoded {
    pub sample_rate: u32,
    pub channels: Vec<Vec<f32>>,
    pub format: &'static str,
}

impl Decoded {
    pub fn n_samples(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }
}

const NOT_AUDIO: &str = "not a readable audio file (WAV, FLAC, Ogg Vorbis or MP3)";

/// Decode `path`. Errors are one human sentence (the caller adds the file name).
pub fn decode(path: &Path) -> Result<Decoded, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("is a directory, not an audio file".into());
    }
    if meta.len() == 0 {
        return Err("is empty (0 bytes)".into());
    }
    let file = File::open(path).map_err(|e| io_reason(&e))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(&ext.to_ascii_lowercase());
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| match e {
            SymError::IoError(_) | SymError::Unsupported(_) => NOT_AUDIO.to_string(),
            other => format!("{NOT_AUDIO}: {other}"),
        })?;
    let format_name = format.format_info().short_name;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or("contains no audio track")?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or("contains no audio track")?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| format!("uses an unsupported codec ({e})"))?;

    let mut channels: Vec<Vec<f32>> = Vec::new();
    let mut scratch: Vec<Vec<f32>> = Vec::new();
    let mut sample_rate = 0u32;
    let mut bad_packets = 0usize;
    let mut last_error = String::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            // A truncated file ends early: keep what was read.
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) => {
                if channels.iter().all(Vec::is_empty) {
                    return Err(format!("is damaged ({e})"));
                }
                break;
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(buf) => {
                let rate = buf.spec().rate();
                if sample_rate == 0 {
                    sample_rate = rate;
                } else if rate != sample_rate {
                    return Err(format!(
                        "changes sample rate mid-stream ({sample_rate} Hz to {rate} Hz)"
                    ));
                }
                buf.copy_to_vecs_planar::<f32>(&mut scratch);
                if channels.is_empty() {
                    channels.resize(scratch.len(), Vec::new());
                }
                if scratch.len() != channels.len() {
                    return Err("changes its channel count mid-stream".into());
                }
                for (dst, src) in channels.iter_mut().zip(&scratch) {
                    dst.extend_from_slice(src);
                }
            }
            Err(SymError::DecodeError(e)) => {
                bad_packets += 1;
                last_error = e.to_string();
            }
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(format!("could not be decoded ({e})")),
        }
    }
    if channels.iter().all(Vec::is_empty) {
        return Err(if bad_packets > 0 {
            format!("could not be decoded: {bad_packets} damaged packets ({last_error})")
        } else {
            "contains no audio samples".into()
        });
    }
    Ok(Decoded {
        sample_rate,
        channels,
        format: format_name,
    })
}

/// A file-system error as a short reason ("no such file", ...).
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot be read ({e})"),
    }
}
