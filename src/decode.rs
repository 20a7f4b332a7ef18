//! Web Audio decoding at the file's own sample rate, so that the core (not the browser)
//! resamples to 22 050 Hz exactly as the CLI does.

use earshot_core::sniff::probe;
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
    pub channels: Vec<Vec<f32>>,
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
    let channels = (0..audio.number_of_channels())
        .map(|c| audio.get_channel_data(c))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Decoded {
        channels,
        sample_rate: audio.sample_rate().round() as u32,
    })
}

/// Lets the browser paint (e.g. a "Decoding…" status) before a long computation.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
}
