//! Container sniffing: the format, native sample rate and channel count of an encoded file, read
//! from its header alone.
//!
//! The app uses the rate to decode with Web Audio at the file's own rate, so that the core's
//! resampler (not the browser's) brings it to 22 050 Hz, exactly as the CLI does.

/// Container formats earshot reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Wav,
    Flac,
    OggVorbis,
    OggOpus,
    Mp3,
    Aiff,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Wav => "WAV",
            Format::Flac => "FLAC",
            Format::OggVorbis => "Ogg Vorbis",
            Format::OggOpus => "Ogg Opus",
            Format::Mp3 => "MP3",
            Format::Aiff => "AIFF",
        }
    }
}

/// What a header says about the audio inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    pub format: Format,
    /// The rate the decoder produces (Opus always decodes at 48 kHz).
    pub sample_rate: u32,
    pub channels: u16,
}

/// Read the header of `bytes`. `None` when the container is not recognised or its header is
/// damaged; the caller then decodes without knowing the rate.
pub fn probe(bytes: &[u8]) -> Option<Probe> {
    let p = match bytes.get(..4)? {
        b"RIFF" | b"RF64" if bytes.get(8..12)? == b"WAVE" => wav(bytes),
        b"fLaC" => flac(bytes, 0),
        b"OggS" => ogg(bytes),
        b"FORM" if matches!(bytes.get(8..12)?, b"AIFF" | b"AIFC") => aiff(bytes),
        _ => mp3_or_id3_flac(bytes),
    }?;
    (p.sample_rate > 0 && p.channels > 0).then_some(p)
}

fn u16le(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u32be(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Walk RIFF chunks to `fmt `.
fn wav(b: &[u8]) -> Option<Probe> {
    let mut at = 12usize;
    while at + 8 <= b.len() {
        let id = b.get(at..at + 4)?;
        let size = u32le(b, at + 4)? as usize;
        if id == b"fmt " {
            return Some(Probe {
                format: Format::Wav,
                channels: u16le(b, at + 10)?,
                sample_rate: u32le(b, at + 12)?,
            });
        }
        at = at.checked_add(8)?.checked_add(size + (size & 1))?;
    }
    None
}

/// STREAMINFO is the first metadata block after the `fLaC` marker at `start`.
fn flac(b: &[u8], start: usize) -> Option<Probe> {
    let info = start + 8; // marker (4) + block header (4)
    let x = b.get(info + 10..info + 13)?;
    let sample_rate = (u32::from(x[0]) << 12) | (u32::from(x[1]) << 4) | (u32::from(x[2]) >> 4);
    let channels = u16::from((x[2] >> 1) & 0x7) + 1;
    Some(Probe {
        format: Format::Flac,
        sample_rate,
        channels,
    })
}

/// The first packet of the first Ogg page: a Vorbis or Opus identification header.
fn ogg(b: &[u8]) -> Option<Probe> {
    let n_segments = usize::from(*b.get(26)?);
    let packet = b.get(27 + n_segments..)?;
    if packet.get(..7)? == b"\x01vorbis" {
        Some(Probe {
            format: Format::OggVorbis,
            channels: u16::from(*packet.get(11)?),
            sample_rate: u32le(packet, 12)?,
        })
    } else if packet.get(..8)? == b"OpusHead" {
        Some(Probe {
            format: Format::OggOpus,
            channels: u16::from(*packet.get(9)?),
            sample_rate: 48_000,
        })
    } else {
        None
    }
}

/// `COMM` chunk; the rate is an 80-bit IEEE extended float.
fn aiff(b: &[u8]) -> Option<Probe> {
    let mut at = 12usize;
    while at + 8 <= b.len() {
        let id = b.get(at..at + 4)?;
        let size = u32be(b, at + 4)? as usize;
        if id == b"COMM" {
            let channels = u16::from_be_bytes(b.get(at + 8..at + 10)?.try_into().ok()?);
            let ext = b.get(at + 16..at + 26)?;
            let exponent = i32::from(u16::from_be_bytes([ext[0], ext[1]]) & 0x7fff) - 16383;
            let mantissa = u64::from_be_bytes(ext[2..10].try_into().ok()?);
            let rate = (mantissa as f64) * 2f64.powi(exponent - 63);
            if !(1.0..=4.0e6).contains(&rate) {
                return None;
            }
            return Some(Probe {
                format: Format::Aiff,
                channels,
                sample_rate: rate.round() as u32,
            });
        }
        at = at.checked_add(8)?.checked_add(size + (size & 1))?;
    }
    None
}

/// MP3 (optionally behind an ID3v2 tag), or FLAC behind an ID3v2 tag.
fn mp3_or_id3_flac(b: &[u8]) -> Option<Probe> {
    let mut at = 0usize;
    if b.get(..3)? == b"ID3" {
        let s = b.get(6..10)?;
        let size = s
            .iter()
            .fold(0usize, |acc, &x| (acc << 7) | usize::from(x & 0x7f));
        let footer = if b.get(5)? & 0x10 != 0 { 10 } else { 0 };
        at = 10 + size + footer;
        if b.get(at..at + 4)? == b"fLaC" {
            return flac(b, at);
        }
    }
    // The first frame sync within a bounded window, confirmed by the next frame's header.
    let end = b.len().min(at + 64 * 1024);
    (at..end.saturating_sub(4)).find_map(|i| {
        let h = mp3_header(b.get(i..i + 4)?)?;
        match b.get(i + h.len..i + h.len + 4).and_then(mp3_header) {
            Some(next) if next.probe == h.probe => Some(h.probe),
            // A single frame at the very end of a short file.
            None if i + h.len >= b.len() => Some(h.probe),
            _ => None,
        }
    })
}

struct Mp3Frame {
    probe: Probe,
    len: usize,
}

fn mp3_header(h: &[u8]) -> Option<Mp3Frame> {
    if h.len() < 4 || h[0] != 0xff || h[1] & 0xe0 != 0xe0 {
        return None;
    }
    let version = (h[1] >> 3) & 0x3; // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
    let layer = (h[1] >> 1) & 0x3; // 1: Layer III
    let bitrate_index = usize::from(h[2] >> 4);
    let rate_index = usize::from((h[2] >> 2) & 0x3);
    if version == 1 || layer != 1 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    const V1: [u32; 15] = [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ];
    const V2: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    let base = [44_100u32, 48_000, 32_000][rate_index];
    let (sample_rate, kbps, samples) = match version {
        3 => (base, V1[bitrate_index], 1152u32),
        2 => (base / 2, V2[bitrate_index], 576),
        _ => (base / 4, V2[bitrate_index], 576),
    };
    let padding = u32::from((h[2] >> 1) & 1);
    let len = (samples / 8 * kbps * 1000 / sample_rate + padding) as usize;
    let channels = if h[3] >> 6 == 3 { 1 } else { 2 };
    Some(Mp3Frame {
        probe: Probe {
            format: Format::Mp3,
            sample_rate,
            channels,
        },
        len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav_header(rate: u32, channels: u16) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF\x24\x00\x00\x00WAVE");
        b.extend_from_slice(b"LIST\x03\x00\x00\x00abc\x00"); // odd-sized chunk with a pad byte
        b.extend_from_slice(b"fmt \x10\x00\x00\x00\x01\x00");
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * 2 * u32::from(channels)).to_le_bytes());
        b.extend_from_slice(&(2 * channels).to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data\x00\x00\x00\x00");
        b
    }

    #[test]
    fn wav_rate_and_channels_behind_other_chunks() {
        let p = probe(&wav_header(96_000, 8)).map(|p| (p.format, p.sample_rate, p.channels));
        assert_eq!(p, Some((Format::Wav, 96_000, 8)));
    }

    #[test]
    fn flac_streaminfo() {
        // STREAMINFO of a 44.1 kHz stereo 16-bit stream.
        let mut b = b"fLaC\x00\x00\x00\x22\x10\x00\x10\x00\x00\x00\x00\x00\x00\x00".to_vec();
        b.extend_from_slice(&[0x0a, 0xc4, 0x42, 0xf0, 0, 0, 0, 0]);
        let p = probe(&b).map(|p| (p.format, p.sample_rate, p.channels));
        assert_eq!(p, Some((Format::Flac, 44_100, 2)));
    }

    #[test]
    fn ogg_vorbis_and_opus() {
        let mut page = b"OggS\x00\x02".to_vec();
        page.extend_from_slice(&[0; 20]);
        page.push(1); // one segment
        page.push(30);
        let mut vorbis = page.clone();
        vorbis.extend_from_slice(b"\x01vorbis\x00\x00\x00\x00\x01");
        vorbis.extend_from_slice(&22_050u32.to_le_bytes());
        let p = probe(&vorbis).map(|p| (p.format, p.sample_rate, p.channels));
        assert_eq!(p, Some((Format::OggVorbis, 22_050, 1)));
        let mut opus = page;
        opus.extend_from_slice(b"OpusHead\x01\x02\x00\x00");
        opus.extend_from_slice(&16_000u32.to_le_bytes());
        let p = probe(&opus).map(|p| (p.format, p.sample_rate, p.channels));
        assert_eq!(p, Some((Format::OggOpus, 48_000, 2)));
    }

    #[test]
    fn mp3_behind_id3_needs_two_consistent_frames() {
        // MPEG-1 Layer III, 128 kb/s, 44.1 kHz, joint stereo: 417-byte frames.
        let frame = |b: &mut Vec<u8>| {
            let start = b.len();
            b.extend_from_slice(&[0xff, 0xfb, 0x90, 0x40]);
            b.resize(start + 417, 0);
        };
        let mut b = b"ID3\x03\x00\x00\x00\x00\x00\x05hello".to_vec();
        frame(&mut b);
        frame(&mut b);
        let p = probe(&b).map(|p| (p.format, p.sample_rate, p.channels));
        assert_eq!(p, Some((Format::Mp3, 44_100, 2)));
        // A lone sync word followed by garbage is not a stream.
        let mut junk = vec![0xff, 0xfb, 0x90, 0x40];
        junk.extend(std::iter::repeat_n(0x55u8, 2000));
        assert_eq!(probe(&junk), None);
    }

    #[test]
    fn aiff_extended_rate() {
        let mut b = b"FORM\x00\x00\x00\x2eAIFFCOMM\x00\x00\x00\x12\x00\x01\x00\x00\x00\x10\x00\x10"
            .to_vec();
        b.extend_from_slice(&[0x40, 0x0e, 0xac, 0x44, 0, 0, 0, 0, 0, 0]); // 44100.0
        let p = probe(&b).map(|p| (p.format, p.sample_rate, p.channels));
        assert_eq!(p, Some((Format::Aiff, 44_100, 1)));
    }

    #[test]
    fn damaged_or_unknown_headers_are_none() {
        assert_eq!(probe(b""), None);
        assert_eq!(probe(b"RIFF"), None);
        assert_eq!(probe(b"RIFF\x00\x00\x00\x00WAVEfmt \x10\x00"), None);
        assert_eq!(probe(b"hello, this is a text file"), None);
        assert_eq!(probe(&wav_header(0, 1)), None);
        assert_eq!(probe(b"ID3\x03\x00\x00\x7f\x7f\x7f\x7f"), None);
    }
}
