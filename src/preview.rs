//! Compressed previews of library sounds: the first seconds, mono at 48 kHz, encoded to Opus by
//! the browser (WebCodecs, in the worker) and put into an Ogg container here, so `<audio>` plays
//! them. Plain Rust, tested natively.

use std::io::Cursor;

use earshot_core::{mix_to_mono, resample};
use ogg::writing::{PacketWriteEndInfo, PacketWriter};

/// Length of a preview.
pub const SECONDS: usize = 4;
/// Opus works at 48 kHz.
pub const RATE: u32 = 48_000;
/// Bit rate asked of the encoder (mono speech-and-effects quality; ~12 KB per preview).
pub const BITRATE: u32 = 24_000;
/// The encoder's usual look-ahead at 48 kHz (libopus), skipped by players.
pub const PRE_SKIP: u16 = 312;
const SERIAL: u32 = 0x6561_7273; // "ears"

/// The preview's signal: the first [`SECONDS`] mixed to mono and resampled to 48 kHz.
pub fn signal(channels: &[Vec<f32>], sample_rate: u32) -> Result<Vec<f32>, String> {
    let mono = mix_to_mono(channels).map_err(|e| e.to_string())?;
    let keep = (SECONDS * sample_rate as usize).min(mono.len());
    let mut out = resample(&mono[..keep], sample_rate, RATE).map_err(|e| e.to_string())?;
    out.iter_mut().for_each(|x| *x = x.clamp(-1.0, 1.0));
    Ok(out)
}

/// An Opus packet and its duration in 48 kHz samples.
pub type Packet = (Vec<u8>, u64);

/// An Ogg Opus file (RFC 7845) from Opus packets, each with its duration in 48 kHz samples;
/// `samples` is the length of the original signal, so players stop where it ends.
pub fn ogg_opus(packets: &[Packet], samples: u64) -> Vec<u8> {
    let mut head = Vec::with_capacity(19);
    head.extend_from_slice(b"OpusHead");
    head.push(1); // version
    head.push(1); // channels
    head.extend_from_slice(&PRE_SKIP.to_le_bytes());
    head.extend_from_slice(&RATE.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes()); // output gain
    head.push(0); // channel mapping family
    let vendor = b"earshot";
    let mut tags = Vec::new();
    tags.extend_from_slice(b"OpusTags");
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0u32.to_le_bytes());

    let mut w = PacketWriter::new(Cursor::new(Vec::new()));
    // Writing into memory cannot fail.
    let _ = w.write_packet(head, SERIAL, PacketWriteEndInfo::EndPage, 0);
    let _ = w.write_packet(tags, SERIAL, PacketWriteEndInfo::EndPage, 0);
    let end = u64::from(PRE_SKIP) + samples;
    let mut decoded = 0u64;
    for (i, (packet, duration)) in packets.iter().enumerate() {
        decoded += duration;
        let last = i + 1 == packets.len();
        let info = if last {
            PacketWriteEndInfo::EndStream
        } else if (i + 1) % 50 == 0 {
            PacketWriteEndInfo::EndPage // about a second per page
        } else {
            PacketWriteEndInfo::NormalPacket
        };
        let granule = if last {
            end.min(decoded)
        } else {
            decoded.min(end)
        };
        let _ = w.write_packet(packet.as_slice(), SERIAL, info, granule);
    }
    w.into_inner().into_inner()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ogg::reading::PacketReader;

    #[test]
    fn signal_is_the_first_seconds_in_mono_at_48k() {
        let rate = 22_050;
        let left: Vec<f32> = (0..rate * 10)
            .map(|i| (i as f32 * 0.01).sin() * 0.5)
            .collect();
        let right = vec![0.5f32; rate * 10];
        let s = signal(&[left, right], rate as u32).unwrap();
        assert_eq!(s.len(), SECONDS * RATE as usize);
        assert!(s.iter().all(|x| x.abs() <= 1.0));
        // A short clip stays short.
        let short = signal(&[vec![0.1; 2205]], 22_050).unwrap();
        assert_eq!(short.len(), 4800);
        assert!(signal(&[], 22_050).is_err());
    }

    #[test]
    fn ogg_opus_has_the_headers_and_ends_at_the_signal_length() {
        let packets: Vec<(Vec<u8>, u64)> =
            (0..120).map(|i| (vec![0xf8, i as u8, 1, 2], 960)).collect();
        let samples = 119 * 960 + 100; // the last packet is mostly padding
        let file = ogg_opus(&packets, samples);
        assert_eq!(&file[..4], b"OggS");
        let mut r = PacketReader::new(Cursor::new(file));
        let head = r.read_packet_expected().unwrap();
        assert_eq!(&head.data[..8], b"OpusHead");
        assert_eq!(head.data.len(), 19);
        assert_eq!(u16::from_le_bytes([head.data[10], head.data[11]]), PRE_SKIP);
        assert!(head.first_in_stream());
        let tags = r.read_packet_expected().unwrap();
        assert_eq!(&tags.data[..8], b"OpusTags");
        let mut n = 0;
        let mut last = None;
        while let Some(p) = r.read_packet().unwrap() {
            assert_eq!(p.data[1], n as u8, "packets in order, unchanged");
            n += 1;
            last = Some(p);
        }
        assert_eq!(n, 120);
        let last = last.unwrap();
        assert!(last.last_in_stream());
        assert_eq!(last.absgp_page(), u64::from(PRE_SKIP) + samples);
    }
}
