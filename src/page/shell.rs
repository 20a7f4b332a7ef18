//! The page's handle on its state and the browser: the plain-Rust [`Session`] in a signal, the
//! worker client, the indexing pool, the recorder and the `<audio>` element, and the actions the
//! components call (run a query, play, add to the library…). `Shell` is `Copy` and given to the
//! components by context; what it does to the state is the session's, tested natively.

use std::sync::Arc;
use std::time::Duration;

use earshot_web::analysis;
use earshot_web::batch::{is_sound_file, skipped_text, Batch};
use earshot_web::envelope;
use earshot_web::export;
use earshot_web::layout;
use earshot_web::library::{Keep, Meta};
use earshot_web::protocol::{AnswerView, Catalog, LibraryState, Request, Response, Scope, TOP};
use earshot_web::session::{ClipView, Effect, Query, Session, Sound};
use earshot_web::worker::Payload;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File};

use crate::page::client::Client;
use crate::page::decode::{self, FALLBACK_RATE, RECORDING_RATE};
use crate::page::dom;
use crate::page::player;
use crate::page::pool::Indexer;
use crate::page::record::{self, Recorder};

/// How long a deleted library sound can be brought back.
pub const UNDO_TIME: Duration = Duration::from_secs(6);

/// Typing pause before a text query runs by itself.
const DEBOUNCE: Duration = Duration::from_millis(250);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mic {
    Off,
    Starting,
    On,
}

/// Whether two shared values are the same one (big values: no deep comparison per change).
fn same<T>(a: Option<&Option<Arc<T>>>, b: Option<&Option<Arc<T>>>) -> bool {
    match (a, b) {
        (Some(Some(a)), Some(Some(b))) => Arc::ptr_eq(a, b),
        (Some(None), Some(None)) => true,
        _ => false,
    }
}

#[derive(Clone, Copy)]
pub struct Shell {
    pub session: RwSignal<Session>,
    // Parts of the session the view follows one by one.
    pub catalog: Memo<Option<Arc<Catalog>>>,
    pub answer: Memo<Option<Arc<AnswerView>>>,
    pub clip: Memo<Option<Arc<ClipView>>>,
    pub cursor: Memo<Option<usize>>,
    pub playing: Memo<Option<usize>>,
    pub library: Memo<Option<LibraryState>>,
    /// The search box's text.
    pub query: RwSignal<String>,
    /// The library batch being added.
    pub batch: RwSignal<Option<Batch>>,
    pub keep: RwSignal<Keep>,
    /// Files of a folder that were not tried.
    pub library_note: RwSignal<String>,
    /// Library sounds' kept files fetched to be dragged out: (key, object URL, media type).
    pub files: RwSignal<Vec<(u64, String, String)>>,
    /// The keyboard shortcuts are shown.
    pub help: RwSignal<bool>,
    /// Files dragged over the page (0: none).
    pub dragging: RwSignal<u32>,
    pub mic: RwSignal<Mic>,
    pub level: RwSignal<f64>,
    /// Seconds the running recording has lasted.
    pub elapsed: RwSignal<f64>,
    /// Bumped when the window is resized: the plots are drawn again.
    pub redraw: RwSignal<u32>,
    pub audio: NodeRef<html::Audio>,
    base: StoredValue<String>,
    client: StoredValue<Option<Client>, LocalStorage>,
    indexer: StoredValue<Option<Indexer>, LocalStorage>,
    recorder: StoredValue<Option<Recorder>, LocalStorage>,
    /// When the running recording started (`Date.now()`, ms).
    recording_since: StoredValue<f64>,
    debounce: StoredValue<Option<TimeoutHandle>, LocalStorage>,
    /// The file behind the latest audio request, in case the browser must decode it.
    in_browser: StoredValue<Option<(u32, String, Blob, u32)>, LocalStorage>,
    /// The object URL of the library sound playing (revoked when the next one starts).
    mine_url: StoredValue<Option<String>, LocalStorage>,
    /// Library sounds whose kept file was asked for and has not come yet.
    asked: StoredValue<Vec<u64>>,
}

impl Shell {
    pub fn new() -> Self {
        let session = RwSignal::new(Session::new());
        let catalog = Memo::new_with_compare(
            move |_| session.with(|s| s.catalog.clone()),
            |a, b| !same(a, b),
        );
        let answer = Memo::new_with_compare(
            move |_| session.with(|s| s.answer.clone()),
            |a, b| !same(a, b),
        );
        let clip = Memo::new_with_compare(
            move |_| session.with(|s| s.clip.clone()),
            |a, b| !same(a, b),
        );
        Self {
            session,
            catalog,
            answer,
            clip,
            cursor: Memo::new(move |_| session.with(|s| s.cursor)),
            playing: Memo::new(move |_| session.with(|s| s.playing)),
            library: Memo::new(move |_| session.with(|s| s.library.clone())),
            query: RwSignal::new(String::new()),
            batch: RwSignal::new(None),
            keep: RwSignal::new(Keep::File),
            library_note: RwSignal::new(String::new()),
            help: RwSignal::new(false),
            files: RwSignal::new(Vec::new()),
            dragging: RwSignal::new(0),
            mic: RwSignal::new(Mic::Off),
            level: RwSignal::new(0.0),
            elapsed: RwSignal::new(0.0),
            redraw: RwSignal::new(0),
            audio: NodeRef::new(),
            base: StoredValue::new(dom::assets_base()),
            client: StoredValue::new_local(None),
            indexer: StoredValue::new_local(None),
            recorder: StoredValue::new_local(None),
            recording_since: StoredValue::new(0.0),
            debounce: StoredValue::new_local(None),
            in_browser: StoredValue::new_local(None),
            mine_url: StoredValue::new_local(None),
            asked: StoredValue::new(Vec::new()),
        }
    }

    /// Starts the worker (loading the model, vocabulary and index) and the indexing pool.
    pub fn start(self) {
        // Adding to the library: a pool of workers embeds, the main worker stores. The same pool
        // embeds again the kept audio of sounds an earlier model embedded.
        let indexer = Indexer::new(
            self.base.get_value(),
            self.batch,
            move |metas, arrays| self.send_library(Request::LibraryAdd { metas }, &arrays),
            move |metas, arrays| self.send_library(Request::LibraryReembed { metas }, &arrays),
        );
        self.indexer.set_value(Some(indexer));
        match Client::start(move |id, response, values| self.on_reply(id, response, values)) {
            Ok(c) => {
                c.send(
                    &Request::Load {
                        base: self.base.get_value(),
                        embed_only: false,
                    },
                    &[],
                );
                self.client.set_value(Some(c));
            }
            Err(msg) => self.warn(msg),
        }
    }

    fn on_reply(self, id: u32, response: Response, values: Vec<JsValue>) {
        let payload = match &response {
            Response::Answer(_) => envelope::clip(&values),
            _ => Payload::None,
        };
        let effects = self
            .session
            .try_update(|s| s.apply(id, response, payload))
            .unwrap_or_default();
        for effect in effects {
            self.effect(id, effect, &values);
        }
    }

    fn effect(self, id: u32, effect: Effect, values: &[JsValue]) {
        match effect {
            Effect::OpenLibrary => self.send_library(Request::LibraryOpen, &[]),
            Effect::Ready => dom::mark_ready(),
            Effect::AskStale => self.send_library(Request::LibraryStale, &[]),
            Effect::KeepFile(key) => {
                self.asked.update_value(|a| a.retain(|k| *k != key));
                let blob = values
                    .first()
                    .and_then(|v| v.clone().dyn_into::<Blob>().ok());
                let url = blob
                    .as_ref()
                    .and_then(|b| web_sys::Url::create_object_url_with_blob(b).ok());
                if let (Some(b), Some(url)) = (blob, url) {
                    self.files.update(|f| {
                        // A few dozen at most: the oldest object URLs are let go.
                        while f.len() >= 40 {
                            let (_, old, _) = f.remove(0);
                            let _ = web_sys::Url::revoke_object_url(&old);
                        }
                        f.push((key, url, b.type_()));
                    });
                }
            }
            Effect::PlayBlob => {
                self.play_blob(values.first().and_then(|v| v.clone().dyn_into().ok()))
            }
            Effect::Reembed(metas) => {
                let blobs = values
                    .iter()
                    .filter_map(|v| v.clone().dyn_into::<Blob>().ok());
                let sounds: Vec<(Meta, Blob)> = metas.into_iter().zip(blobs).collect();
                let done = self
                    .indexer
                    .with_value(|i| i.as_ref().map(|i| i.reembed(sounds)));
                if let Some(Err(msg)) = done {
                    self.warn(msg);
                }
            }
            Effect::Download(json) => {
                if let Err(msg) = dom::download("earshot-library.json", "application/json", &json) {
                    self.warn(msg);
                }
            }
            Effect::DecodeInBrowser { generation } => self.decode_in_browser(id, generation),
        }
    }

    /// The worker's decoder does not read the latest query's file: the browser decodes it.
    fn decode_in_browser(self, id: u32, generation: u64) {
        let Some((req, name, blob, rate)) = self.in_browser.get_value() else {
            return;
        };
        if req != id {
            return;
        }
        spawn_local(async move {
            let decoded = decode::in_browser(&name, &blob, rate).await;
            // A newer query (or a failure) since: this work is no longer wanted.
            if self.session.with_untracked(Session::generation) != generation {
                return;
            }
            match decoded {
                Ok((channels, sample_rate)) => {
                    let scope = self.scope();
                    let request = Request::Audio {
                        name,
                        sample_rate,
                        top: TOP,
                        scope,
                    };
                    self.send(request, &channels);
                }
                Err(msg) => self.fail(msg),
            }
        });
    }

    pub fn scope(self) -> Scope {
        self.session.with_untracked(|s| s.scope)
    }

    /// A new query, shown as the chip `chip`: later answers to older ones are ignored. False
    /// when the same query is still running (its answer will do).
    fn begin(self, query: Query, what: String, chip: String) -> bool {
        let text = matches!(query, Query::Text { .. });
        let began = self
            .session
            .try_update(|s| {
                let began = s.begin(query, what);
                if began {
                    s.chip = Some(chip);
                }
                began
            })
            .unwrap_or(false);
        // A sound as the query: the box no longer describes what is shown.
        if began && !text {
            self.cancel_typing();
            self.query.set(String::new());
        }
        began
    }

    /// A pending search of what was typed will not run.
    fn cancel_typing(self) {
        if let Some(h) = self.debounce.get_value() {
            h.clear();
        }
    }

    /// Removes the query (its chip's ×): the box, the results and the clip are cleared.
    pub fn clear_query(self) {
        self.cancel_typing();
        self.query.set(String::new());
        self.stop_playing();
        self.session.update(Session::clear);
        dom::focus_selector("[data-testid=query-text]");
    }

    fn send(self, request: Request, arrays: &[JsValue]) {
        match self.client.get_value() {
            Some(c) => {
                let id = c.send(&request, arrays);
                self.session.update(|s| s.sent(id));
            }
            None => self.fail("The search worker is not running; reload the page.".into()),
        }
    }

    /// The latest query failed.
    pub fn fail(self, msg: String) {
        self.session.update(|s| s.fail(msg));
    }

    /// Something else than the query failed.
    pub fn warn(self, msg: String) {
        self.session.update(|s| s.warn(msg));
    }

    /// Library requests do not replace the current query.
    pub fn send_library(self, request: Request, arrays: &[JsValue]) {
        if let Some(c) = self.client.get_value() {
            self.session.update(Session::library_request);
            c.send(&request, arrays);
        }
    }

    pub fn run_text(self, text: String) {
        self.cancel_typing();
        if text.trim().is_empty() {
            return;
        }
        let loading = self.session.with_untracked(|s| s.catalog.is_none());
        let scope = self.scope();
        let what = if loading {
            "Loading the sound index… your search runs as soon as it is ready."
        } else {
            "Searching…"
        };
        let chip = format!("“{}”", text.trim());
        if self.begin(Query::text(&text, scope), what.to_owned(), chip) {
            let request = Request::Text {
                query: text,
                top: TOP,
                scope,
            };
            self.send(request, &[]);
        }
    }

    /// Typing: the query runs after a pause.
    pub fn typed(self, value: String) {
        self.query.set(value.clone());
        self.cancel_typing();
        let handle = set_timeout_with_handle(move || self.run_text(value), DEBOUNCE).ok();
        self.debounce.set_value(handle);
    }

    pub fn set_scope(self, scope: Scope) {
        self.session.update(|s| s.scope = scope);
        let q = self.query.get_untracked();
        if !q.trim().is_empty() {
            self.run_text(q);
        }
    }

    /// Audio: the worker decodes the file as the CLI does; formats its decoder does not read
    /// (a microphone recording's WebM/Opus, AAC, …) are decoded by the browser instead.
    pub fn run_blob(self, name: String, blob: Blob, fallback_rate: u32) {
        if blob.size() <= 0.0 {
            return self.fail(analysis::empty_file(&name));
        }
        self.begin(Query::Audio, format!("Analysing “{name}”…"), name.clone());
        // The file itself goes to the worker, which reads it: no copy of its bytes here.
        let request = Request::AudioFile {
            name: name.clone(),
            top: TOP,
            scope: self.scope(),
        };
        self.send(request, &[blob.clone().into()]);
        let id = self.session.with_untracked(Session::latest);
        self.in_browser
            .set_value(Some((id, name, blob, fallback_rate)));
    }

    pub fn run_file(self, file: File) {
        let name = file.name();
        self.run_blob(name, file.into(), FALLBACK_RATE);
    }

    pub fn find_similar(self, item: usize) {
        let label = self.catalog.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.items.get(item))
                .map(|i| layout::display_name(&i.label))
                .unwrap_or_default()
        });
        let scope = self.scope();
        let what = format!("Finding sounds like this {label} clip…");
        let chip = format!("similar to this {label} clip");
        if self.begin(Query::Item { item, scope }, what, chip) {
            self.send(
                Request::Item {
                    item,
                    top: TOP,
                    scope,
                },
                &[],
            );
        }
    }

    pub fn find_similar_mine(self, key: u64) {
        let scope = self.scope();
        let what = "Finding sounds like this one from your library…".to_owned();
        let name = self.library.with_untracked(|l| {
            l.as_ref()
                .and_then(|l| l.recent.iter().find(|m| m.key == key))
                .map(|m| m.name.clone())
        });
        let chip = match name {
            Some(name) => format!("similar to {name}"),
            None => "similar to a sound of your library".to_owned(),
        };
        if self.begin(Query::Mine { key, scope }, what, chip) {
            self.send(
                Request::Mine {
                    key,
                    top: TOP,
                    scope,
                },
                &[],
            );
        }
    }

    pub fn add_to_library(self, files: Vec<File>) {
        let keep = self.keep.get_untracked();
        let added = self.indexer.with_value(|i| {
            i.as_ref().map(|i| {
                i.keep(keep);
                i.add(files)
            })
        });
        if let Some(Err(msg)) = added {
            self.warn(msg);
        }
    }

    /// A folder's contents: only what looks like sound is tried; the rest is named in a note.
    pub fn add_folder_files(self, files: Vec<File>, unreadable: Vec<String>) {
        let (sounds, other): (Vec<File>, Vec<File>) = files
            .into_iter()
            .partition(|f| is_sound_file(&f.name(), &f.type_()));
        let mut skipped: Vec<String> = other.iter().map(File::name).collect();
        skipped.extend(unreadable);
        self.library_note.set(skipped_text(&skipped, 5));
        if sounds.is_empty() {
            self.warn("No sound files in that folder.".to_owned());
        } else {
            self.add_to_library(sounds);
        }
    }

    pub fn cancel_indexing(self) {
        self.indexer.with_value(|i| {
            if let Some(i) = i {
                i.cancel();
            }
        });
    }

    /// The absolute URL of a bundled sound's preview (`preview` as the catalog gives it).
    pub fn preview_url(self, preview: &str) -> String {
        format!("{}{preview}", self.base.get_value())
    }

    /// Plays a bundled sound's preview.
    pub fn play_item(self, item: usize) {
        let Some(audio) = self.audio.get_untracked() else {
            return;
        };
        let url = self.catalog.with_untracked(|c| {
            c.as_ref()
                .and_then(|c| c.items.get(item))
                .map(|i| self.preview_url(&i.preview))
        });
        if let Some(url) = url {
            self.session.update(|s| s.play(Some(item)));
            if let Err(msg) = player::play(&audio, &url) {
                self.warn(msg);
            }
        }
    }

    /// Shows or hides the shortcuts' help; shown, its Close button has the focus.
    pub fn show_help(self, show: bool) {
        self.help.set(show);
        if show {
            dom::focus_selector("[data-testid=help-close]");
        }
    }

    pub fn stop_playing(self) {
        if let Some(audio) = self.audio.get_untracked() {
            player::stop(&audio);
        }
        self.session.update(|s| s.play(None));
    }

    /// Plays a result's sound: a bundled preview or a library sound's kept audio.
    pub fn play_sound(self, sound: Sound) {
        match sound {
            Sound::Item(item) => self.play_item(item),
            Sound::Mine(key) => self.send_library(Request::LibraryAudio { key }, &[]),
        }
    }

    /// Selects the result at `rank` (0-based) and focuses it; moving there plays it when
    /// audition is on.
    pub fn select(self, rank: usize) {
        let moved = self.cursor.get_untracked() != Some(rank);
        self.session.update(|s| s.select(Some(rank)));
        dom::focus_selector(&format!("[data-testid=result][data-rank=\"{}\"]", rank + 1));
        if moved {
            if let Some(sound) = self.session.with_untracked(|s| s.audition_at(rank)) {
                self.play_sound(sound);
            }
        }
    }

    /// Deletes a library sound: it leaves the list and the results at once, and is deleted from
    /// storage after [`UNDO_TIME`] unless undone (or at once when another deletion follows).
    pub fn delete(self, key: u64, name: String) {
        let earlier = self.session.try_update(|s| s.delete(key, name)).flatten();
        if let Some(k) = earlier {
            self.send_library(Request::LibraryDelete { key: k }, &[]);
        }
        set_timeout(
            move || {
                if self
                    .session
                    .try_update(|s| s.commit_delete(key))
                    .unwrap_or(false)
                {
                    self.send_library(Request::LibraryDelete { key }, &[]);
                }
            },
            UNDO_TIME,
        );
    }

    /// Fetches library sound `key`'s kept file (once), so that its result can be dragged out:
    /// a drag must be given its data at once, so it is asked for when the pointer comes near.
    pub fn fetch_file(self, key: u64) {
        let asked = self.asked.with_value(|a| a.contains(&key));
        if !asked && self.file_of(key).is_none() {
            // Once: the pointer enters the row again and again before the answer comes. (A
            // sound whose file cannot be read is not asked for again.)
            self.asked.update_value(|a| a.push(key));
            self.send_library(Request::LibraryFile { key }, &[]);
        }
    }

    /// The object URL and media type of library sound `key`'s fetched file.
    pub fn file_of(self, key: u64) -> Option<(String, String)> {
        self.files.with_untracked(|f| {
            f.iter()
                .find(|(k, _, _)| *k == key)
                .map(|(_, url, mime)| (url.clone(), mime.clone()))
        })
    }

    /// Brings back the sound deleted last.
    pub fn undo_delete(self) {
        self.session.update(Session::undo_delete);
    }

    pub fn toggle_item(self, item: usize) {
        if self.playing.get_untracked() == Some(item) {
            self.stop_playing();
        } else {
            self.play_item(item);
        }
    }

    /// Plays a library sound's kept audio.
    fn play_blob(self, blob: Option<Blob>) {
        let url = blob.and_then(|b| web_sys::Url::create_object_url_with_blob(&b).ok());
        match (url, self.audio.get_untracked()) {
            (Some(url), Some(audio)) => {
                if let Some(old) = self.mine_url.get_value() {
                    let _ = web_sys::Url::revoke_object_url(&old);
                }
                self.mine_url.set_value(Some(url.clone()));
                self.session.update(|s| s.play(None));
                if let Err(msg) = player::play(&audio, &url) {
                    self.warn(msg);
                }
            }
            _ => self.warn("This sound could not be played.".to_owned()),
        }
    }

    /// The shown results as a file.
    pub fn export_as(self, ext: &'static str) {
        let (Some(c), Some(a)) = (self.catalog.get_untracked(), self.answer.get_untracked()) else {
            return;
        };
        let (text, mime) = match ext {
            "csv" => (export::to_csv(&c, &a), "text/csv"),
            _ => (export::to_json(&c, &a), "application/json"),
        };
        if let Err(msg) = dom::download(&export::file_name(&a, ext), mime, &text) {
            self.warn(msg);
        }
    }

    /// Stops a running recording (it is then searched, as after the Stop button); nothing
    /// otherwise.
    pub fn stop_recording(self) {
        if self.mic.get_untracked() == Mic::On {
            if let Some(r) = self.recorder.get_value() {
                r.stop();
            }
        }
    }

    /// The record button: starts the microphone, or stops it (the recording is then searched).
    pub fn record(self) {
        match self.mic.get_untracked() {
            Mic::Starting => {}
            Mic::On => self.stop_recording(),
            Mic::Off => {
                self.mic.set(Mic::Starting);
                self.session.update(|s| s.error = None);
                spawn_local(async move {
                    let started = Recorder::start(
                        move |v| {
                            self.level.set(v);
                            let since = self.recording_since.get_value();
                            if since > 0.0 {
                                self.elapsed.set((js_sys::Date::now() - since) / 1000.0);
                            }
                        },
                        move |blob: Result<Blob, String>| {
                            self.recorder.set_value(None);
                            self.mic.set(Mic::Off);
                            self.elapsed.set(0.0);
                            let seconds =
                                (js_sys::Date::now() - self.recording_since.get_value()) / 1000.0;
                            match (blob, record::too_short(seconds)) {
                                (Ok(blob), _) if blob.size() <= 0.0 => self.fail(
                                    "The recording is empty: nothing came from the microphone."
                                        .to_owned(),
                                ),
                                (Ok(_), Some(short)) => self.fail(short),
                                (Ok(blob), None) => self.run_blob(
                                    "Microphone recording".to_owned(),
                                    blob,
                                    RECORDING_RATE,
                                ),
                                (Err(msg), _) => self.fail(msg),
                            }
                        },
                    )
                    .await;
                    match started {
                        Ok(r) => {
                            self.recorder.set_value(Some(r));
                            self.elapsed.set(0.0);
                            self.recording_since.set_value(js_sys::Date::now());
                            self.mic.set(Mic::On);
                        }
                        Err(msg) => {
                            self.mic.set(Mic::Off);
                            self.fail(msg);
                        }
                    }
                });
            }
        }
    }
}
