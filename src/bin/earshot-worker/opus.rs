//! Opus encoding with the browser's WebCodecs `AudioEncoder` (called through `Reflect`: web-sys
//! lists WebCodecs among its unstable APIs), for the library's compressed previews.

use std::cell::RefCell;
use std::rc::Rc;

use earshot_web::preview::{self, Packet, BITRATE, RATE};
use js_sys::{Array, Float32Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag};

const UNSUPPORTED: &str = "this browser cannot make compressed previews (no Opus encoder)";

fn set(o: &Object, k: &str, v: &JsValue) {
    let _ = Reflect::set(o, &k.into(), v);
}

fn construct(class: &str, init: &Object) -> Result<JsValue, String> {
    let ctor = Reflect::get(&js_sys::global(), &class.into())
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok())
        .ok_or_else(|| UNSUPPORTED.to_owned())?;
    Reflect::construct(&ctor, &Array::of1(init)).map_err(|e| format!("{class}: {e:?}"))
}

fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, String> {
    let f = Reflect::get(target, &method.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| UNSUPPORTED.to_owned())?;
    Reflect::apply(&f, target, args).map_err(|e| format!("{method}: {e:?}"))
}

/// The first seconds of `channels` as an Ogg Opus file.
pub async fn preview(channels: &[Vec<f32>], sample_rate: u32) -> Result<Blob, String> {
    let signal = preview::signal(channels, sample_rate)?;
    if signal.is_empty() {
        return Err("the sound is empty".into());
    }
    let packets: Rc<RefCell<Vec<Packet>>> = Rc::default();
    let failure: Rc<RefCell<Option<String>>> = Rc::default();
    let on_output = {
        let packets = packets.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |chunk: JsValue| {
            let size = Reflect::get(&chunk, &"byteLength".into())
                .ok()
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u32;
            let bytes = Uint8Array::new_with_length(size);
            if call(&chunk, "copyTo", &Array::of1(&bytes)).is_ok() {
                // Duration in microseconds; 20 ms packets unless the encoder says otherwise.
                let micros = Reflect::get(&chunk, &"duration".into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(20_000.0);
                let samples = (micros * f64::from(RATE) / 1e6).round() as u64;
                packets.borrow_mut().push((bytes.to_vec(), samples));
            }
        })
    };
    let on_error = {
        let failure = failure.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            *failure.borrow_mut() = Some(format!("the Opus encoder failed: {e:?}"));
        })
    };
    let init = Object::new();
    set(&init, "output", on_output.as_ref());
    set(&init, "error", on_error.as_ref());
    let encoder = construct("AudioEncoder", &init)?;
    let config = Object::new();
    set(&config, "codec", &"opus".into());
    set(&config, "sampleRate", &RATE.into());
    set(&config, "numberOfChannels", &1.into());
    set(&config, "bitrate", &BITRATE.into());
    call(&encoder, "configure", &Array::of1(&config))?;
    let data = Object::new();
    set(&data, "format", &"f32".into());
    set(&data, "sampleRate", &RATE.into());
    set(&data, "numberOfFrames", &(signal.len() as u32).into());
    set(&data, "numberOfChannels", &1.into());
    set(&data, "timestamp", &0.into());
    set(&data, "data", &Float32Array::from(signal.as_slice()));
    let audio = construct("AudioData", &data)?;
    call(&encoder, "encode", &Array::of1(&audio))?;
    let flushed = call(&encoder, "flush", &Array::new())?;
    let done = JsFuture::from(js_sys::Promise::from(flushed)).await;
    let _ = call(&audio, "close", &Array::new());
    let _ = call(&encoder, "close", &Array::new());
    drop((on_output, on_error));
    if let Some(e) = failure.borrow_mut().take() {
        return Err(e);
    }
    done.map_err(|e| format!("the Opus encoder failed: {e:?}"))?;
    let file = preview::ogg_opus(&packets.borrow(), signal.len() as u64);
    let parts = Array::of1(&Uint8Array::from(file.as_slice()));
    let options = BlobPropertyBag::new();
    options.set_type("audio/ogg; codecs=opus");
    Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|_| "the preview could not be stored".to_owned())
}
