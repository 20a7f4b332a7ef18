//! The results panel: the ranked sounds of the shown answer, keyboard navigation, exports.

use earshot_web::layout;
use earshot_web::library::Meta;
use earshot_web::protocol::{ItemView, Request, Scored};
use earshot_web::session::{Nav, Sound};
use leptos::ev;
use leptos::prelude::*;

use crate::page::dom;
use crate::page::shell::Shell;

#[component]
pub fn Results() -> impl IntoView {
    let shell = expect_context::<Shell>();
    let answer = shell.answer;
    // ↑/↓ move, Space plays, Enter finds similar.
    let on_key = move |ev: ev::KeyboardEvent| {
        if dom::is_typing_target(&ev) {
            return;
        }
        let Some(nav) = shell.session.with_untracked(|s| s.nav(&ev.key())) else {
            return;
        };
        ev.prevent_default();
        // The sound at a rank: a bundled item, or a library sound's key.
        let at = |rank: usize| {
            answer.with_untracked(|a| {
                a.as_ref()
                    .and_then(|a| a.results.get(rank))
                    .map(|r| {
                        (
                            r.mine.is_none().then_some(r.item),
                            r.mine.as_ref().map(|m| m.key),
                        )
                    })
                    .unwrap_or((None, None))
            })
        };
        match nav {
            Nav::To(rank) => shell.select(rank),
            Nav::ToQuery => {
                shell.session.update(|s| s.select(None));
                dom::focus_selector("[data-testid=query-text]");
            }
            Nav::Toggle(rank) => match shell.session.with_untracked(|s| s.sound_at(rank)) {
                Some(Sound::Item(item)) => shell.toggle_item(item),
                Some(sound) => shell.play_sound(sound),
                None => {}
            },
            Nav::Similar(rank) => match at(rank) {
                (Some(item), _) => shell.find_similar(item),
                (None, Some(key)) => shell.find_similar_mine(key),
                _ => {}
            },
        }
    };
    let rows = move || {
        let Some(a) = answer.get() else {
            return Vec::new();
        };
        let c = shell.catalog.get();
        a.results
            .iter()
            .enumerate()
            .filter_map(|(rank, r)| match &r.mine {
                Some(m) => Some(mine_row(shell, rank, r, m)),
                None => Some(item_row(shell, rank, r, c.as_ref()?.items.get(r.item)?)),
            })
            .collect::<Vec<_>>()
    };
    let none = move || answer.with(Option::is_none);
    // The latest query failed: its predecessor's results stay, dimmed.
    let stale_memo = Memo::new(move |_| shell.session.with(|s| s.stale));
    let stale = move || stale_memo.get();
    view! {
        <section class="results-panel" aria-label="Results">
            <div class="panel-head">
                <h2>"Results"</h2>
                <label class="audition" title="Play each result as the arrow keys reach it">
                    <input
                        type="checkbox"
                        data-testid="audition"
                        prop:checked=move || shell.session.with(|s| s.audition)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            shell.session.update(|s| s.audition = on);
                        }
                    />
                    " Play as I move"
                </label>
                <div class="exports">
                    <button type="button" class="small" data-testid="export-json" disabled=none on:click=move |_| shell.export_as("json")>"Export JSON"</button>
                    <button type="button" class="small" data-testid="export-csv" disabled=none on:click=move |_| shell.export_as("csv")>"Export CSV"</button>
                </div>
            </div>
            <ol
                class="results"
                class:stale=stale
                data-stale=move || stale().then_some("1")
                data-testid="results" aria-label="Results, best first. Arrow keys move (and play, unless turned off), Space plays or stops, Enter finds similar." on:keydown=on_key>
                {rows}
            </ol>
            <p class="empty" hidden=move || answer.with(Option::is_some)>
                "Type a description above, or give a sound, to see the nearest sounds here."
            </p>
        </section>
    }
}

/// The score bar and number of a result.
fn score_view(score: f32) -> impl IntoView {
    view! {
        <span class="bar" aria-hidden="true">
            <span style:width=format!("{:.1}%", layout::percent(score))></span>
        </span>
        <span class="score">{format!("{score:.2}")}</span>
    }
}

fn similar_button(
    shell: Shell,
    rank: usize,
    name: &str,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="similar"
            data-testid="find-similar"
            tabindex=tab_index(shell, rank)
            aria-label=format!("Find sounds similar to {name}")
            on:click=move |e: ev::MouseEvent| {
                e.stop_propagation();
                on_click();
            }
        >
            "Similar"
        </button>
    }
}

/// The roving tab stop: the selected result (or the first) is reached by Tab, and so are its
/// controls (Play, Similar); the other results' are skipped.
fn tab_index(shell: Shell, rank: usize) -> impl Fn() -> &'static str {
    move || {
        if shell.cursor.get().unwrap_or(0) == rank {
            "0"
        } else {
            "-1"
        }
    }
}

fn item_row(shell: Shell, rank: usize, r: &Scored, it: &ItemView) -> AnyView {
    let item = r.item;
    let pretty = layout::display_name(&it.label);
    let url = shell.preview_url(&it.preview);
    let download = layout::download_url(&it.label, &it.id, &url);
    let playing = move || shell.playing.get() == Some(item);
    view! {
        <li
            data-testid="result"
            class="result"
            class:playing=playing
            class:selected=move || shell.cursor.get() == Some(rank)
            data-id=it.id.clone()
            data-label=it.label.clone()
            data-score=r.score.to_string()
            data-rank=(rank + 1).to_string()
            data-item=item.to_string()
            tabindex=tab_index(shell, rank)
            aria-label=format!("{}. {pretty}, similarity {:.2}, from {}", rank + 1, r.score, it.source)
            on:click=move |_| shell.toggle_item(item)
            on:focus=move |_| shell.session.update(|s| s.select(Some(rank)))
            draggable="true"
            on:dragstart=move |ev: ev::DragEvent| {
                // Dragged out (to the desktop, a DAW): the preview file, named after its class.
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("DownloadURL", &download);
                    let _ = dt.set_data("text/uri-list", &url);
                    let _ = dt.set_data("text/plain", &url);
                    dt.set_effect_allowed("copy");
                }
            }
        >
            <button
                type="button"
                class="play"
                data-testid="play"
                tabindex=tab_index(shell, rank)
                aria-label=format!("Play {pretty}")
                aria-pressed=move || if playing() { "true" } else { "false" }
                on:click=move |e: ev::MouseEvent| {
                    e.stop_propagation();
                    shell.toggle_item(item);
                }
            >
                {move || if playing() { "■" } else { "▶" }}
            </button>
            <span class="rank" aria-hidden="true">{rank + 1}</span>
            <span class="what">
                <span class="label">{pretty.clone()}</span>
                <span class="source" title="The package this recording comes from">{format!("from {}", it.source)}</span>
            </span>
            {score_view(r.score)}
            {similar_button(shell, rank, &pretty, move || shell.find_similar(item))}
        </li>
    }
    .into_any()
}

fn mine_row(shell: Shell, rank: usize, r: &Scored, m: &Meta) -> AnyView {
    let key = m.key;
    let label = layout::display_name(&m.label);
    let (audio, name) = (m.audio, m.name.clone());
    let ready = move || shell.files.with(|f| f.iter().any(|(k, _, _)| *k == key));
    let play = if m.audio {
        view! {
            <button
                type="button"
                class="play"
                data-testid="play"
                data-library="1"
                tabindex=tab_index(shell, rank)
                aria-label=format!("Play {}", m.name)
                on:click=move |e: ev::MouseEvent| {
                    e.stop_propagation();
                    shell.send_library(Request::LibraryAudio { key }, &[]);
                }
            >
                "▶"
            </button>
        }
        .into_any()
    } else {
        view! { <span class="play mine-badge" aria-hidden="true">"★"</span> }.into_any()
    };
    view! {
        <li
            data-testid="result"
            class="result mine"
            class:selected=move || shell.cursor.get() == Some(rank)
            data-id=format!("library:{key}")
            data-label=m.label.clone()
            data-score=r.score.to_string()
            data-rank=(rank + 1).to_string()
            data-library="1"
            draggable=if audio { "true" } else { "false" }
            data-drag=move || ready().then_some("ready")
            on:pointerenter=move |_| {
                if audio {
                    shell.fetch_file(key);
                }
            }
            on:dragstart=move |ev: ev::DragEvent| {
                // Dragged out: the kept file under its own name (once fetched; the pointer
                // coming near the row asked for it).
                match (shell.file_of(key), ev.data_transfer()) {
                    (Some((url, mime)), Some(dt)) => {
                        let _ = dt.set_data("DownloadURL", &layout::download_kept(&name, &mime, &url));
                        let _ = dt.set_data("text/uri-list", &url);
                        dt.set_effect_allowed("copy");
                    }
                    _ => ev.prevent_default(),
                }
            }
            tabindex=tab_index(shell, rank)
            aria-label=format!("{}. {} from your library (sounds like {label}), similarity {:.2}", rank + 1, m.name, r.score)
            on:focus=move |_| shell.session.update(|s| s.select(Some(rank)))
        >
            {play}
            <span class="rank" aria-hidden="true">{rank + 1}</span>
            <span class="what">
                <span class="label">{m.name.clone()}</span>
                <span class="source">{format!("Your library · sounds like {label}")}</span>
            </span>
            {score_view(r.score)}
            {similar_button(shell, rank, &m.name, move || shell.find_similar_mine(key))}
        </li>
    }
    .into_any()
}
