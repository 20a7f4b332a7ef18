//! The search worker: fetches the model, vocabulary and index with progress, then answers the
//! page's queries off the main thread, so typing never waits for MFCCs, the model or the search.
//! Only message glue lives here; the work is `earshot_web::service`.

mod library;
mod opus;
mod store;

use std::cell::RefCell;
use std::rc::Rc;

use earshot_web::envelope;
use earshot_web::protocol::{self, Catalog, Request, Response};
use earshot_web::service::{Service, INDEX_FILE, MODEL_FILE, VOCAB_FILE};
use earshot_web::worker::{self, Payload, Reply, Route, Worker};
use idb::Database;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader};

/// Send a progress message at most every this many bytes.
const PROGRESS_STEP: u64 = 128 * 1024;

/// The worker's one state: where requests go and the loaded service (plain Rust,
/// `earshot_web::worker`), and the library's IndexedDB once opened.
#[derive(Default)]
struct State {
    worker: Worker<Array>,
    db: Option<Rc<Database>>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

pub(crate) fn with_service<T>(f: impl FnOnce(&mut Service) -> T) -> Option<T> {
    STATE.with(|s| s.borrow_mut().worker.service.as_mut().map(f))
}

pub(crate) fn database_handle() -> Option<Rc<Database>> {
    STATE.with(|s| s.borrow().db.clone())
}

pub(crate) fn keep_database(db: Rc<Database>) {
    STATE.with(|s| s.borrow_mut().db = Some(db));
}

async fn fetch_weights(file: String) {
    let t0 = now();
    let url = format!("{}{file}", STATE.with(|s| s.borrow().worker.base.clone()));
    let what = "sound network's weights";
    let bytes = match open(&url, what).await {
        Ok(f) => read_body(f, what, &mut |_| {}).await,
        Err(m) => Err(m),
    };
    let (kept, loaded) = STATE.with(|s| s.borrow_mut().worker.weights_loaded(bytes));
    if loaded.is_ok() {
        web_sys::console::info_1(
            &format!("earshot: CNN weights ready in {:.0} ms", now() - t0).into(),
        );
    }
    for (id, req, arrays) in kept {
        match &loaded {
            Ok(()) => dispatch(id, req, arrays),
            Err(m) => fail(id, m.clone()),
        }
    }
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn now() -> f64 {
    scope().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// Post a response without arrays.
pub(crate) fn post(id: u32, response: &Response) {
    post_values(id, response, &[]);
}

/// Post `{id, json, arrays}`; typed arrays' buffers are moved to the page, other values (a
/// Blob) cloned.
pub(crate) fn post_values(id: u32, response: &Response, arrays: &[JsValue]) {
    let (msg, transfer) = envelope::pack(id, &protocol::encode(response), arrays);
    if scope().post_message_with_transfer(&msg, &transfer).is_err() {
        let _ = scope().post_message(&msg);
    }
}

pub(crate) fn fail(id: u32, message: String) {
    post(id, &Response::Error { message });
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
    for pending in STATE.with(|s| s.borrow_mut().worker.load_failed()) {
        fail(pending, message.clone());
    }
    fail(id, message);
}

async fn load(id: u32, base: String, embed_only: bool) {
    let t0 = now();
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
                post(id, &Response::Progress { loaded, total });
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
            let kept = STATE.with(|state| state.borrow_mut().worker.loaded(s));
            web_sys::console::info_1(
                &format!("earshot: assets ready in {:.0} ms", now() - t0).into(),
            );
            post(id, &Response::Ready(catalog));
            for (id, req, arrays) in kept {
                dispatch(id, req, arrays);
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
    let n = with_service(|s| s.n_classes()).unwrap_or(0);
    for ci in 0..n {
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = JsFuture::from(tick).await;
        with_service(|s| s.warm(ci));
    }
}

/// Where a request goes ([`Worker::route`]), and there it goes.
fn dispatch(id: u32, req: Request, arrays: Array) {
    let route = STATE.with(|s| s.borrow_mut().worker.route(id, req, arrays));
    match route {
        Route::Load { base, embed_only } => spawn_local(load(id, base, embed_only)),
        Route::Ignore | Route::Wait | Route::WaitWeights => {}
        Route::FetchWeights(file) => spawn_local(fetch_weights(file)),
        Route::Query(req, arrays) => {
            let t0 = now();
            let input = envelope::input(&arrays);
            let reply = with_service(|s| worker::answer(s, req, input)).unwrap_or_else(|| {
                Reply::error("The search is not loaded yet; reload the page.".into())
            });
            send(id, reply, t0);
        }
        Route::Library(req, arrays) => {
            let dim = with_service(|s| s.dim()).unwrap_or(0);
            spawn_local(library::handle(id, req, arrays, dim));
        }
        Route::Fail(m) => fail(id, m),
    }
}

/// Posts a reply with its arrays; a library sound's preview is encoded first.
fn send(id: u32, mut reply: Reply, t0: f64) {
    if let Response::Answer(a) = &mut reply.response {
        a.millis = now() - t0;
    }
    let mut values = envelope::arrays(&reply.payload);
    let Payload::Embedding {
        preview: Some((channels, rate)),
        ..
    } = reply.payload
    else {
        return post_values(id, &reply.response, &values);
    };
    spawn_local(async move {
        match opus::preview(&channels, rate).await {
            Ok(blob) => {
                values.push(blob.into());
                post_values(id, &reply.response, &values);
            }
            Err(why) => {
                let name = match &reply.response {
                    Response::Embedded { meta } => meta.name.clone(),
                    _ => String::new(),
                };
                fail(
                    id,
                    earshot_web::analysis::sentence(&format!(
                        "Could not keep a preview of “{name}”: {why}"
                    )),
                );
            }
        }
    });
}

fn on_message(ev: MessageEvent) {
    let (id, json, arrays) = envelope::unpack(&ev.data());
    match protocol::decode_request(&json) {
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
                if size > earshot_core::MAX_FILE_BYTES {
                    let err = earshot_core::Error::TooLarge(size);
                    return fail(id, earshot_web::analysis::core_failed(name, &err));
                }
                match JsFuture::from(blob.array_buffer()).await {
                    Ok(buf) => {
                        let bytes = Uint8Array::new(&buf);
                        if bytes.length() == 0 {
                            fail(id, earshot_web::analysis::empty_file(name));
                        } else {
                            dispatch(id, req, Array::of1(&bytes));
                        }
                    }
                    Err(_) => fail(id, earshot_web::analysis::read_failed(name)),
                }
            }),
            Err(_) => dispatch(id, req, arrays),
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
    post(0, &Response::Started);
}
