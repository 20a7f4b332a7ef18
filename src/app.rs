//! The page. Components stay thin: the work is in `analysis`, `decode`, `draw` and `record`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::{Blob, File, HtmlInputElement};

use crate::analysis::{self, Analysis};
use crate::decode::{self, FALLBACK_RATE, RECORDING_RATE};
use crate::draw;
use crate::record::Recorder;

pub const ACCEPT: &str = "audio/*,.wav,.flac,.ogg,.mp3";

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

/// Decode and analyse a file or recording; every failure is one sentence naming it.
async fn analyse_blob(name: &str, blob: &Blob, fallback_rate: u32) -> Result<Analysis, String> {
    let bytes = decode::read_blob(blob)
        .await
        .map_err(|_| analysis::read_failed(name))?;
    if bytes.is_empty() {
        return Err(analysis::empty_file(name));
    }
    let decoded = decode::decode(&bytes, fallback_rate)
        .await
        .map_err(|_| analysis::decode_failed(name))?;
    decode::yield_to_browser().await;
    analysis::analyse(name, &decoded.channels, decoded.sample_rate)
}

#[component]
pub fn App() -> impl IntoView {
    let result = RwSignal::new(None::<Arc<Analysis>>);
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let phase = RwSignal::new(Phase::Idle);
    // Completed runs (success or failure): lets tests wait for "the next result".
    let runs = RwSignal::new(0u32);
    // Only the latest started run may publish its result.
    let generation = StoredValue::new(0u64);
    let dragging = RwSignal::new(false);
    let mic = RwSignal::new(Mic::Off);
    let level = RwSignal::new(0.0f64);
    let redraw = RwSignal::new(0u32);
    let recorder: Rc<RefCell<Option<Recorder>>> = Rc::new(RefCell::new(None));

    let begin = move |what: String| -> u64 {
        generation.update_value(|g| *g += 1);
        result.set(None);
        error.set(None);
        status.set(what);
        phase.set(Phase::Busy);
        generation.get_value()
    };
    let finish = move |run: u64, outcome: Result<Analysis, String>| {
        if generation.get_value() != run {
            return;
        }
        status.set(String::new());
        match outcome {
            Ok(a) => {
                result.set(Some(Arc::new(a)));
                phase.set(Phase::Done);
            }
            Err(msg) => {
                error.set(Some(msg));
                phase.set(Phase::Failed);
            }
        }
        runs.update(|n| *n += 1);
    };
    let fail = move |msg: String| {
        generation.update_value(|g| *g += 1);
        result.set(None);
        status.set(String::new());
        error.set(Some(msg));
        phase.set(Phase::Failed);
        runs.update(|n| *n += 1);
    };
    let run_blob = move |name: String, blob: Blob, fallback_rate: u32| {
        let run = begin(format!("Decoding “{name}”…"));
        spawn_local(async move {
            let outcome = analyse_blob(&name, &blob, fallback_rate).await;
            finish(run, outcome);
        });
    };
    let run_file = move |file: File| {
        let name = file.name();
        run_blob(name, file.into(), FALLBACK_RATE);
    };

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
    let _ = window_event_listener(ev::drop, move |ev| {
        ev.prevent_default();
        dragging.set(false);
        let file = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|f| f.get(0));
        match file {
            Some(file) => run_file(file),
            None => fail("Nothing to analyse: drop an audio file.".to_owned()),
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

    // Canvases follow the result and the window size.
    let wave_ref = NodeRef::<html::Canvas>::new();
    let spec_ref = NodeRef::<html::Canvas>::new();
    Effect::new(move |_| {
        redraw.track();
        let (Some(wave), Some(spec)) = (wave_ref.get(), spec_ref.get()) else {
            return;
        };
        result.with(|r| match r {
            Some(a) => {
                draw::paint_waveform(&wave, &a.samples);
                draw::paint_spectrogram(&spec, &a.mel_db);
            }
            None => {
                draw::clear(&wave);
                draw::clear(&spec);
            }
        });
    });

    let name = move || result.with(|r| r.as_ref().map(|a| a.name.clone()));
    let seconds = move || result.with(|r| r.as_ref().map(|a| a.seconds));
    let frames = move || result.with(|r| r.as_ref().map(|a| a.mfcc_frames));
    let source = move || {
        result.with(|r| {
            r.as_ref()
                .map(|a| analysis::format_source(a.native_rate, a.channels))
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
                <p class="tagline">"Find sounds by listening. Start with one: pick, drop or record it."</p>
            </header>
            <main>
                <section class="controls" aria-label="Query audio">
                    <label class="button file-button">
                        <input
                            type="file"
                            data-testid="query-file"
                            accept=ACCEPT
                            aria-label="Choose an audio file to analyse"
                            on:change=on_pick
                        />
                        <span aria-hidden="true">"Choose audio file"</span>
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

                <p data-testid="error" class="error" role="alert" hidden=move || error.with(Option::is_none)>
                    {move || error.get().unwrap_or_default()}
                </p>
                <p class="status" role="status" aria-live="polite">{move || status.get()}</p>

                <section class="result" aria-label="Analysis">
                    <dl class="facts">
                        <div>
                            <dt>"File"</dt>
                            <dd data-testid="file-name">{move || name().unwrap_or_else(|| "—".to_owned())}</dd>
                        </div>
                        <div>
                            <dt>"Duration"</dt>
                            <dd
                                data-testid="duration"
                                data-seconds=move || seconds().map(|s| s.to_string())
                            >
                                {move || seconds().map(analysis::format_seconds).unwrap_or_else(|| "—".to_owned())}
                            </dd>
                        </div>
                        <div>
                            <dt>"MFCC frames"</dt>
                            <dd
                                data-testid="frames"
                                data-frames=move || frames().map(|n| n.to_string())
                            >
                                {move || frames().map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned())}
                            </dd>
                        </div>
                        <div>
                            <dt>"Source"</dt>
                            <dd data-testid="source">{move || source().unwrap_or_else(|| "—".to_owned())}</dd>
                        </div>
                    </dl>
                    <figure class="plot">
                        <figcaption>"Waveform"</figcaption>
                        <canvas
                            data-testid="waveform"
                            node_ref=wave_ref
                            role="img"
                            aria-label="Waveform of the analysed audio"
                        ></canvas>
                    </figure>
                    <figure class="plot">
                        <figcaption>"Mel spectrogram (time →, low pitch at the bottom)"</figcaption>
                        <canvas
                            data-testid="spectrogram"
                            class="tall"
                            node_ref=spec_ref
                            role="img"
                            aria-label="Mel spectrogram of the analysed audio"
                        ></canvas>
                    </figure>
                </section>
            </main>
            <div class="drop-overlay" aria-hidden="true">
                <p>"Drop to analyse"</p>
            </div>
        </div>
    }
}
