//! Adding many files to the library: a pool of search workers (one per core, at most 4; the
//! page's own thread has little to do meanwhile) decodes, featurises and embeds them; embedded sounds are handed to `on_store` in groups, for
//! the main worker to keep in IndexedDB. Counts and failures go to the page's [`Batch`].
//! The same pool embeds again the kept audio of sounds a previous model embedded
//! ([`Indexer::reembed`]); those go to `on_redo`.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use earshot_web::batch::{workers_for, Batch, IN_FLIGHT, STORE_EVERY};
use earshot_web::library::{Keep, Meta};
use earshot_web::protocol::{Request, Response};
use js_sys::Float32Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, File};

use crate::page::client::Client;
use crate::page::decode::{self, FALLBACK_RATE};

type OnStore = Rc<dyn Fn(Vec<Meta>, Vec<JsValue>)>;

/// One sound for the pool.
#[derive(Clone)]
enum Job {
    /// A file added to the library.
    Add(File),
    /// A stored sound (its metadata and kept audio) to embed again with the running model.
    Redo(Meta, Blob),
}

impl Job {
    fn name(&self) -> String {
        match self {
            Job::Add(f) => f.name(),
            Job::Redo(m, _) => m.name.clone(),
        }
    }

    fn blob(&self) -> &Blob {
        match self {
            Job::Add(f) => f,
            Job::Redo(_, b) => b,
        }
    }
}

struct State {
    clients: Vec<Client>,
    queue: VecDeque<Job>,
    in_flight: HashMap<(usize, u32), Job>,
    /// Sounds ready to store: meta, embedding, and the file or preview kept (a Blob).
    staged: Vec<(Meta, Float32Array, Option<JsValue>)>,
    /// Stored sounds embedded again: their updated metadata and new embedding.
    redone: Vec<(Meta, Float32Array)>,
    /// What sounds added from now on keep.
    keep: Keep,
}

#[derive(Clone)]
pub struct Indexer {
    state: Rc<RefCell<State>>,
    batch: RwSignal<Option<Batch>>,
    on_store: OnStore,
    on_redo: OnStore,
    base: String,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Workers to start ([`workers_for`] the browser's cores).
fn pool_size() -> usize {
    workers_for(
        web_sys::window()
            .map(|w| w.navigator().hardware_concurrency())
            .unwrap_or(2.0),
    )
}

impl Indexer {
    pub fn new(
        base: String,
        batch: RwSignal<Option<Batch>>,
        on_store: impl Fn(Vec<Meta>, Vec<JsValue>) + 'static,
        on_redo: impl Fn(Vec<Meta>, Vec<JsValue>) + 'static,
    ) -> Self {
        Self {
            state: Rc::new(RefCell::new(State {
                clients: Vec::new(),
                queue: VecDeque::new(),
                in_flight: HashMap::new(),
                staged: Vec::new(),
                redone: Vec::new(),
                keep: Keep::default(),
            })),
            batch,
            on_store: Rc::new(on_store),
            on_redo: Rc::new(on_redo),
            base,
        }
    }

    /// What sounds added from now on keep.
    pub fn keep(&self, keep: Keep) {
        self.state.borrow_mut().keep = keep;
    }

    fn wants_preview(&self) -> bool {
        self.state.borrow().keep == Keep::Preview
    }

    /// Queue `files`; the batch grows if one is running.
    pub fn add(&self, files: Vec<File>) -> Result<(), String> {
        self.queue(files.into_iter().map(Job::Add).collect())
    }

    /// Queue stored sounds (metadata and kept audio) to embed again with the running model.
    pub fn reembed(&self, sounds: Vec<(Meta, Blob)>) -> Result<(), String> {
        self.queue(sounds.into_iter().map(|(m, b)| Job::Redo(m, b)).collect())
    }

    fn queue(&self, jobs: Vec<Job>) -> Result<(), String> {
        if jobs.is_empty() {
            return Ok(());
        }
        let n = jobs.len();
        self.state.borrow_mut().queue.extend(jobs);
        self.batch.update(|b| match b {
            Some(b) if !b.finished() => b.grow(n),
            _ => *b = Some(Batch::new(n, now_ms())),
        });
        self.start_workers()?;
        let workers = self.state.borrow().clients.len();
        for k in 0..workers {
            self.dispatch(k);
        }
        Ok(())
    }

    /// Drop the files not yet started; the ones being processed still finish and are kept.
    pub fn cancel(&self) {
        let in_flight = {
            let mut s = self.state.borrow_mut();
            s.queue.clear();
            s.in_flight.len()
        };
        self.batch.update(|b| {
            if let Some(b) = b {
                b.cancel(in_flight);
            }
        });
        self.maybe_finish();
    }

    fn start_workers(&self) -> Result<(), String> {
        if !self.state.borrow().clients.is_empty() {
            return Ok(());
        }
        for k in 0..pool_size() {
            let me = self.clone();
            let client = Client::start(move |id, resp, values| me.on_reply(k, id, resp, values))?;
            client.send(
                &Request::Load {
                    base: self.base.clone(),
                    embed_only: true,
                },
                &[],
            );
            let mut s = self.state.borrow_mut();
            s.clients.push(client);
        }
        Ok(())
    }

    /// Keep worker `k` given [`IN_FLIGHT`] files while there are any: it starts the next as
    /// soon as it answers one, instead of waiting for the page to read its answer and send more.
    fn dispatch(&self, k: usize) {
        loop {
            let next = {
                let mut s = self.state.borrow_mut();
                let busy = s.in_flight.keys().filter(|(w, _)| *w == k).count();
                if busy >= IN_FLIGHT {
                    return;
                }
                s.queue.pop_front()
            };
            let Some(job) = next else {
                self.maybe_finish();
                return;
            };
            // The File itself goes to the worker (no copy of its bytes here): the worker reads it
            // and checks its size (File.size here would be a blocking file-system call per file).
            let id = self.state.borrow().clients[k].send(
                &Request::Embed {
                    name: job.name(),
                    sample_rate: None,
                    preview: self.wants_preview() && matches!(job, Job::Add(_)),
                },
                &[job.blob().clone().into()],
            );
            self.state.borrow_mut().in_flight.insert((k, id), job);
        }
    }

    fn failed(&self, name: &str, reason: &str) {
        self.batch.update(|b| {
            if let Some(b) = b {
                b.failed(name, reason);
            }
        });
    }

    fn on_reply(&self, k: usize, id: u32, resp: Response, values: Vec<JsValue>) {
        let job = match &resp {
            Response::Embedded { .. }
            | Response::DecodeInBrowser { .. }
            | Response::Error { .. } => self.state.borrow_mut().in_flight.remove(&(k, id)),
            _ => None,
        };
        let Some(job) = job else {
            return;
        };
        match resp {
            Response::Embedded { mut meta } => {
                let full = {
                    let mut s = self.state.borrow_mut();
                    let embedding = values
                        .first()
                        .and_then(|v| v.clone().dyn_into::<Float32Array>().ok());
                    match (job.clone(), embedding) {
                        (Job::Add(file), Some(e)) => {
                            // The file itself, or the preview the worker made (after the
                            // embedding).
                            let kept = match s.keep {
                                Keep::File => Some(JsValue::from(file)),
                                Keep::Preview => values.get(1).cloned(),
                                Keep::Fingerprint => None,
                            };
                            meta.audio = kept.is_some();
                            s.staged.push((meta, e, kept));
                        }
                        (Job::Redo(old, _), Some(e)) => {
                            // The user's name, tags, key and audio stay; what the model says
                            // changes.
                            let redone = Meta {
                                label: meta.label,
                                seconds: meta.seconds,
                                model: meta.model,
                                ..old
                            };
                            s.redone.push((redone, e));
                        }
                        (_, None) => {}
                    }
                    s.staged.len() + s.redone.len() >= STORE_EVERY
                };
                self.batch.update(|b| {
                    if let Some(b) = b {
                        b.succeeded();
                    }
                });
                if full {
                    self.flush();
                }
                self.dispatch(k);
            }
            Response::DecodeInBrowser { .. } => {
                let me = self.clone();
                spawn_local(async move {
                    let name = job.name();
                    match decode::in_browser(&name, job.blob(), FALLBACK_RATE).await {
                        Ok((channels, rate)) => {
                            let id = me.state.borrow().clients[k].send(
                                &Request::Embed {
                                    name,
                                    sample_rate: Some(rate),
                                    preview: me.wants_preview() && matches!(job, Job::Add(_)),
                                },
                                &channels,
                            );
                            me.state.borrow_mut().in_flight.insert((k, id), job);
                        }
                        Err(_) => {
                            me.failed(&name, "not audio, or damaged");
                            me.dispatch(k);
                        }
                    }
                });
            }
            Response::Error { message } => {
                self.failed(&job.name(), &message);
                self.dispatch(k);
            }
            _ => {}
        }
    }

    /// Hand the staged sounds to the store.
    fn flush(&self) {
        let redone = std::mem::take(&mut self.state.borrow_mut().redone);
        if !redone.is_empty() {
            let (metas, arrays): (Vec<Meta>, Vec<JsValue>) =
                redone.into_iter().map(|(m, e)| (m, e.into())).unzip();
            (self.on_redo)(metas, arrays);
        }
        let staged = std::mem::take(&mut self.state.borrow_mut().staged);
        if staged.is_empty() {
            return;
        }
        // The embeddings, then the kept files (in the same order as their sounds).
        let mut files = Vec::new();
        let (metas, mut arrays): (Vec<Meta>, Vec<JsValue>) = staged
            .into_iter()
            .map(|(m, e, f)| {
                files.extend(f);
                (m, e.into())
            })
            .unzip();
        arrays.extend(files);
        (self.on_store)(metas, arrays);
    }

    fn maybe_finish(&self) {
        let quiet = {
            let s = self.state.borrow();
            s.queue.is_empty() && s.in_flight.is_empty()
        };
        if quiet {
            self.flush();
        }
    }
}
