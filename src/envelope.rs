//! The message envelope between the page and its workers: `{id, json, arrays}`, where `arrays`
//! are typed arrays whose buffers are moved (transferred), not copied; and the typed arrays of
//! each message as Rust values ([`Input`] of a request, [`Payload`] of a response). Shared by
//! the page (`src/page/client.rs`) and the worker so they cannot drift apart; the one module of this
//! library with JS types.

use js_sys::{Array, Float32Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use crate::waveform;
use crate::worker::{Input, Payload};

/// The message and its transfer list.
pub fn pack(id: u32, json: &str, arrays: &[JsValue]) -> (Object, Array) {
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"id".into(), &JsValue::from(id));
    let _ = Reflect::set(&msg, &"json".into(), &JsValue::from_str(json));
    let list = Array::new();
    let transfer = Array::new();
    for a in arrays {
        list.push(a);
        // Typed arrays move their buffer; other values (a File) are cloned, which for a File
        // copies a handle, not its bytes.
        if let Ok(buffer) = Reflect::get(a, &"buffer".into()) {
            if buffer.is_instance_of::<js_sys::ArrayBuffer>() {
                transfer.push(&buffer);
            }
        }
    }
    let _ = Reflect::set(&msg, &"arrays".into(), &list);
    (msg, transfer)
}

/// `(id, json, arrays)` of a received message; missing parts are 0, "" and empty.
pub fn unpack(data: &JsValue) -> (u32, String, Array) {
    let id = Reflect::get(data, &"id".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0) as u32;
    let json = Reflect::get(data, &"json".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let arrays = Reflect::get(data, &"arrays".into())
        .ok()
        .filter(|v| v.is_array())
        .map(|v| Array::from(&v))
        .unwrap_or_default();
    (id, json, arrays)
}

/// A request's arrays: an encoded file (one Uint8Array) or decoded channels (Float32Arrays).
pub fn input(arrays: &Array) -> Input {
    if let Ok(bytes) = arrays.get(0).dyn_into::<Uint8Array>() {
        return Input::File(bytes.to_vec());
    }
    let channels = floats(arrays);
    if channels.is_empty() {
        Input::None
    } else {
        Input::Channels(channels)
    }
}

/// The Float32Arrays among a message's arrays, copied out (channels, embeddings).
pub fn floats(arrays: &Array) -> Vec<Vec<f32>> {
    arrays
        .iter()
        .filter_map(|a| a.dyn_into::<Float32Array>().ok())
        .map(|a| a.to_vec())
        .collect()
}

/// A response's payload as the arrays to send (a preview Blob, made later, is appended by the
/// worker).
pub fn arrays(payload: &Payload) -> Vec<JsValue> {
    let floats = |v: &[f32]| JsValue::from(Float32Array::from(v));
    match payload {
        Payload::None => Vec::new(),
        Payload::Clip { envelope, mel } => vec![floats(&waveform::flatten(envelope)), floats(mel)],
        Payload::Embedding { embedding, .. } => vec![floats(embedding)],
    }
}

/// An answer's arrays as its payload: the query's waveform envelope and mel spectrogram.
pub fn clip(values: &[JsValue]) -> Payload {
    let mut f = values
        .iter()
        .filter_map(|v| v.clone().dyn_into::<Float32Array>().ok())
        .map(|a| a.to_vec());
    match (f.next(), f.next()) {
        (Some(envelope), Some(mel)) => Payload::Clip {
            envelope: waveform::pairs(&envelope),
            mel,
        },
        _ => Payload::None,
    }
}
