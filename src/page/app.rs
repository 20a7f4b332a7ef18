//! The page: the state and its handle ([`Shell`]), the page-wide listeners (keys, drops, window
//! size) and the layout of the components (`crate::page::view`). Decoding is in `decode`, recording in
//! `record`, drawing in `draw`; every feature, embedding and search runs in the worker
//! (`earshot_web::service`); what a response does to the page is `earshot_web::session`'s.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::page::dom;
use crate::page::folder;
use crate::page::shell::Shell;
use crate::page::view::library::Library;
use crate::page::view::map::Map;
use crate::page::view::query_panel::QueryPanel;
use crate::page::view::results::Results;
use crate::page::view::search_bar::{SearchBar, Status};

#[component]
pub fn App() -> impl IntoView {
    let shell = Shell::new();
    provide_context(shell);
    shell.start();
    listen(shell);
    let session = shell.session;
    let phase = Memo::new(move |_| session.with(|s| s.phase));
    let runs = Memo::new(move |_| session.with(|s| s.runs));
    view! {
        <div
            class="app"
            class:dragging=move || { shell.dragging.get() > 0 }
            data-state=move || phase.get().as_str()
            data-runs=move || runs.get().to_string()
        >
            <header class="top">
                <h1>"earshot"</h1>
                <p class="tagline">"Search sounds by describing them, or by sound: type, pick, drop or record."</p>
            </header>
            <main>
                <SearchBar />
                <Status />
                <div class="panels">
                    <Results />
                    <QueryPanel />
                </div>
                <Library />
                <Map />
                <audio
                    data-testid="player"
                    node_ref=shell.audio
                    preload="none"
                    on:ended=move |_| session.update(|s| s.play(None))
                    on:error=move |_| {
                        if shell.playing.get_untracked().is_some() {
                            session.update(|s| {
                                s.play(None);
                                s.warn("This preview could not be played.".to_owned());
                            });
                        }
                    }
                ></audio>
            </main>
            <footer class="foot">
                <a href="pkg/CREDITS.md">"Sound credits and licences"</a>
                <button
                    type="button"
                    class="linkish"
                    data-testid="help-open"
                    aria-keyshortcuts="?"
                    on:click=move |_| shell.show_help(true)
                >
                    "Keyboard shortcuts (?)"
                </button>
                <crate::page::sw::OfflineBar ready=Signal::derive(move || shell.catalog.with(Option::is_some)) />
            </footer>
            <Help />
            <div class="drop-overlay" aria-hidden="true">
                <p data-testid="drop-text">
                    {move || match shell.dragging.get() {
                        0 | 1 => "Drop to search with this sound".to_owned(),
                        n => format!("Drop to add {n} files to your library"),
                    }}
                </p>
            </div>
        </div>
    }
}

/// The keyboard shortcuts, shown by `?` or the footer's button; Esc or Close hides them.
#[component]
fn Help() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let keys = [
        ("/", "Go to the search box"),
        (
            "Enter",
            "In the box: search now. On a result: find sounds similar to it",
        ),
        (
            "↓ ↑",
            "Move through the results (each plays, unless “Play as I move” is off)",
        ),
        ("Home End", "First or last result"),
        ("Space", "Play or stop the selected result"),
        ("Tab", "The selected result's Play and Similar buttons"),
        ("Esc", "Stop playing or recording; close this help"),
        ("?", "Show or hide this help"),
    ];
    view! {
        <div
            class="help"
            data-testid="help"
            role="dialog"
            aria-modal="true"
            aria-labelledby="help-title"
            hidden=move || !shell.help.get()
            on:click=move |ev| {
                // A click on the backdrop (not the box) closes it.
                if ev.target() == ev.current_target() {
                    shell.help.set(false);
                }
            }
        >
            <div class="help-box">
                <h2 id="help-title">"Keyboard shortcuts"</h2>
                <dl>
                    {keys
                        .into_iter()
                        .map(|(k, what)| {
                            view! {
                                <div>
                                    <dt>
                                        {k.split(' ').map(|k| view! { <kbd>{k}</kbd> " " }).collect::<Vec<_>>()}
                                    </dt>
                                    <dd>{what}</dd>
                                </div>
                            }
                        })
                        .collect::<Vec<_>>()}
                </dl>
                <button type="button" class="button" data-testid="help-close" on:click=move |_| shell.help.set(false)>
                    "Close"
                </button>
            </div>
        </div>
    }
}

/// Page-wide listeners: "/" focuses the search box, Esc stops a recording (which is then
/// searched) and playback; a file dropped anywhere
/// is a query, several files or a folder go to the library; resizing redraws the plots.
fn listen(shell: Shell) {
    let _ = window_event_listener(ev::keydown, move |ev| match ev.key().as_str() {
        "/" if !dom::is_typing_target(&ev) => {
            ev.prevent_default();
            dom::focus_selector("[data-testid=query-text]");
        }
        "?" if !dom::is_typing_target(&ev) => {
            ev.prevent_default();
            shell.show_help(!shell.help.get_untracked());
        }
        "Escape" => {
            if shell.help.get_untracked() {
                shell.help.set(false);
                return;
            }
            shell.stop_recording();
            shell.stop_playing();
        }
        _ => {}
    });
    let _ = window_event_listener(ev::dragover, move |ev| {
        // Only files are dropped here (a result dragged out of the page is not).
        if !dom::carries_files(&ev) {
            return;
        }
        ev.prevent_default();
        if let Some(dt) = ev.data_transfer() {
            dt.set_drop_effect("copy");
        }
        // How many files come (the browser tells the count, not the names, before the drop).
        let n = ev
            .data_transfer()
            .map_or(1, |dt| dt.items().length())
            .max(1);
        if shell.dragging.get_untracked() != n {
            shell.dragging.set(n);
        }
    });
    let _ = window_event_listener(ev::dragleave, move |ev| {
        // Leaving the window (not just moving between children).
        if ev.related_target().is_none() {
            shell.dragging.set(0);
        }
    });
    let _ = window_event_listener(ev::drop, move |ev| {
        shell.dragging.set(0);
        if !dom::carries_files(&ev) {
            return;
        }
        ev.prevent_default();
        // Folders: walked after the event (their entries must be taken during it).
        if let Some(entries) = ev
            .data_transfer()
            .as_ref()
            .and_then(folder::dropped_folders)
        {
            spawn_local(async move {
                let (files, unreadable) = folder::files_under(entries).await;
                shell.add_folder_files(files, unreadable);
            });
            return;
        }
        let files = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .map(|f| dom::files_of(&f))
            .unwrap_or_default();
        match files.len() {
            0 => shell.fail("Nothing to analyse: drop an audio file.".to_owned()),
            1 => {
                if let Some(file) = files.into_iter().next() {
                    shell.run_file(file);
                }
            }
            _ => shell.add_to_library(files),
        }
    });
    let _ = window_event_listener(ev::resize, move |_| shell.redraw.update(|n| *n += 1));
}
