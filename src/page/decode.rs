//! Web Audio decoding at the file's own sample rate, so that the core (not the browser)
//! resamples to 22 050 Hz exactly as the CLI does.

use earshot_core::probe;
use js_sys::{Float32Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, Blob, OfflineAudioContext};

/// Rate used when the header cannot be read (Web Audio then resamples to it).
pub const FALLBACK_RATE: u32 = 22_050;
/// Opus (MediaRecorder's webm) always decodes at 48 kHz.
pub const RECORDING_RATE: u32 = 48_000;

/// Sample rates an OfflineAudioContext accepts in every current browser.
const CONTEXT_RATES: std::ops::RangeInclusive<u32> = 3_000..=768_000;

pub struct Decoded {
    /// Planar channels, each a copy the page owns (so it can be moved to the worker).
    pub channels: Vec<Float32Array>,
    pub sample_rate: u32,
}

/// The bytes of a `File` or `Blob`.
pub async fn read_blob(blob: &Blob) -> Result<Vec<u8>, JsValue> {
    let buf = JsFuture::from(blob.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// The rate and channel count to decode at: the header's, else `fallback`.
pub fn decode_params(bytes: &[u8], fallback: u32) -> (u32, u32) {
    match probe(bytes) {
        Some(p) if CONTEXT_RATES.contains(&p.sample_rate) => {
            (p.sample_rate, u32::from(p.channels).clamp(1, 32))
        }
        _ => (fallback, 2),
    }
}

/// Decode an encoded file. Errors are the browser's (the caller words the message).
pub async fn decode(bytes: &[u8], fallback: u32) -> Result<Decoded, JsValue> {
    let (rate, channels) = decode_params(bytes, fallback);
    let ctx = OfflineAudioContext::new_with_number_of_channels_and_length_and_sample_rate(
        channels,
        1,
        rate as f32,
    )
    .or_else(|_| {
        OfflineAudioContext::new_with_number_of_channels_and_length_and_sample_rate(
            2,
            1,
            fallback as f32,
        )
    })?;
    let data = js_sys::Uint8Array::from(bytes).buffer();
    let audio: AudioBuffer = JsFuture::from(ctx.decode_audio_data(&data)?)
        .await?
        .dyn_into()?;
    // `getChannelData` views the buffer's own memory; `slice` copies it in JavaScript, without a
    // round trip through wasm memory.
    let get: Function = Reflect::get(&audio, &"getChannelData".into())?.dyn_into()?;
    let channels = (0..audio.number_of_channels())
        .map(|c| -> Result<Float32Array, JsValue> {
            let view: Float32Array = get.call1(&audio, &c.into())?.dyn_into()?;
            Ok(view.slice(0, view.length()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Decoded {
        channels,
        sample_rate: audio.sample_rate().round() as u32,
    })
}

/// Decode in the browser (for files the worker's decoder does not read) and send the channels.
pub async fn in_browser(
    name: &str,
    blob: &Blob,
    fallback_rate: u32,
) -> Result<(Vec<JsValue>, u32), String> {
    let bytes = read_blob(blob)
        .await
        .map_err(|_| earshot_web::analysis::read_failed(name))?;
    let d = decode(&bytes, fallback_rate)
        .await
        .map_err(|_| earshot_web::analysis::decode_failed(name))?;
    Ok((
        d.channels.into_iter().map(JsValue::from).collect(),
        d.sample_rate,
    ))
}
