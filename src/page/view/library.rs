//! The user's library: adding files and folders, what is kept, progress, export, import,
//! clearing, and the newest sounds ([`super::library_item`]).

use earshot_web::analysis;
use earshot_web::library::{model_note, Keep};
use earshot_web::protocol::Request;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlInputElement;

use super::library_item::{Edit, LibraryItem};
use super::search_bar::ACCEPT;
use crate::page::dom;
use crate::page::shell::Shell;

/// The batch of sounds being added: a progress bar, "12 of 30 sounds · about 5 s left" (after
/// `prefix`) and Cancel; nothing when no batch runs. Shown in the library and at the top.
#[component]
pub fn BatchProgress(
    testid: &'static str,
    class: &'static str,
    prefix: &'static str,
    label: &'static str,
    cancel: &'static str,
) -> impl IntoView {
    let shell = expect_context::<Shell>();
    let batch = shell.batch;
    let running = move || batch.with(|b| b.as_ref().is_some_and(|b| !b.finished()));
    view! {
        <Show when=running>
            <div class=class data-testid=testid role="status">
                <progress
                    max=move || batch.with(|b| b.as_ref().map_or(1, |b| b.total.max(1)).to_string())
                    value=move || batch.with(|b| b.as_ref().map_or(0, |b| b.done).to_string())
                    aria-label=label
                ></progress>
                <span>
                    {move || batch.with(|b| b.as_ref().map(|b| format!("{prefix}{}", b.text(js_sys::Date::now()))).unwrap_or_default())}
                </span>
                <button type="button" class="small" data-testid=cancel on:click=move |_| shell.cancel_indexing()>"Cancel"</button>
            </div>
        </Show>
    }
}

#[component]
pub fn Library() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let (library, batch) = (shell.library, shell.batch);
    let on_pick = move |ev: ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            if input.webkitdirectory() {
                shell.add_folder_files(dom::files_of(&list), Vec::new());
            } else {
                shell.library_note.set(String::new());
                shell.add_to_library(dom::files_of(&list));
            }
        }
        input.set_value("");
    };
    let count = Memo::new(move |_| shell.session.with(|s| s.library_count()));
    let count = move || count.get();
    let undo = Memo::new(move |_| {
        shell
            .session
            .with(|s| s.undo.as_ref().map(|u| (u.key, u.name.clone())))
    });
    let on_clear = move |_: ev::MouseEvent| {
        let n = count();
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Delete all {n} sounds from your library? This cannot be undone."
                ))
                .ok()
            })
            .unwrap_or(false);
        if sure {
            shell.send_library(Request::LibraryClear, &[]);
        }
    };
    let on_import = move |ev: ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => {
                    let json = text.as_string().unwrap_or_default();
                    shell.send_library(Request::LibraryImport { json }, &[]);
                }
                Err(_) => shell.warn(analysis::read_failed(&file.name())),
            }
        });
    };
    let edit = Edit::new();
    let items = move || {
        let editing = edit.key();
        let gone = undo.with(|u| u.as_ref().map(|u| u.0));
        library.with(|l| {
            l.iter()
                .flat_map(|l| l.recent.iter().map(move |m| (m.clone(), l.model.clone())))
                .filter(|(m, _)| Some(m.key) != gone)
                .map(|(meta, model)| {
                    let editing = editing == Some(meta.key);
                    view! { <LibraryItem meta model edit editing /> }
                })
                .collect::<Vec<_>>()
        })
    };
    let failures = move || {
        batch.with(|b| {
            b.iter()
                .flat_map(|b| b.failed.iter())
                .map(|(name, why)| view! { <li data-testid="library-failure" data-name=name.clone()>{format!("{name}: {why}")}</li> })
                .collect::<Vec<_>>()
        })
    };
    let model_text = move || {
        library.with(|l| {
            l.as_ref()
                .map(|l| model_note(l.stale, l.needs_file))
                .unwrap_or_default()
        })
    };
    let note = shell.library_note;
    view! {
        <section class="library-panel" aria-label="Your library">
            <div class="panel-head">
                <h2>
                    "Your library "
                    <span class="count" data-testid="library-count-text">
                        "(" <span data-testid="library-count">{count}</span>
                        {move || if count() == 1 { " sound)" } else { " sounds)" }}
                    </span>
                </h2>
                <div class="exports">
                    <button type="button" class="small" data-testid="library-export" disabled=move || count() == 0 on:click=move |_| shell.send_library(Request::LibraryExport { audio: false }, &[])>"Export"</button>
                    <button type="button" class="small" data-testid="library-export-audio" disabled=move || count() == 0 title="The kept sound files too: a bigger file that imports as playable sounds" on:click=move |_| shell.send_library(Request::LibraryExport { audio: true }, &[])>"Export with audio"</button>
                    <label class="small file-button">
                        <input type="file" data-testid="library-import" accept=".json,application/json" aria-label="Import a library exported from earshot" on:change=on_import />
                        <span aria-hidden="true">"Import"</span>
                    </label>
                    <button type="button" class="small danger" data-testid="library-clear" disabled=move || count() == 0 on:click=on_clear>"Clear all"</button>
                </div>
            </div>
            <p class="hint">"Add your own sounds: they are analysed here, kept in this browser (IndexedDB) and never uploaded. Drop several files anywhere, or:"</p>
            <div class="library-add">
                <label class="button file-button">
                    <input type="file" multiple data-testid="library-add" accept=ACCEPT aria-label="Add sound files to your library" on:change=on_pick />
                    <span aria-hidden="true">"Add files"</span>
                </label>
                <label class="button file-button secondary">
                    <input type="file" multiple=true prop:webkitdirectory=true data-testid="library-add-folder" aria-label="Add a folder of sounds to your library" on:change=on_pick />
                    <span aria-hidden="true">"Add a folder"</span>
                </label>
                <label class="keep">
                    "Keep "
                    <select
                        data-testid="library-keep"
                        aria-label="What to keep of each added sound"
                        on:change=move |ev| shell.keep.set(Keep::parse(&event_target_value(&ev)))
                    >
                        <option value="file" selected=true>"the sound file"</option>
                        <option value="preview">"a 4 s compressed preview (Opus)"</option>
                        <option value="fingerprint">"only its fingerprint (smallest; not playable)"</option>
                    </select>
                </label>
            </div>
            <BatchProgress testid="progress" class="indexing" prefix="" label="Sounds analysed" cancel="library-cancel" />
            <p class="library-note" data-testid="library-note" hidden=move || note.with(String::is_empty)>{move || note.get()}</p>
            <p class="library-note" data-testid="library-model-note" hidden=move || model_text().is_empty()>{model_text}</p>
            <ul class="failures" data-testid="library-failures" aria-label="Files that could not be added">{failures}</ul>
            <ul class="library-list" aria-label="Newest sounds in your library">{items}</ul>
            // The sound deleted last, for a few seconds.
            <div class="toast" data-testid="undo" role="status" hidden=move || undo.with(Option::is_none)>
                <span>{move || undo.get().map(|(_, name)| format!("Deleted “{name}”.")).unwrap_or_default()}</span>
                <button type="button" class="small" data-testid="undo-delete" on:click=move |_| shell.undo_delete()>"Undo"</button>
            </div>
        </section>
    }
}
