//! Decoding of WAV, FLAC, Ogg Vorbis and MP3 (and AIFF) with symphonia, to planar f32 at the
//! file's own rate. The CLI decodes files with it and the app's worker decodes dropped files with
//! it, so both see exactly the same samples (a browser's own decoder may not: Chromium maps
//! 16-bit PCM asymmetrically, positive values / 32767). Pure Rust; the `decode` feature.

use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

use crate::audio::{check_length, MAX_FILE_BYTES};
use crate::Error;

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

/// Decode an encoded file held in memory; `name` (a file name) gives the extension hint.
/// Errors are one human sentence (the caller adds the file name).
pub fn decode_bytes(bytes: Vec<u8>, name: &str) -> Result<Decoded, String> {
    if bytes.is_empty() {
        return Err("is empty (0 bytes)".into());
    }
    decode_source(Box::new(std::io::Cursor::new(bytes)), extension(name))
}

/// The lower-case extension of a file name, if any.
pub fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty() && !ext.is_empty() && ext.len() <= 5).then(|| ext.to_ascii_lowercase())
}

/// Decode from any symphonia media source (a file, bytes in memory).
///
/// A source of more than [`MAX_FILE_BYTES`] is refused before reading, and decoding stops with an
/// error as soon as the audio passes [`crate::audio::MAX_SECONDS`] or
/// [`crate::audio::MAX_SAMPLES`], so memory stays bounded whatever a header claims.
pub fn decode_source(source: Box<dyn MediaSource>, ext: Option<String>) -> Result<Decoded, String> {
    if let Some(len) = source.byte_len().filter(|&n| n > MAX_FILE_BYTES) {
        return Err(Error::TooLarge(len).to_string());
    }
    let mss = MediaSourceStream::new(source, Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = ext {
        hint.with_extension(&ext);
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
                let frames = channels.first().map_or(0, Vec::len) as u64;
                check_length(frames, sample_rate, channels.len(), false)
                    .map_err(|e| e.to_string())?;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn wav_i16(samples: &[i16], rate: u32) -> Vec<u8> {
        let data = samples.len() as u32 * 2;
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(36 + data).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * 2).to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&data.to_le_bytes());
        for s in samples {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
    }

    #[test]
    fn pcm16_maps_symmetrically_by_32768() {
        let d = decode_bytes(wav_i16(&[18563, -357, 32767, -32768, 0], 22_050), "a.wav").unwrap();
        assert_eq!(d.sample_rate, 22_050);
        assert_eq!(d.format, "wave");
        assert_eq!(
            d.channels,
            vec![vec![
                18563.0 / 32768.0,
                -357.0 / 32768.0,
                32767.0 / 32768.0,
                -1.0,
                0.0
            ]]
        );
    }

    #[test]
    fn bad_bytes_are_reasons_not_panics() {
        assert_eq!(
            decode_bytes(vec![], "a.wav").unwrap_err(),
            "is empty (0 bytes)"
        );
        let e = decode_bytes(b"hello, this is text".to_vec(), "notes.wav").unwrap_err();
        assert!(e.starts_with("not a readable audio file"), "{e}");
        let mut truncated = wav_i16(&[1000; 400], 8000);
        truncated.truncate(60);
        assert!(decode_bytes(truncated, "t.wav").is_ok_and(|d| d.n_samples() > 0));
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("A.WAV").as_deref(), Some("wav"));
        assert_eq!(extension("noext"), None);
        assert_eq!(extension(".hidden"), None);
        assert_eq!(extension("x.toolongext"), None);
    }
}
