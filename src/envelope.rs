//! The message envelope between the page and its workers: `{id, json, arrays}`, where `arrays`
//! are typed arrays whose buffers are moved (transferred), not copied. Shared by both sides
//! (`src/client.rs` and the worker) so they cannot drift apart.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

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
