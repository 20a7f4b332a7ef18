//! The search worker: fetches the model, vocabulary and index with progress, then answers the
//! page's queries off the main thread, so typing never waits for MFCCs, the model or the search.
//! Only message glue lives here; the work is `earshot_web::service`.

#[path = "../../envelope.rs"]
mod envelope;
mod library;
mod opus;
mod store;

use std::cell::RefCell;

use earshot_core::decode::Decoded;
use earshot_web::analysis::Analysis;
use earshot_web::protocol::{self, AnswerView, Catalog, Request, Response};
use earshot_web::service::{Service, INDEX_FILE, MODEL_FILE, VOCAB_FILE};
use js_sys::{Array, Float32Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader};

/// Send a progress message at most every this many bytes.
const PROGRESS_STEP: u64 = 128 * 1024;

thread_local! {
    static SERVICE: RefCell<Option<Service>> = const { RefCell::new(None) };
    static LOADING: RefCell<bool> = const { RefCell::new(false) };
    /// Queries that arrived while the assets were loading, answered once they are.
    static PENDING: RefCell<Vec<(u32, Request, Array)>> = const { RefCell::new(Vec::new()) };
    /// Where the assets come from (the load request's base URL).
    static BASE: RefCell<String> = const { RefCell::new(String::new()) };
    /// Audio queries waiting for the CNN's weights (a model with CNN features fetches them on its
    /// first audio query); `None` while no fetch is running.
    static WAITING: RefCell<Option<Vec<(u32, Request, Array)>>> = const { RefCell::new(None) };
}

/// Queue an audio query until the CNN's weights `file` are fetched (starting the fetch).
fn wait_for_weights(id: u32, req: Request, arrays: Array, file: String) {
    let first = WAITING.with(|w| {
        let mut w = w.borrow_mut();
        let first = w.is_none();
        w.get_or_insert_with(Vec::new).push((id, req, arrays));
        first
    });
    if first {
        spawn_local(fetch_weights(file));
    }
}

async fn fetch_weights(file: String) {
    let t0 = now();
    let url = format!("{}{file}", BASE.with(|b| b.borrow().clone()));
    let what = "sound network's weights";
    let bytes = match open(&url, what).await {
        Ok(f) => read_body(f, what, &mut |_| {}).await,
        Err(m) => Err(m),
    };
    let loaded = bytes.and_then(|b| {
        with_service(|s| s.set_weights(&b))
            .unwrap_or_else(|| Err("The search is not loaded yet; reload the page.".into()))
    });
    if loaded.is_ok() {
        web_sys::console::info_1(
            &format!("earshot: CNN weights ready in {:.0} ms", now() - t0).into(),
        );
    }
    for (id, req, arrays) in WAITING.with(|w| w.borrow_mut().take()).unwrap_or_default() {
        match &loaded {
            Ok(()) => answer(id, req, arrays),
            Err(m) => fail(id, m.clone()),
        }
    }
}

pub(crate) fn with_service<T>(f: impl FnOnce(&mut Service) -> T) -> Option<T> {
    SERVICE.with(|c| c.borrow_mut().as_mut().map(f))
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Post `{id, json, arrays}`; the arrays' buffers are moved to the page.
pub(crate) fn post(id: u32, response: &Response, arrays: &[Float32Array]) {
    let arrays: Vec<JsValue> = arrays.iter().map(JsValue::from).collect();
    post_values(id, response, &arrays);
}

/// [`post`] with any cloneable values (a Blob) besides typed arrays.
pub(crate) fn post_values(id: u32, response: &Response, arrays: &[JsValue]) {
    let (msg, transfer) = envelope::pack(id, &protocol::encode(response), arrays);
    if scope().post_message_with_transfer(&msg, &transfer).is_err() {
        let _ = scope().post_message(&msg);
    }
}

pub(crate) fn fail(id: u32, message: String) {
    post(id, &Response::Error { message }, &[]);
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            Reflect::get(e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".to_owned())
}

fn download_failed(what: &str, why: &str) -> String {
    format!("Could not download the {what}: {why}. Reload to try again.")
}

struct Fetched {
    response: web_sys::Response,
    /// Body length when the server states it for the bytes we will read.
    length: Option<u64>,
}

async fn open(url: &str, what: &str) -> Result<Fetched, String> {
    let cannot = |why: String| download_failed(what, &why);
    let response: web_sys::Response = JsFuture::from(scope().fetch_with_str(url))
        .await
        .map_err(|e| cannot(js_text(&e)))?
        .dyn_into()
        .map_err(|_| cannot("no response".into()))?;
    if !response.ok() {
        return Err(cannot(format!("HTTP {}", response.status())));
    }
    let headers = response.headers();
    let encoded = headers.get("content-encoding").ok().flatten().is_some();
    let length = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .filter(|_| !encoded);
    Ok(Fetched { response, length })
}

/// Read a body chunk by chunk, reporting bytes through `progress`.
async fn read_body(
    f: Fetched,
    what: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<u8>, String> {
    let cannot = |why: String| download_failed(what, &why);
    let Some(body) = f.response.body() else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let mut out = Vec::with_capacity(f.length.unwrap_or(0) as usize);
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| cannot(js_text(&e)))?;
        if Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true)
        {
            break;
        }
        if let Ok(value) = Reflect::get(&chunk, &"value".into()) {
            let bytes: Uint8Array = value.unchecked_into();
            let start = out.len();
            out.resize(start + bytes.length() as usize, 0);
            bytes.copy_to(&mut out[start..]);
            progress(bytes.length() as u64);
        }
    }
    Ok(out)
}

/// Loading failed: the load request and every query waiting for it get the message.
fn fail_load(id: u32, message: String) {
    LOADING.with(|l| *l.borrow_mut() = false);
    for (pending, _, _) in PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())) {
        fail(pending, message.clone());
    }
    fail(id, message);
}

async fn load(id: u32, base: String, embed_only: bool) {
    let t0 = now();
    BASE.with(|b| b.borrow_mut().clone_from(&base));
    let assets = [
        (MODEL_FILE, "model (model.json)"),
        (VOCAB_FILE, "vocabulary (vocab.bin)"),
        (INDEX_FILE, "index (index.bin)"),
    ];
    let mut opened = Vec::new();
    for (file, what) in assets {
        match open(&format!("{base}{file}"), what).await {
            Ok(f) => opened.push((f, what)),
            Err(m) => return fail_load(id, m),
        }
    }
    let total: u64 = if opened.iter().all(|(f, _)| f.length.is_some()) {
        opened.iter().filter_map(|(f, _)| f.length).sum()
    } else {
        0
    };
    let mut loaded = 0u64;
    let mut reported = 0u64;
    let mut bodies = Vec::new();
    for (f, what) in opened {
        let mut progress = |n: u64| {
            loaded += n;
            if loaded - reported >= PROGRESS_STEP {
                reported = loaded;
                post(id, &Response::Progress { loaded, total }, &[]);
            }
        };
        match read_body(f, what, &mut progress).await {
            Ok(b) => bodies.push(b),
            Err(m) => return fail_load(id, m),
        }
    }
    post(
        id,
        &Response::Progress {
            loaded,
            total: loaded,
        },
        &[],
    );
    let [model, vocab, index] = bodies.as_slice() else {
        return fail_load(id, "Could not download the assets.".into());
    };
    let model = String::from_utf8_lossy(model);
    match Service::load(&model, vocab, index).and_then(|s| {
        let catalog = if embed_only {
            Catalog::default()
        } else {
            s.catalog()?
        };
        Ok((s, catalog))
    }) {
        Ok((s, catalog)) => {
            SERVICE.with(|c| *c.borrow_mut() = Some(s));
            web_sys::console::info_1(
                &format!("earshot: assets ready in {:.0} ms", now() - t0).into(),
            );
            post(id, &Response::Ready(catalog), &[]);
            for (id, req, arrays) in PENDING.with(|p| std::mem::take(&mut *p.borrow_mut())) {
                answer(id, req, arrays);
            }
            if !embed_only {
                spawn_local(warm_up());
            }
        }
        Err(m) => fail_load(id, m),
    }
}

/// Prepares every class's open-vocabulary words one class at a time, yielding between classes so
/// queries that arrive meanwhile are answered first.
async fn warm_up() {
    let n = SERVICE.with(|c| c.borrow().as_ref().map_or(0, Service::n_classes));
    for ci in 0..n {
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = JsFuture::from(tick).await;
        SERVICE.with(|c| {
            if let Some(s) = c.borrow().as_ref() {
                s.warm(ci);
            }
        });
    }
}

/// The Float32Arrays among a message's values, copied out (decoded channels, embeddings).
pub(crate) fn channels_of(arrays: &Array) -> Vec<Vec<f32>> {
    arrays
        .iter()
        .filter_map(|a| a.dyn_into::<Float32Array>().ok())
        .map(|a| a.to_vec())
        .collect()
}

/// Decodes the encoded file in `arrays[0]` as the CLI does; when the worker's decoder cannot
/// read it, tells the page to decode it in the browser instead (and returns `None`).
fn decode_or_hand_back(id: u32, arrays: &Array, name: &str) -> Option<Decoded> {
    let bytes = arrays
        .get(0)
        .dyn_into::<Uint8Array>()
        .map(|b| b.to_vec())
        .unwrap_or_default();
    match Service::decode_file(bytes, name) {
        Ok(d) => Some(d),
        Err(reason) => {
            post(id, &Response::DecodeInBrowser { reason }, &[]);
            None
        }
    }
}

/// An audio answer with the query's mono samples and mel spectrogram for the page to draw.
fn with_arrays((a, clip): (AnswerView, Analysis)) -> (AnswerView, Vec<Float32Array>) {
    let samples = Float32Array::from(clip.samples.as_slice());
    let mel = Float32Array::from(clip.mel_db.data.as_slice());
    (a, vec![samples, mel])
}

fn answer(id: u32, req: Request, arrays: Array) {
    let t0 = now();
    SERVICE.with(|cell| {
        let guard = cell.borrow();
        let Some(service) = guard.as_ref() else {
            if LOADING.with(|l| *l.borrow()) {
                PENDING.with(|p| p.borrow_mut().push((id, req, arrays)));
            } else {
                fail(id, "The search is not loaded yet; reload the page.".into());
            }
            return;
        };
        if matches!(
            req,
            Request::Audio { .. } | Request::AudioFile { .. } | Request::Embed { .. }
        ) {
            if let Some(file) = service.needs_weights() {
                wait_for_weights(id, req, arrays, file);
                return;
            }
        }
        let outcome = match req {
            Request::Text { query, top, scope } => {
                service.text(&query, top, scope).map(|a| (a, vec![]))
            }
            Request::Item { item, top, scope } => {
                service.item(item, top, scope).map(|a| (a, vec![]))
            }
            Request::Mine { key, top, scope } => service.mine(key, top, scope).map(|a| (a, vec![])),
            Request::Audio {
                name,
                sample_rate,
                top,
                scope,
            } => service
                .audio(&name, &channels_of(&arrays), sample_rate, top, scope)
                .map(with_arrays),
            Request::AudioFile { name, top, scope } => {
                let Some(decoded) = decode_or_hand_back(id, &arrays, &name) else {
                    return;
                };
                service
                    .audio(&name, &decoded.channels, decoded.sample_rate, top, scope)
                    .map(with_arrays)
            }
            Request::Embed {
                name,
                sample_rate,
                preview,
            } => {
                let (channels, rate) = match sample_rate {
                    Some(rate) => (channels_of(&arrays), rate),
                    None => match decode_or_hand_back(id, &arrays, &name) {
                        Some(d) => (d.channels, d.sample_rate),
                        None => return,
                    },
                };
                match service.embed(&name, &channels, rate) {
                    Ok((meta, emb)) if preview => spawn_local(async move {
                        match opus::preview(&channels, rate).await {
                            Ok(blob) => post_values(
                                id,
                                &Response::Embedded { meta },
                                &[Float32Array::from(emb.as_slice()).into(), blob.into()],
                            ),
                            Err(why) => fail(
                                id,
                                earshot_web::analysis::sentence(&format!(
                                    "Could not keep a preview of “{name}”: {why}"
                                )),
                            ),
                        }
                    }),
                    Ok((meta, emb)) => post(
                        id,
                        &Response::Embedded { meta },
                        &[Float32Array::from(emb.as_slice())],
                    ),
                    Err(m) => fail(id, m),
                }
                return;
            }
            Request::LibraryOpen
            | Request::LibraryAdd { .. }
            | Request::LibraryDelete { .. }
            | Request::LibraryUpdate { .. }
            | Request::LibraryClear
            | Request::LibraryExport
            | Request::LibraryImport { .. }
            | Request::LibraryAudio { .. }
            | Request::LibraryStale
            | Request::LibraryReembed { .. } => {
                let dim = service.dim();
                spawn_local(library::handle(id, req, arrays, dim));
                return;
            }
            Request::Load { .. } => return,
        };
        match outcome {
            Ok((mut a, arrays)) => {
                a.millis = now() - t0;
                post(id, &Response::Answer(a), &arrays);
            }
            Err(m) => fail(id, m),
        }
    });
}

fn on_message(ev: MessageEvent) {
    let (id, json, arrays) = envelope::unpack(&ev.data());
    match protocol::decode_request(&json) {
        Ok(Request::Load { base, embed_only }) => {
            if !LOADING.with(|l| l.replace(true)) {
                spawn_local(load(id, base, embed_only));
            }
        }
        Ok(req) => match arrays.get(0).dyn_into::<web_sys::Blob>() {
            // A file from the page: read it here, off the page's thread.
            // (Its size is checked here too: File.size on the page is a blocking file-system call.)
            Ok(blob) => spawn_local(async move {
                let name = match &req {
                    Request::AudioFile { name, .. } | Request::Embed { name, .. } => name.as_str(),
                    _ => "the file",
                };
                // The core's file-size limit, before a byte is read (File.size is cheap here).
                let size = blob.size() as u64;
                if size > earshot_core::audio::MAX_FILE_BYTES {
                    let err = earshot_core::Error::TooLarge(size);
                    return fail(id, earshot_web::analysis::core_failed(name, &err));
                }
                match JsFuture::from(blob.array_buffer()).await {
                    Ok(buf) => {
                        let bytes = Uint8Array::new(&buf);
                        if bytes.length() == 0 {
                            fail(id, earshot_web::analysis::empty_file(name));
                        } else {
                            answer(id, req, Array::of1(&bytes));
                        }
                    }
                    Err(_) => fail(id, earshot_web::analysis::read_failed(name)),
                }
            }),
            Err(_) => answer(id, req, arrays),
        },
        Err(m) => fail(id, m),
    }
}

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        fail(
            0,
            format!("The search worker stopped ({info}). Reload the page to continue."),
        );
    }));
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    // Messages sent before this point are lost: the page waits for this one.
    post(0, &Response::Started, &[]);
}
