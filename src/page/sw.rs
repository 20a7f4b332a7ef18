//! The page's side of the service worker (`pwa/sw.js`): registers it once the app is ready (so
//! its precache revalidates what the page already downloaded instead of fetching it twice),
//! reports when a new version waits, and relays "make all previews available offline".

use std::cell::Cell;
use std::rc::Rc;

use earshot_web::offline::{Offline, WorkerNote};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration};

pub const SCRIPT: &str = "./sw.js";

/// What the page hears from the service worker.
pub enum Event {
    State(Offline),
    /// A new build is installed and waits for the page's permission to take over.
    UpdateWaiting,
    Note(WorkerNote),
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent in insecure contexts and some private windows.
    let present = Reflect::get(&navigator, &"serviceWorker".into())
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false);
    present.then(|| navigator.service_worker())
}

thread_local! {
    /// Set when the user asked for the new version: the next controller change reloads.
    static RELOAD_ON_CHANGE: Cell<bool> = const { Cell::new(false) };
}

/// Register the service worker and forward what it says to `on_event`.
pub fn start(on_event: impl Fn(Event) + 'static) {
    let Some(sw) = container() else {
        return;
    };
    let on_event: Rc<dyn Fn(Event)> = Rc::new(on_event);
    let had_controller = sw.controller().is_some();
    on_event(Event::State(if had_controller {
        Offline::Ready
    } else {
        Offline::Preparing
    }));

    let on_message = {
        let on_event = on_event.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            let field = |name: &str| Reflect::get(&data, &name.into()).ok();
            let kind = field("type")
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let note = WorkerNote::parse(&kind, |name| {
                field(name).and_then(|v| v.as_f64().or_else(|| v.as_bool().map(f64::from)))
            });
            if let Some(note) = note {
                on_event(Event::Note(note));
            }
        })
    };
    sw.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    let on_change = {
        let on_event = on_event.clone();
        Closure::<dyn FnMut()>::new(move || {
            if RELOAD_ON_CHANGE.with(Cell::get) {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            } else {
                // The first service worker has claimed the page.
                on_event(Event::State(Offline::Ready));
            }
        })
    };
    sw.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    let registering = sw.register(SCRIPT);
    wasm_bindgen_futures::spawn_local(async move {
        // A browser that blocks service workers may resolve with no registration at all.
        let registered = JsFuture::from(registering)
            .await
            .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>());
        let registration = match registered {
            Ok(r) => r,
            Err(err) => {
                web_sys::console::warn_2(&"earshot: service worker not registered".into(), &err);
                on_event(Event::State(Offline::Failed));
                return;
            }
        };
        if registration.waiting().is_some() && had_controller {
            on_event(Event::UpdateWaiting);
        }
        watch_installs(&registration, had_controller, on_event);
    });
}

/// A worker that finishes installing while another controls the page is an update.
fn watch_installs(
    registration: &ServiceWorkerRegistration,
    had_controller: bool,
    on_event: Rc<dyn Fn(Event)>,
) {
    let reg = registration.clone();
    let on_found = Closure::<dyn FnMut()>::new(move || {
        let Some(installing) = reg.installing() else {
            return;
        };
        let worker = installing.clone();
        let on_event = on_event.clone();
        let on_state = Closure::<dyn FnMut()>::new(move || match worker.state() {
            web_sys::ServiceWorkerState::Installed if had_controller => {
                on_event(Event::UpdateWaiting)
            }
            web_sys::ServiceWorkerState::Redundant if !had_controller => {
                on_event(Event::State(Offline::Failed))
            }
            _ => {}
        });
        installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
    on_found.forget();
}

fn post(worker: &ServiceWorker, kind: &str) {
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"type".into(), &kind.into());
    let _ = worker.post_message(&msg);
}

/// Let the waiting version take over; the page reloads when it does.
pub fn apply_update() {
    let Some(sw) = container() else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(ready) = sw.ready() else {
            return;
        };
        let Ok(reg) = JsFuture::from(ready).await else {
            return;
        };
        let reg: ServiceWorkerRegistration = reg.unchecked_into();
        match reg.waiting() {
            Some(waiting) => {
                RELOAD_ON_CHANGE.with(|r| r.set(true));
                post(&waiting, "skip-waiting");
            }
            None => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().reload();
                }
            }
        }
    });
}

/// Ask the service worker to cache every preview; progress arrives as [`Event::Note`].
/// False when no service worker controls the page yet.
pub fn cache_previews() -> bool {
    match container().and_then(|sw| sw.controller()) {
        Some(active) => {
            post(&active, "cache-previews");
            true
        }
        None => false,
    }
}

/// The version written into index.html by `scripts/pwa/precache.mjs` ("dev" without it).
fn build_version() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector("meta[name=earshot-version]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_else(|| "dev".to_owned())
}

/// Footer line: offline state, "make all previews available offline", the build, and the
/// banner that offers a waiting new version. Starts the service worker once `ready`.
#[leptos::component]
pub fn OfflineBar(ready: leptos::prelude::Signal<bool>) -> impl leptos::IntoView {
    use earshot_web::offline::PreviewProgress;
    use leptos::prelude::*;

    let state = RwSignal::new(Offline::Unavailable);
    let update = RwSignal::new(false);
    let previews = RwSignal::new(None::<PreviewProgress>);
    let asked = RwSignal::new(false);
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if ready.get() && !started.get_value() {
            started.set_value(true);
            start(move |event| match event {
                Event::State(s) => state.set(s),
                Event::UpdateWaiting => update.set(true),
                Event::Note(WorkerNote::Previews(p)) => previews.set(Some(p)),
            });
        }
    });
    let save_previews = move |_| {
        if cache_previews() {
            asked.set(true);
            previews.set(None);
        } else {
            state.set(Offline::Failed);
        }
    };
    let busy = move || asked.get() && previews.get().is_none_or(|p| !p.finished);
    view! {
        <span class="offline" data-testid="offline" data-state=move || state.get().as_str()>
            {move || state.get().message()}
        </span>
        <button
            type="button"
            class="linkish"
            data-testid="previews-offline"
            hidden=move || state.get() != Offline::Ready
            disabled=busy
            on:click=save_previews
        >
            "Make all previews available offline"
        </button>
        <span data-testid="previews-offline-status" role="status">
            {move || match (asked.get(), previews.get()) {
                (true, Some(p)) => p.message(),
                (true, None) => "Saving previews for offline use…".to_owned(),
                _ => String::new(),
            }}
        </span>
        <span class="build" title="This build of earshot">{format!("build {}", build_version())}</span>
        <div class="update" data-testid="update" role="alert" hidden=move || !update.get()>
            "A new version of earshot is ready. "
            <button type="button" data-testid="update-reload" on:click=move |_| apply_update()>
                "Reload"
            </button>
        </div>
    }
}
