//! The search controls (text, scope, file, microphone) and the lines under them (loading,
//! error, status).

use earshot_web::layout;
use earshot_web::protocol::Scope;
use leptos::ev;
use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::library::BatchProgress;
use crate::page::record;
use crate::page::shell::{Mic, Shell};

pub const ACCEPT: &str = "audio/*,.wav,.flac,.ogg,.mp3";

#[component]
pub fn SearchBar() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let mic = shell.mic;
    // Enter runs now, typing runs after a pause, ↓ moves into the results.
    let on_query_key = move |ev: ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" => {
            ev.prevent_default();
            shell.run_text(shell.query.get_untracked());
        }
        "ArrowDown" if shell.session.with_untracked(|s| s.n_results() > 0) => {
            ev.prevent_default();
            shell.select(0);
        }
        _ => {}
    };
    let on_pick = move |ev: ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            shell.run_file(file);
        }
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };
    view! {
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
                prop:value=move || shell.query.get()
                on:input=move |ev| shell.typed(event_target_value(&ev))
                on:keydown=on_query_key
            />
            <select
                class="scope"
                data-testid="scope"
                aria-label="What to search"
                on:change=move |ev| shell.set_scope(Scope::parse(&event_target_value(&ev)))
            >
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
                on:click=move |_| shell.record()
            >
                {move || match mic.get() {
                    Mic::Off => "Record",
                    Mic::Starting => "Starting…",
                    Mic::On => "Stop",
                }}
            </button>
            // While recording: the time against the limit, and the input level.
            <div class="rec-info" data-testid="rec-info" hidden=move || mic.get() != Mic::On>
                <span class="rec-time" data-testid="rec-time">
                    {move || record::elapsed_text(shell.elapsed.get())}
                </span>
                <label class="level-label">
                    "Level "
                    <meter
                        data-testid="level"
                        class="level"
                        min="0"
                        max="1"
                        low="0.6"
                        high="0.9"
                        optimum="0.3"
                        value=move || format!("{:.3}", shell.level.get())
                    ></meter>
                </label>
            </div>
            <p class="hint">"…or drop an audio file anywhere on this page."</p>
        </section>
    }
}

/// Loading progress, the error and the status line.
#[component]
pub fn Status() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let session = shell.session;
    let progress = Memo::new(move |_| session.with(|s| s.progress));
    let error = Memo::new(move |_| session.with(|s| s.error.clone()));
    let line = Memo::new(move |_| session.with(|s| s.status_line()));
    let chip = Memo::new(move |_| session.with(|s| s.chip.clone()));
    view! {
        <div class="loading" data-testid="loading" hidden=move || shell.catalog.with(Option::is_some)>
            <progress
                max=move || progress.with(|p| p.1.max(1).to_string())
                value=move || progress.with(|p| (p.1 > 0).then(|| p.0.to_string()))
                aria-label="Loading the model, vocabulary and index"
            ></progress>
            <span>
                {move || progress.with(|p| format!("Loading the sound index… {}", layout::progress_text(p.0, p.1)))}
            </span>
        </div>
        <p data-testid="error" class="error" role="alert" hidden=move || error.with(Option::is_none)>
            {move || error.get().unwrap_or_default()}
        </p>
        // Sounds being added to the library, wherever they came from (a drop of several files
        // lands here): shown at the top too, not only in the library below.
        <BatchProgress
            testid="top-progress"
            class="indexing top-progress"
            prefix="Adding to your library: "
            label="Sounds added to your library"
            cancel="top-cancel"
        />
        <div class="query-line">
            <span class="chip" data-testid="query-chip" hidden=move || chip.with(Option::is_none)>
                <span class="chip-text">{move || chip.get().unwrap_or_default()}</span>
                <button
                    type="button"
                    class="chip-clear"
                    data-testid="query-chip-clear"
                    aria-label=move || format!("Clear the query {}", chip.get().unwrap_or_default())
                    on:click=move |_| shell.clear_query()
                >
                    "×"
                </button>
            </span>
            <p class="status" role="status" aria-live="polite">
                {move || line.get()}
            </p>
        </div>
    }
}
