//! The page. Components stay thin: decoding is in `decode`, recording in `record`, drawing in
//! `draw`, and every feature, embedding and search runs in the worker (`earshot_web::service`).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use earshot_core::features::Frames;
use earshot_web::analysis;
use earshot_web::batch::{is_sound_file, skipped_text, Batch};
use earshot_web::export;
use earshot_web::layout::{self, Frame};
use earshot_web::library::{model_note, Keep, Meta, Standing};
use earshot_web::protocol::{
    AnswerView, Catalog, ClipFacts, LibraryState, Request, Response, Scope, TOP,
};
use earshot_web::session::{Outcome, Query, Session};
use js_sys::Float32Array;
use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File, HtmlElement, HtmlInputElement};

use crate::client::Client;
use crate::decode::{self, FALLBACK_RATE, RECORDING_RATE};
use crate::draw;
use crate::folder;
use crate::player;
use crate::pool::Indexer;
use crate::record::Recorder;

pub const ACCEPT: &str = "audio/*,.wav,.flac,.ogg,.mp3";
/// Typing pause before a text query runs by itself.
const DEBOUNCE: Duration = Duration::from_millis(250);
/// The map's drawing size (SVG user units).
const MAP_W: f32 = 1000.0;
const MAP_H: f32 = 620.0;

/// What the page is doing; mirrored into `data-state` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Busy,
    Done,
    Failed,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Busy => "busy",
            Phase::Done => "done",
            Phase::Failed => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mic {
    Off,
    Starting,
    On,
}

/// An audio query as shown: facts, the mono 22.05 kHz signal and its mel spectrogram.
struct ClipView {
    facts: ClipFacts,
    samples: Vec<f32>,
    mel: Frames,
}

fn clip_view(facts: ClipFacts, arrays: &[Float32Array]) -> ClipView {
    let samples = arrays.first().map(Float32Array::to_vec).unwrap_or_default();
    let data = arrays.get(1).map(Float32Array::to_vec).unwrap_or_default();
    let n_rows = facts.mel_bands.max(1);
    let mel = Frames {
        n_rows,
        n_frames: data.len() / n_rows,
        data,
    };
    ClipView {
        facts,
        samples,
        mel,
    }
}

/// The absolute URL of the shipped assets (`pkg/` next to the page).
fn assets_base() -> String {
    let href = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    web_sys::Url::new_with_base("pkg/", &href)
        .map(|u| u.href())
        .unwrap_or_else(|_| "pkg/".to_owned())
}

fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set("ready", "1");
    }
}

fn focus_selector(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Offer `text` as a file download.
fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let failed = |_| "The browser refused to save the export.".to_owned();
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("No document.")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(failed)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoke after the browser has started the download.
    let _ = set_timeout_with_handle(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(10),
    );
    Ok(())
}

fn files_of(list: &web_sys::FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

fn is_typing_target(ev: &ev::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        .unwrap_or(false)
}

#[component]
pub fn App() -> impl IntoView {
    let catalog = RwSignal::new(None::<Arc<Catalog>>);
    let progress = RwSignal::new((0u64, 0u64));
    let answer = RwSignal::new(None::<Arc<AnswerView>>);
    let clip = RwSignal::new_local(None::<Rc<ClipView>>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let phase = RwSignal::new(Phase::Idle);
    // Completed queries (success or failure): lets tests wait for "the next result".
    let runs = RwSignal::new(0u32);
    // The query lifecycle: only the answer to the latest request is shown (`earshot_web::session`).
    let session = StoredValue::new(Session::new());
    let query = RwSignal::new(String::new());
    let cursor = RwSignal::new(None::<usize>);
    let playing = RwSignal::new(None::<usize>);
    let dragging = RwSignal::new(false);
    let mic = RwSignal::new(Mic::Off);
    let level = RwSignal::new(0.0f64);
    let redraw = RwSignal::new(0u32);
    let recorder: Rc<RefCell<Option<Recorder>>> = Rc::new(RefCell::new(None));
    let debounce = StoredValue::new_local(None::<TimeoutHandle>);
    // The file behind the latest audio request, in case the browser must decode it.
    let in_browser = StoredValue::new_local(None::<(u32, String, Blob, u32)>);
    let audio_ref = NodeRef::<html::Audio>::new();
    let base = assets_base();
    // The user's library: what the worker reports, the running batch, the search scope.
    let scope = RwSignal::new(Scope::Bundled);
    let library = RwSignal::new(None::<LibraryState>);
    let batch = RwSignal::new(None::<Batch>);
    let library_busy = RwSignal::new(false);

    let finish_failed = move |msg: String| {
        status.set(String::new());
        error.set(Some(msg));
        phase.set(Phase::Failed);
        runs.update(|n| *n += 1);
    };
    let client = StoredValue::new_local(None::<Client>);
    // A new query: later answers to older ones are ignored. False when the same query is
    // still running (its answer will do).
    let begin = move |query: Query, what: String| {
        if !session
            .try_update_value(|s| s.begin(query))
            .unwrap_or(false)
        {
            return false;
        }
        error.set(None);
        status.set(what);
        phase.set(Phase::Busy);
        true
    };
    let send = move |request: Request, arrays: &[JsValue]| {
        client.with_value(|c| match c {
            Some(c) => {
                let id = c.send(&request, arrays);
                session.update_value(|s| s.sent(id));
            }
            None => finish_failed("The search worker is not running; reload the page.".into()),
        });
    };
    let fail = move |msg: String| {
        session.update_value(Session::fail);
        clip.set(None);
        finish_failed(msg);
    };

    let send_audio = move |name: String, sample_rate: u32, channels: Vec<JsValue>| {
        send(
            Request::Audio {
                name,
                sample_rate,
                top: TOP,
                scope: scope.get_untracked(),
            },
            &channels,
        );
    };
    // Library requests do not replace the current query.
    let send_library = move |request: Request, arrays: &[JsValue]| {
        client.with_value(|c| {
            if let Some(c) = c {
                library_busy.set(true);
                c.send(&request, arrays);
            }
        });
    };
    // The object URL of the library sound playing (revoked when the next one starts).
    let mine_url = StoredValue::new_local(None::<String>);
    let play_mine_blob = move |blob: Option<Blob>| {
        let url = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok());
        match (url, audio_ref.get_untracked()) {
            (Some(url), Some(audio)) => {
                if let Some(old) = mine_url.get_value() {
                    let _ = web_sys::Url::revoke_object_url(&old);
                }
                mine_url.set_value(Some(url.clone()));
                playing.set(None);
                if let Err(msg) = player::play(&audio, &url) {
                    error.set(Some(msg));
                }
            }
            _ => error.set(Some("This sound could not be played.".to_owned())),
        }
    };
    // Adding to the library: a pool of workers embeds, the main worker stores. The same pool
    // embeds again the kept audio of sounds an earlier model embedded.
    let indexer = Indexer::new(
        base.clone(),
        batch,
        move |metas, arrays| send_library(Request::LibraryAdd { metas }, &arrays),
        move |metas, arrays| send_library(Request::LibraryReembed { metas }, &arrays),
    );
    // Asked once per page: sounds whose audio cannot be analysed again stay as they are.
    let stale_asked = StoredValue::new(false);
    let redo = indexer.clone();
    let on_reply = move |id: u32, response: Response, values: Vec<JsValue>| match response {
        Response::LibraryAudio { .. } => {
            library_busy.set(false);
            play_mine_blob(values.first().and_then(|v| v.clone().dyn_into().ok()));
        }
        Response::Started => {}
        Response::Progress { loaded, total } => progress.set((loaded, total)),
        Response::Ready(c) => {
            catalog.set(Some(Arc::new(c)));
            mark_ready();
            send_library(Request::LibraryOpen, &[]);
        }
        Response::Library(state) => {
            library_busy.set(false);
            if state.stale > 0 && !stale_asked.get_value() {
                stale_asked.set_value(true);
                send_library(Request::LibraryStale, &[]);
            }
            library.set(Some(state));
        }
        Response::Stale { metas } => {
            library_busy.set(false);
            let blobs = values.into_iter().filter_map(|v| v.dyn_into::<Blob>().ok());
            let sounds: Vec<(Meta, Blob)> = metas.into_iter().zip(blobs).collect();
            if let Err(msg) = redo.reembed(sounds) {
                error.set(Some(msg));
            }
        }
        Response::Exported { json } => {
            library_busy.set(false);
            if let Err(msg) = download("earshot-library.json", "application/json", &json) {
                error.set(Some(msg));
            }
        }
        Response::Embedded { .. } => {}
        Response::Answer(a) => {
            let outcome = session
                .try_update_value(|s| s.answer(id, &a))
                .unwrap_or(Outcome::Stale);
            if outcome == Outcome::Stale {
                return;
            }
            status.set(String::new());
            error.set(None);
            if outcome == Outcome::Show {
                let arrays = crate::client::floats(&values);
                clip.set(a.clip.clone().map(|f| Rc::new(clip_view(f, &arrays))));
                cursor.set(None);
                answer.set(Some(Arc::new(a)));
            }
            phase.set(Phase::Done);
            runs.update(|n| *n += 1);
        }
        Response::DecodeInBrowser { .. } => {
            let Some((req, name, blob, rate)) = in_browser.get_value() else {
                return;
            };
            if req != id || !session.with_value(|s| s.is_latest(id)) {
                return;
            }
            let run = session.with_value(Session::generation);
            spawn_local(async move {
                let decoded = decode::in_browser(&name, &blob, rate).await;
                // A newer query (or a failure) since: this work is no longer wanted.
                if session.with_value(Session::generation) != run {
                    return;
                }
                match decoded {
                    Ok((channels, sample_rate)) => send_audio(name, sample_rate, channels),
                    Err(msg) => fail(msg),
                }
            });
        }
        Response::Error { message } => {
            if catalog.with_untracked(Option::is_none) {
                // Loading failed: the page cannot search, say so.
                error.set(Some(message.clone()));
            }
            if session.try_update_value(|s| s.error(id)).unwrap_or(false) {
                clip.set(None);
                finish_failed(message);
            } else if library_busy.get_untracked() {
                // A library request failed (storage full, a bad import, …): say so; the
                // library is as it was.
                library_busy.set(false);
                error.set(Some(message));
            }
        }
    };

    match Client::start(on_reply) {
        Ok(c) => {
            c.send(
                &Request::Load {
                    base: base.clone(),
                    embed_only: false,
                },
                &[],
            );
            client.set_value(Some(c));
        }
        Err(msg) => error.set(Some(msg)),
    }
    let run_text = move |text: String| {
        if let Some(h) = debounce.get_value() {
            h.clear();
        }
        if text.trim().is_empty() {
            return;
        }
        let loading = catalog.with_untracked(Option::is_none);
        let scope_now = scope.get_untracked();
        if !begin(
            Query::text(&text, scope_now),
            if loading {
                "Loading the sound index… your search runs as soon as it is ready.".to_owned()
            } else {
                "Searching…".to_owned()
            },
        ) {
            return;
        }
        send(
            Request::Text {
                query: text,
                top: TOP,
                scope: scope_now,
            },
            &[],
        );
    };
    // Audio: the worker decodes the file as the CLI does; formats its decoder does not read
    // (a microphone recording's WebM/Opus, AAC, …) are decoded by the browser instead.
    let run_blob = move |name: String, blob: Blob, fallback_rate: u32| {
        if blob.size() <= 0.0 {
            return fail(analysis::empty_file(&name));
        }
        begin(Query::Audio, format!("Analysing “{name}”…"));
        // The file itself goes to the worker, which reads it: no copy of its bytes on this thread.
        send(
            Request::AudioFile {
                name: name.clone(),
                top: TOP,
                scope: scope.get_untracked(),
            },
            &[blob.clone().into()],
        );
        let id = session.with_value(Session::latest);
        in_browser.set_value(Some((id, name, blob, fallback_rate)));
    };
    let run_file = move |file: File| {
        let name = file.name();
        run_blob(name, file.into(), FALLBACK_RATE);
    };
    let find_similar = move |item: usize| {
        let label = catalog.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.items.get(item))
                .map(|i| layout::pretty_label(&i.label))
                .unwrap_or_default()
        });
        let scope_now = scope.get_untracked();
        if !begin(
            Query::Item {
                item,
                scope: scope_now,
            },
            format!("Finding sounds like this {label} clip…"),
        ) {
            return;
        }
        send(
            Request::Item {
                item,
                top: TOP,
                scope: scope_now,
            },
            &[],
        );
    };
    let find_similar_mine = move |key: u64| {
        let scope_now = scope.get_untracked();
        if !begin(
            Query::Mine {
                key,
                scope: scope_now,
            },
            "Finding sounds like this one from your library…".to_owned(),
        ) {
            return;
        }
        send(
            Request::Mine {
                key,
                top: TOP,
                scope: scope_now,
            },
            &[],
        );
    };

    let keep = RwSignal::new(Keep::File);
    let add_to_library = {
        let indexer = indexer.clone();
        move |files: Vec<File>| {
            indexer.keep(keep.get_untracked());
            if let Err(msg) = indexer.add(files) {
                error.set(Some(msg));
            }
        }
    };

    // A folder's contents: only what looks like sound is tried; the rest is named in a note.
    let library_note = RwSignal::new(String::new());
    let add_folder_files = {
        let add_to_library = add_to_library.clone();
        move |files: Vec<File>, unreadable: Vec<String>| {
            let (sounds, other): (Vec<File>, Vec<File>) = files
                .into_iter()
                .partition(|f| is_sound_file(&f.name(), &f.type_()));
            let mut skipped: Vec<String> = other.iter().map(File::name).collect();
            skipped.extend(unreadable);
            library_note.set(skipped_text(&skipped, 5));
            if sounds.is_empty() {
                error.set(Some("No sound files in that folder.".to_owned()));
            } else {
                add_to_library(sounds);
            }
        }
    };

    // Playback of previews.
    let play_item = {
        let base = base.clone();
        move |item: usize| {
            let Some(audio) = audio_ref.get_untracked() else {
                return;
            };
            let url = catalog.with_untracked(|c| {
                c.as_ref()
                    .and_then(|c| c.items.get(item))
                    .map(|i| format!("{base}{}", i.preview))
            });
            if let Some(url) = url {
                playing.set(Some(item));
                if let Err(msg) = player::play(&audio, &url) {
                    error.set(Some(msg));
                }
            }
        }
    };
    let stop_playing = move || {
        if let Some(audio) = audio_ref.get_untracked() {
            player::stop(&audio);
        }
        playing.set(None);
    };
    let toggle_item = {
        let play_item = play_item.clone();
        move |item: usize| {
            if playing.get_untracked() == Some(item) {
                stop_playing();
            } else {
                play_item(item);
            }
        }
    };

    // Text box: Enter runs now, typing runs after a pause, ↓ moves into the results.
    let on_input = move |ev: ev::Event| {
        let value = event_target_value(&ev);
        query.set(value.clone());
        if let Some(h) = debounce.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(move || run_text(value), DEBOUNCE).ok();
        debounce.set_value(handle);
    };
    let on_query_key = move |ev: ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            run_text(query.get_untracked());
        }
        "ArrowDown"
            if answer.with_untracked(|a| a.as_ref().is_some_and(|a| !a.results.is_empty())) =>
        {
            ev.prevent_default();
            cursor.set(Some(0));
            focus_selector("[data-testid=result][data-rank=\"1\"]");
        }
        _ => {}
    };

    // Results: ↑/↓ move, Space plays, Enter finds similar.
    let on_results_key = {
        let toggle_item = toggle_item.clone();
        move |ev: ev::KeyboardEvent| {
            let n = answer.with_untracked(|a| a.as_ref().map_or(0, |a| a.results.len()));
            if n == 0 || is_typing_target(&ev) {
                return;
            }
            let at = cursor.get_untracked().unwrap_or(0).min(n - 1);
            let (item, mine) = answer.with_untracked(|a| {
                a.as_ref()
                    .and_then(|a| a.results.get(at))
                    .map(|r| match &r.mine {
                        Some(m) => (None, Some(m.key)),
                        None => (Some(r.item), None),
                    })
                    .unwrap_or((None, None))
            });
            let moved = match ev.key().as_str() {
                "ArrowDown" => Some((at + 1).min(n - 1)),
                "ArrowUp" if at == 0 => {
                    ev.prevent_default();
                    cursor.set(None);
                    focus_selector("[data-testid=query-text]");
                    return;
                }
                "ArrowUp" => Some(at - 1),
                "Home" => Some(0),
                "End" => Some(n - 1),
                " " | "Spacebar" => {
                    ev.prevent_default();
                    if let Some(item) = item {
                        toggle_item(item);
                    }
                    None
                }
                "Enter" => {
                    ev.prevent_default();
                    if let Some(item) = item {
                        find_similar(item);
                    } else if let Some(key) = mine {
                        find_similar_mine(key);
                    }
                    None
                }
                _ => None,
            };
            if let Some(to) = moved {
                ev.prevent_default();
                cursor.set(Some(to));
                focus_selector(&format!("[data-testid=result][data-rank=\"{}\"]", to + 1));
            }
        }
    };

    // Page-wide keys: "/" focuses the search box, Esc stops playback.
    let _ = window_event_listener(ev::keydown, move |ev| match ev.key().as_str() {
        "/" if !is_typing_target(&ev) => {
            ev.prevent_default();
            focus_selector("[data-testid=query-text]");
        }
        "Escape" => stop_playing(),
        _ => {}
    });

    // File picker.
    let on_pick = move |ev: ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            run_file(file);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };

    // Drop anywhere on the page.
    let _ = window_event_listener(ev::dragover, move |ev| {
        ev.prevent_default();
        if let Some(dt) = ev.data_transfer() {
            dt.set_drop_effect("copy");
        }
        dragging.set(true);
    });
    let _ = window_event_listener(ev::dragleave, move |ev| {
        // Leaving the window (not just moving between children).
        if ev.related_target().is_none() {
            dragging.set(false);
        }
    });
    // One file: a query. Several: added to the library.
    let _ = window_event_listener(ev::drop, {
        let add_to_library = add_to_library.clone();
        let add_folder_files = add_folder_files.clone();
        move |ev| {
            ev.prevent_default();
            dragging.set(false);
            // Folders: walked after the event (their entries must be taken during it).
            if let Some(entries) = ev
                .data_transfer()
                .as_ref()
                .and_then(folder::dropped_folders)
            {
                let add_folder_files = add_folder_files.clone();
                spawn_local(async move {
                    let (files, unreadable) = folder::files_under(entries).await;
                    add_folder_files(files, unreadable);
                });
                return;
            }
            let files = ev
                .data_transfer()
                .and_then(|dt| dt.files())
                .map(|f| files_of(&f))
                .unwrap_or_default();
            match files.len() {
                0 => fail("Nothing to analyse: drop an audio file.".to_owned()),
                1 => {
                    if let Some(file) = files.into_iter().next() {
                        run_file(file);
                    }
                }
                _ => add_to_library(files),
            }
        }
    });
    let _ = window_event_listener(ev::resize, move |_| redraw.update(|n| *n += 1));

    // Microphone.
    let on_record = {
        let recorder = recorder.clone();
        move |_: ev::MouseEvent| match mic.get_untracked() {
            Mic::Starting => {}
            Mic::On => {
                if let Some(r) = recorder.borrow().as_ref() {
                    r.stop();
                }
            }
            Mic::Off => {
                mic.set(Mic::Starting);
                error.set(None);
                let holder = recorder.clone();
                let holder_done = recorder.clone();
                spawn_local(async move {
                    let started = Recorder::start(
                        move |v| level.set(v),
                        move |blob: Result<Blob, String>| {
                            holder_done.borrow_mut().take();
                            mic.set(Mic::Off);
                            match blob {
                                Ok(blob) if blob.size() <= 0.0 => fail(
                                    "The recording is empty: nothing came from the microphone."
                                        .to_owned(),
                                ),
                                Ok(blob) => run_blob(
                                    "Microphone recording".to_owned(),
                                    blob,
                                    RECORDING_RATE,
                                ),
                                Err(msg) => fail(msg),
                            }
                        },
                    )
                    .await;
                    match started {
                        Ok(r) => {
                            *holder.borrow_mut() = Some(r);
                            mic.set(Mic::On);
                        }
                        Err(msg) => {
                            mic.set(Mic::Off);
                            fail(msg);
                        }
                    }
                });
            }
        }
    };

    // Canvases follow the query clip and the window size.
    let wave_ref = NodeRef::<html::Canvas>::new();
    let spec_ref = NodeRef::<html::Canvas>::new();
    Effect::new(move |_| {
        redraw.track();
        let (Some(wave), Some(spec)) = (wave_ref.get(), spec_ref.get()) else {
            return;
        };
        clip.with(|c| match c {
            Some(c) => {
                draw::paint_waveform(&wave, &c.samples);
                draw::paint_spectrogram(&spec, &c.mel);
            }
            None => {
                draw::clear(&wave);
                draw::clear(&spec);
            }
        });
    });

    let facts = move || clip.with(|c| c.as_ref().map(|c| c.facts.clone()));
    let item_of =
        move |i: usize| catalog.with(|c| c.as_ref().and_then(|c| c.items.get(i).cloned()));
    let export_as = move |ext: &'static str| {
        let (Some(c), Some(a)) = (catalog.get_untracked(), answer.get_untracked()) else {
            return;
        };
        let (text, mime) = match ext {
            "csv" => (export::to_csv(&c, &a), "text/csv"),
            _ => (export::to_json(&c, &a), "application/json"),
        };
        if let Err(msg) = download(&export::file_name(&a, ext), mime, &text) {
            error.set(Some(msg));
        }
    };

    let summary = move || {
        answer.with(|a| {
            a.as_ref().map(|a| {
                let what = match (&a.query.kind[..], a.from_item) {
                    (_, Some(i)) => format!(
                        "sounds like {}",
                        item_of(i).map(|it| it.id).unwrap_or_default()
                    ),
                    ("text", _) => format!("“{}”", a.query.value),
                    _ => format!("the sound of “{}”", a.query.value),
                };
                let mut unknown = if a.unknown_words.is_empty() {
                    String::new()
                } else {
                    format!(" (not in the vocabulary: {})", a.unknown_words.join(", "))
                };
                if let Some(s) = &a.searched_as {
                    unknown.push_str(&format!("; showing results for {s}"));
                }
                format!(
                    "{} results for {what} in {:.0} ms{unknown}",
                    a.results.len(),
                    a.millis
                )
            })
        })
    };

    let results_view = {
        let toggle_item = toggle_item.clone();
        move || {
            let Some(a) = answer.get() else {
                return Vec::new();
            };
            let c = catalog.get();
            a.results
                .iter()
                .enumerate()
                .filter_map(|(rank, r)| {
                    if let Some(m) = &r.mine {
                        let key = m.key;
                        let label = layout::pretty_label(&m.label);
                        return Some(view! {
                            <li
                                data-testid="result"
                                class="result mine"
                                class:selected=move || cursor.get() == Some(rank)
                                data-id=format!("library:{key}")
                                data-label=m.label.clone()
                                data-score=r.score.to_string()
                                data-rank=(rank + 1).to_string()
                                data-library="1"
                                tabindex=move || if cursor.get().unwrap_or(0) == rank { "0" } else { "-1" }
                                aria-label=format!("{}. {} from your library (sounds like {label}), similarity {:.2}", rank + 1, m.name, r.score)
                                on:focus=move |_| cursor.set(Some(rank))
                            >
                                {if m.audio {
                                    view! {
                                        <button
                                            type="button"
                                            class="play"
                                            data-testid="play"
                                            data-library="1"
                                            tabindex="-1"
                                            aria-label=format!("Play {}", m.name)
                                            on:click=move |e: ev::MouseEvent| {
                                                e.stop_propagation();
                                                send_library(Request::LibraryAudio { key }, &[]);
                                            }
                                        >
                                            "▶"
                                        </button>
                                    }
                                    .into_any()
                                } else {
                                    view! { <span class="play mine-badge" aria-hidden="true">"★"</span> }.into_any()
                                }}
                                <span class="rank" aria-hidden="true">{rank + 1}</span>
                                <span class="what">
                                    <span class="label">{m.name.clone()}</span>
                                    <span class="source">{format!("Your library · sounds like {label}")}</span>
                                </span>
                                <span class="bar" aria-hidden="true">
                                    <span style:width=format!("{:.1}%", layout::percent(r.score))></span>
                                </span>
                                <span class="score">{format!("{:.2}", r.score)}</span>
                                <button
                                    type="button"
                                    class="similar"
                                    data-testid="find-similar"
                                    tabindex="-1"
                                    aria-label=format!("Find sounds similar to {}", m.name)
                                    on:click=move |e: ev::MouseEvent| {
                                        e.stop_propagation();
                                        find_similar_mine(key);
                                    }
                                >
                                    "Similar"
                                </button>
                            </li>
                        }
                        .into_any());
                    }
                    let it = c.as_ref()?.items.get(r.item)?.clone();
                    let item = r.item;
                    let pretty = layout::pretty_label(&it.label);
                    let toggle_play = toggle_item.clone();
                    let toggle_row = toggle_item.clone();
                    Some(view! {
                        <li
                            data-testid="result"
                            class="result"
                            class:playing=move || playing.get() == Some(item)
                            class:selected=move || cursor.get() == Some(rank)
                            data-id=it.id.clone()
                            data-label=it.label.clone()
                            data-score=r.score.to_string()
                            data-rank=(rank + 1).to_string()
                            data-item=item.to_string()
                            tabindex=move || if cursor.get().unwrap_or(0) == rank { "0" } else { "-1" }
                            aria-label=format!("{}. {pretty}, similarity {:.2}, from {}", rank + 1, r.score, it.source)
                            on:click=move |_| toggle_row(item)
                            on:focus=move |_| cursor.set(Some(rank))
                        >
                            <button
                                type="button"
                                class="play"
                                data-testid="play"
                                tabindex="-1"
                                aria-label=format!("Play {pretty}")
                                aria-pressed=move || if playing.get() == Some(item) { "true" } else { "false" }
                                on:click=move |e: ev::MouseEvent| {
                                    e.stop_propagation();
                                    toggle_play(item);
                                }
                            >
                                {move || if playing.get() == Some(item) { "■" } else { "▶" }}
                            </button>
                            <span class="rank" aria-hidden="true">{rank + 1}</span>
                            <span class="what">
                                <span class="label">{pretty.clone()}</span>
                                <span class="source">{it.source.clone()}</span>
                            </span>
                            <span class="bar" aria-hidden="true">
                                <span style:width=format!("{:.1}%", layout::percent(r.score))></span>
                            </span>
                            <span class="score">{format!("{:.2}", r.score)}</span>
                            <button
                                type="button"
                                class="similar"
                                data-testid="find-similar"
                                tabindex="-1"
                                aria-label=format!("Find sounds similar to {pretty}")
                                on:click=move |e: ev::MouseEvent| {
                                    e.stop_propagation();
                                    find_similar(item);
                                }
                            >
                                "Similar"
                            </button>
                        </li>
                    }
                    .into_any())
                })
                .collect::<Vec<_>>()
        }
    };

    let labels_view = move || {
        answer.with(|a| {
            a.as_ref()
                .map(|a| {
                    a.labels
                        .iter()
                        .take(5)
                        .map(|l| {
                            view! {
                                <li data-testid="label-item" data-label=l.name.clone() data-score=l.score.to_string()>
                                    <span class="label">{layout::pretty_label(&l.name)}</span>
                                    <span class="bar" aria-hidden="true">
                                        <span style:width=format!("{:.1}%", layout::percent(l.score))></span>
                                    </span>
                                    <span class="score">{format!("{:.0}%", layout::percent(l.score))}</span>
                                </li>
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let words_view = move || {
        answer.with(|a| {
            a.as_ref()
                .map(|a| {
                    a.words
                        .iter()
                        .take(12)
                        .map(|w| {
                            view! {
                                <li data-testid="word-item" data-word=w.name.clone() data-score=w.score.to_string()>
                                    {w.name.clone()}
                                </li>
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    // The map: every index item once (static), results and the query on top (reactive).
    let frame = Memo::new(move |_| {
        catalog.with(|c| {
            let pts: Vec<[f32; 2]> = c
                .as_ref()
                .map(|c| c.items.iter().map(|i| [i.x, i.y]).collect())
                .unwrap_or_default();
            Frame::fit(&pts, MAP_W, MAP_H, 14.0)
        })
    });
    let map_points = move || {
        let f = frame.get();
        catalog.with(|c| {
            c.as_ref()
                .map(|c| {
                    c.items
                        .iter()
                        .enumerate()
                        .map(|(i, it)| {
                            let (x, y) = f.place([it.x, it.y]);
                            view! {
                                <circle
                                    class="point"
                                    cx=format!("{x:.1}")
                                    cy=format!("{y:.1}")
                                    r="4"
                                    fill=layout::class_colour(it.class)
                                    data-item=i.to_string()
                                >
                                    <title>{format!("{} ({})", layout::pretty_label(&it.label), it.id)}</title>
                                </circle>
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let map_hits = move || {
        let f = frame.get();
        let (Some(a), Some(c)) = (answer.get(), catalog.get()) else {
            return Vec::new();
        };
        let mut out: Vec<_> = a
            .results
            .iter()
            .filter(|r| r.mine.is_none())
            .filter_map(|r| c.items.get(r.item).map(|it| (r.item, it)))
            .map(|(i, it)| {
                let (x, y) = f.place([it.x, it.y]);
                view! {
                    <circle class="hit" data-testid="map-hit" cx=format!("{x:.1}") cy=format!("{y:.1}") r="8" data-item=i.to_string()></circle>
                }
                .into_any()
            })
            .collect();
        let (qx, qy) = f.place(a.point);
        out.push(
            view! {
                <g class="query" data-testid="map-query" transform=format!("translate({qx:.1} {qy:.1})")>
                    <circle r="11"></circle>
                    <path d="M -7 0 H 7 M 0 -7 V 7"></path>
                </g>
            }
            .into_any(),
        );
        out
    };
    let map_item = |ev: &ev::MouseEvent| -> Option<usize> {
        ev.target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("data-item"))
            .and_then(|s| s.parse().ok())
    };
    let on_map_click = move |ev: ev::MouseEvent| {
        if let Some(i) = map_item(&ev) {
            find_similar(i);
        }
    };
    let on_map_hover = {
        let play_item = play_item.clone();
        move |ev: ev::MouseEvent| {
            if let Some(i) = map_item(&ev) {
                if playing.get_untracked() != Some(i) {
                    play_item(i);
                }
            }
        }
    };
    let n_items = move || catalog.with(|c| c.as_ref().map_or(0, |c| c.items.len()));

    // Library panel.
    let on_library_pick = {
        let add_to_library = add_to_library.clone();
        move |ev: ev::Event| {
            let input: HtmlInputElement = event_target(&ev);
            if let Some(list) = input.files() {
                if input.webkitdirectory() {
                    add_folder_files(files_of(&list), Vec::new());
                } else {
                    library_note.set(String::new());
                    add_to_library(files_of(&list));
                }
            }
            input.set_value("");
        }
    };
    let indexer_handle = StoredValue::new_local(indexer.clone());
    let on_library_cancel = move |_: ev::MouseEvent| indexer_handle.with_value(Indexer::cancel);
    let on_library_clear = move |_: ev::MouseEvent| {
        let n = library.with_untracked(|l| l.as_ref().map_or(0, |l| l.count));
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Delete all {n} sounds from your library? This cannot be undone."
                ))
                .ok()
            })
            .unwrap_or(false);
        if sure {
            send_library(Request::LibraryClear, &[]);
        }
    };
    let on_library_import = move |ev: ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => send_library(
                    Request::LibraryImport {
                        json: text.as_string().unwrap_or_default(),
                    },
                    &[],
                ),
                Err(_) => error.set(Some(analysis::read_failed(&file.name()))),
            }
        });
    };
    let on_scope = move |ev: ev::Event| {
        scope.set(Scope::parse(&event_target_value(&ev)));
        let q = query.get_untracked();
        if !q.trim().is_empty() {
            run_text(q);
        }
    };
    let library_count = move || library.with(|l| l.as_ref().map_or(0, |l| l.count));
    // Renaming and retagging: one sound at a time, in place.
    let editing = RwSignal::new(None::<u64>);
    let edit_name = RwSignal::new(String::new());
    let edit_tags = RwSignal::new(String::new());
    let save_edit = move || {
        let Some(key) = editing.get_untracked() else {
            return;
        };
        let tags = edit_tags
            .get_untracked()
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        send_library(
            Request::LibraryUpdate {
                key,
                name: edit_name.get_untracked(),
                tags,
            },
            &[],
        );
        editing.set(None);
    };
    let library_items = move || {
        library.with(|l| {
            l.as_ref()
                .map(|l| {
                    l.recent
                        .iter()
                        .map(|m| {
                            let key = m.key;
                            let (name, tags) = (m.name.clone(), m.tags.join(", "));
                            let about = format!(
                                "{} · sounds like {}{}",
                                analysis::format_seconds(m.seconds),
                                layout::pretty_label(&m.label),
                                if m.tags.is_empty() { String::new() } else { format!(" · tags: {tags}") }
                            );
                            if editing.get() == Some(key) {
                                return view! {
                                    <li data-testid="library-item" class="editing" data-key=key.to_string() data-name=m.name.clone() data-label=m.label.clone()>
                                        <form class="edit" on:submit=move |e: ev::SubmitEvent| { e.prevent_default(); save_edit(); }>
                                            <input data-testid="library-name" aria-label="Name" maxlength="200" prop:value=move || edit_name.get() on:input=move |e| edit_name.set(event_target_value(&e)) />
                                            <input data-testid="library-tags" aria-label="Tags, separated by commas" placeholder="tags, comma separated" maxlength="400" prop:value=move || edit_tags.get() on:input=move |e| edit_tags.set(event_target_value(&e)) />
                                            <button type="submit" class="small" data-testid="library-save">"Save"</button>
                                            <button type="button" class="small" on:click=move |_| editing.set(None)>"Cancel"</button>
                                        </form>
                                    </li>
                                }
                                .into_any();
                            }
                            let standing = Standing::of(m, &l.model);
                            let mark = match standing {
                                Standing::Current => None,
                                Standing::Updating => Some("being analysed again for the new model"),
                                Standing::NeedsFile => Some("needs its file again (made with an earlier model)"),
                            };
                            view! {
                                <li data-testid="library-item" data-key=key.to_string() data-name=m.name.clone() data-label=m.label.clone() data-tags=m.tags.join(", ") data-standing=standing.as_str()>
                                    <span class="what">
                                        <span class="label">{m.name.clone()}</span>
                                        <span class="source">{about}</span>
                                        {mark.map(|t| view! { <span class="standing" data-testid="library-standing">{t}</span> })}
                                    </span>
                                    <button type="button" class="small" aria-label=format!("Find sounds similar to {}", m.name) on:click=move |_| find_similar_mine(key)>"Similar"</button>
                                    <button type="button" class="small" data-testid="library-edit" aria-label=format!("Rename or retag {}", m.name) on:click=move |_| {
                                        edit_name.set(name.clone());
                                        edit_tags.set(tags.clone());
                                        editing.set(Some(key));
                                    }>"Edit"</button>
                                    <button type="button" class="small" data-testid="library-delete" aria-label=format!("Delete {} from your library", m.name) on:click=move |_| send_library(Request::LibraryDelete { key }, &[])>"Delete"</button>
                                </li>
                            }
                            .into_any()
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let failures = move || {
        batch.with(|b| {
            b.as_ref()
                .map(|b| {
                    b.failed
                        .iter()
                        .map(|(name, why)| view! { <li data-testid="library-failure" data-name=name.clone()>{format!("{name}: {why}")}</li> })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let indexing = move || batch.with(|b| b.as_ref().is_some_and(|b| !b.finished()));
    let model_text = move || {
        library.with(|l| {
            l.as_ref()
                .map(|l| model_note(l.stale, l.needs_file))
                .unwrap_or_default()
        })
    };

    view! {
        <div
            class="app"
            class:dragging=move || dragging.get()
            data-state=move || phase.get().as_str()
            data-runs=move || runs.get().to_string()
        >
            <header class="top">
                <h1>"earshot"</h1>
                <p class="tagline">"Search sounds by describing them, or by sound: type, pick, drop or record."</p>
            </header>
            <main>
                <section class="controls" aria-label="Search">
                    <input
                        type="search"
                        class="query"
                        data-testid="query-text"
                        placeholder="Describe a sound, e.g. dog barking  ( / )"
                        aria-label="Describe a sound to search for"
                        autocomplete="off"
                        spellcheck="false"
                        maxlength="1000"
                        prop:value=move || query.get()
                        on:input=on_input
                        on:keydown=on_query_key
                    />
                    <select class="scope" data-testid="scope" aria-label="What to search" on:change=on_scope>
                        <option value="bundled" selected>"Bundled sounds"</option>
                        <option value="library">"My library"</option>
                        <option value="all">"Everything"</option>
                    </select>
                    <label class="button file-button">
                        <input
                            type="file"
                            data-testid="query-file"
                            accept=ACCEPT
                            aria-label="Choose an audio file to search with"
                            on:change=on_pick
                        />
                        <span aria-hidden="true">"Audio file"</span>
                    </label>
                    <button
                        type="button"
                        class="button record-button"
                        class:recording=move || mic.get() == Mic::On
                        data-testid="record"
                        aria-label=move || match mic.get() {
                            Mic::On => "Stop recording",
                            _ => "Record from the microphone",
                        }
                        aria-pressed=move || if mic.get() == Mic::On { "true" } else { "false" }
                        disabled=move || mic.get() == Mic::Starting
                        on:click=on_record
                    >
                        {move || match mic.get() {
                            Mic::Off => "Record",
                            Mic::Starting => "Starting…",
                            Mic::On => "Stop",
                        }}
                    </button>
                    <meter
                        data-testid="level"
                        class="level"
                        min="0"
                        max="1"
                        low="0.6"
                        high="0.9"
                        optimum="0.3"
                        value=move || format!("{:.3}", level.get())
                        aria-label="Microphone level"
                    ></meter>
                    <p class="hint">"…or drop an audio file anywhere on this page."</p>
                </section>

                <div class="loading" data-testid="loading" hidden=move || catalog.with(Option::is_some)>
                    <progress
                        max=move || progress.with(|p| p.1.max(1).to_string())
                        value=move || progress.with(|p| (p.1 > 0).then(|| p.0.to_string()))
                        aria-label="Loading the model, vocabulary and index"
                    ></progress>
                    <span>{move || progress.with(|p| format!("Loading the sound index… {}", layout::progress_text(p.0, p.1)))}</span>
                </div>
                <p data-testid="error" class="error" role="alert" hidden=move || error.with(Option::is_none)>
                    {move || error.get().unwrap_or_default()}
                </p>
                <p class="status" role="status" aria-live="polite">
                    {move || { let s = status.get(); if s.is_empty() { summary().unwrap_or_default() } else { s } }}
                </p>

                <div class="panels">
                    <section class="results-panel" aria-label="Results">
                        <div class="panel-head">
                            <h2>"Results"</h2>
                            <div class="exports">
                                <button type="button" class="small" data-testid="export-json" disabled=move || answer.with(Option::is_none) on:click=move |_| export_as("json")>"Export JSON"</button>
                                <button type="button" class="small" data-testid="export-csv" disabled=move || answer.with(Option::is_none) on:click=move |_| export_as("csv")>"Export CSV"</button>
                            </div>
                        </div>
                        <ol class="results" data-testid="results" aria-label="Results, best first. Arrow keys move, Space plays, Enter finds similar." on:keydown=on_results_key>
                            {results_view}
                        </ol>
                        <p class="empty" hidden=move || answer.with(Option::is_some)>
                            "Type a description above, or give a sound, to see the nearest sounds here."
                        </p>
                    </section>

                    <section class="query-panel" aria-label="About the query">
                        <h2>"Sounds like"</h2>
                        <ol class="labels" data-testid="labels" aria-label="Predicted labels">{labels_view}</ol>
                        <ul class="words" data-testid="words" aria-label="Nearest words">{words_view}</ul>
                        <dl class="facts">
                            <div>
                                <dt>"File"</dt>
                                <dd data-testid="file-name">{move || facts().map(|f| f.name).unwrap_or_else(|| "—".to_owned())}</dd>
                            </div>
                            <div>
                                <dt>"Duration"</dt>
                                <dd data-testid="duration" data-seconds=move || facts().map(|f| f.seconds.to_string())>
                                    {move || facts().map(|f| analysis::format_seconds(f.seconds)).unwrap_or_else(|| "—".to_owned())}
                                </dd>
                            </div>
                            <div>
                                <dt>"MFCC frames"</dt>
                                <dd data-testid="frames" data-frames=move || facts().map(|f| f.frames.to_string())>
                                    {move || facts().map(|f| f.frames.to_string()).unwrap_or_else(|| "—".to_owned())}
                                </dd>
                            </div>
                            <div>
                                <dt>"Source"</dt>
                                <dd data-testid="source">{move || facts().map(|f| analysis::format_source(f.native_rate, f.channels)).unwrap_or_else(|| "—".to_owned())}</dd>
                            </div>
                        </dl>
                        <figure class="plot">
                            <figcaption>"Waveform"</figcaption>
                            <canvas data-testid="waveform" node_ref=wave_ref role="img" aria-label="Waveform of the query audio"></canvas>
                        </figure>
                        <figure class="plot">
                            <figcaption>"Mel spectrogram (time →, low pitch at the bottom)"</figcaption>
                            <canvas data-testid="spectrogram" class="tall" node_ref=spec_ref role="img" aria-label="Mel spectrogram of the query audio"></canvas>
                        </figure>
                    </section>
                </div>

                <section class="library-panel" aria-label="Your library">
                    <div class="panel-head">
                        <h2>"Your library " <span class="count" data-testid="library-count-text">"("<span data-testid="library-count">{library_count}</span>{move || if library_count() == 1 { " sound)" } else { " sounds)" }}</span></h2>
                        <div class="exports">
                            <button type="button" class="small" data-testid="library-export" disabled=move || library_count() == 0 on:click=move |_| send_library(Request::LibraryExport, &[])>"Export"</button>
                            <label class="small file-button">
                                <input type="file" data-testid="library-import" accept=".json,application/json" aria-label="Import a library exported from earshot" on:change=on_library_import />
                                <span aria-hidden="true">"Import"</span>
                            </label>
                            <button type="button" class="small danger" data-testid="library-clear" disabled=move || library_count() == 0 on:click=on_library_clear>"Clear all"</button>
                        </div>
                    </div>
                    <p class="hint">"Add your own sounds: they are analysed here, kept in this browser (IndexedDB) and never uploaded. Drop several files anywhere, or:"</p>
                    <div class="library-add">
                        <label class="button file-button">
                            <input type="file" multiple data-testid="library-add" accept=ACCEPT aria-label="Add sound files to your library" on:change=on_library_pick.clone() />
                            <span aria-hidden="true">"Add files"</span>
                        </label>
                        <label class="button file-button secondary">
                            <input type="file" multiple=true prop:webkitdirectory=true data-testid="library-add-folder" aria-label="Add a folder of sounds to your library" on:change=on_library_pick />
                            <span aria-hidden="true">"Add a folder"</span>
                        </label>
                        <label class="keep">
                            "Keep "
                            <select
                                data-testid="library-keep"
                                aria-label="What to keep of each added sound"
                                on:change=move |ev| keep.set(Keep::parse(&event_target_value(&ev)))
                            >
                                <option value="file" selected=true>"the sound file"</option>
                                <option value="preview">"a 4 s compressed preview (Opus)"</option>
                                <option value="fingerprint">"only its fingerprint (smallest; not playable)"</option>
                            </select>
                        </label>
                    </div>
                    <Show when=indexing>
                        <div class="indexing" data-testid="progress" role="status">
                            <progress
                                max=move || batch.with(|b| b.as_ref().map_or(1, |b| b.total.max(1)).to_string())
                                value=move || batch.with(|b| b.as_ref().map_or(0, |b| b.done).to_string())
                                aria-label="Sounds analysed"
                            ></progress>
                            <span>{move || batch.with(|b| b.as_ref().map(|b| b.text(js_sys::Date::now())).unwrap_or_default())}</span>
                            <button type="button" class="small" data-testid="library-cancel" on:click=on_library_cancel>"Cancel"</button>
                        </div>
                    </Show>
                    <p class="library-note" data-testid="library-note" hidden=move || library_note.with(String::is_empty)>{move || library_note.get()}</p>
                    <p class="library-note" data-testid="library-model-note" hidden=move || model_text().is_empty()>{model_text}</p>
                    <ul class="failures" data-testid="library-failures" aria-label="Files that could not be added">{failures}</ul>
                    <ul class="library-list" aria-label="Newest sounds in your library">{library_items}</ul>
                </section>

                <section class="map-panel" aria-label="Map of all sounds">
                    <h2>"Map of all sounds"</h2>
                    <p class="hint">"Each dot is a sound, coloured by class; nearby dots sound alike. Hover to listen, click to search with it. The cross is your query, rings its results."</p>
                    <svg
                        data-testid="map"
                        class="map"
                        viewBox=format!("0 0 {MAP_W} {MAP_H}")
                        role="img"
                        aria-label=move || format!("Map of the {} indexed sounds", n_items())
                        data-points=move || n_items().to_string()
                        on:click=on_map_click
                        on:mouseover=on_map_hover
                    >
                        <g class="points">{map_points}</g>
                        <g class="hits">{map_hits}</g>
                    </svg>
                </section>
                <audio
                    data-testid="player"
                    node_ref=audio_ref
                    preload="none"
                    on:ended=move |_| playing.set(None)
                    on:error=move |_| {
                        if playing.get_untracked().is_some() {
                            playing.set(None);
                            error.set(Some("This preview could not be played.".to_owned()));
                        }
                    }
                ></audio>
            </main>
            <footer class="foot">
                <a href="pkg/CREDITS.md">"Sound credits and licences"</a>
                <crate::sw::OfflineBar ready=Signal::derive(move || catalog.with(Option::is_some)) />
            </footer>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop to search with this sound"</p>
            </div>
        </div>
    }
}
