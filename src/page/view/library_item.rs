//! One sound of the library list: its name, what it sounds like, whether it needs attention
//! after a model change, and Similar / Edit (rename, retag in place) / Delete.

use earshot_web::analysis;
use earshot_web::layout;
use earshot_web::library::{Meta, Standing};
use earshot_web::protocol::Request;
use earshot_web::session::Sound;
use leptos::ev;
use leptos::prelude::*;

use crate::page::shell::Shell;

/// The one sound being renamed or retagged, and what its fields hold.
#[derive(Clone, Copy)]
pub struct Edit {
    key: RwSignal<Option<u64>>,
    name: RwSignal<String>,
    tags: RwSignal<String>,
}

impl Edit {
    /// The key of the sound being edited (tracked: the list shows its form).
    pub fn key(self) -> Option<u64> {
        self.key.get()
    }

    pub fn new() -> Self {
        Self {
            key: RwSignal::new(None),
            name: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
        }
    }

    fn open(self, meta: &Meta) {
        self.name.set(meta.name.clone());
        self.tags.set(meta.tags.join(", "));
        self.key.set(Some(meta.key));
    }

    fn save(self, shell: Shell) {
        let Some(key) = self.key.get_untracked() else {
            return;
        };
        let tags = self
            .tags
            .get_untracked()
            .split(',')
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        let name = self.name.get_untracked();
        shell.send_library(Request::LibraryUpdate { key, name, tags }, &[]);
        self.key.set(None);
    }
}

#[component]
pub fn LibraryItem(meta: Meta, model: String, edit: Edit, editing: bool) -> impl IntoView {
    let shell = expect_context::<Shell>();
    let key = meta.key;
    if editing {
        return view! {
            <li data-testid="library-item" class="editing" data-key=key.to_string() data-name=meta.name.clone() data-label=meta.label.clone()>
                <form
                    class="edit"
                    on:submit=move |e: ev::SubmitEvent| { e.prevent_default(); edit.save(shell); }
                    on:keydown=move |e: ev::KeyboardEvent| if e.key() == "Escape" { edit.key.set(None); }
                >
                    <input data-testid="library-name" aria-label="Name" maxlength="200" prop:value=move || edit.name.get() on:input=move |e| edit.name.set(event_target_value(&e)) />
                    <input data-testid="library-tags" aria-label="Tags, separated by commas" placeholder="tags, comma separated" maxlength="400" prop:value=move || edit.tags.get() on:input=move |e| edit.tags.set(event_target_value(&e)) />
                    <button type="submit" class="small" data-testid="library-save">"Save"</button>
                    <button type="button" class="small" on:click=move |_| edit.key.set(None)>"Cancel"</button>
                </form>
            </li>
        }
        .into_any();
    }
    let tags = meta.tags.join(", ");
    let about = format!(
        "{} · sounds like {}{}",
        analysis::format_seconds(meta.seconds),
        layout::display_name(&meta.label),
        if meta.tags.is_empty() {
            String::new()
        } else {
            format!(" · tags: {tags}")
        }
    );
    let standing = Standing::of(&meta, &model);
    let mark = match standing {
        Standing::Current => None,
        Standing::Updating => Some("being analysed again for the new model"),
        Standing::NeedsFile => Some("needs its file again (made with an earlier model)"),
    };
    let name = meta.name.clone();
    let name_del = meta.name.clone();
    let label = meta.label.clone();
    let audio = meta.audio;
    view! {
        <li data-testid="library-item" data-key=key.to_string() data-name=name.clone() data-label=label data-tags=tags data-standing=standing.as_str()>
            {if audio {
                view! {
                    <button
                        type="button"
                        class="play"
                        data-testid="library-play"
                        aria-label=format!("Play {name}")
                        on:click=move |_| shell.play_sound(Sound::Mine(key))
                    >
                        "▶"
                    </button>
                }
                    .into_any()
            } else {
                view! {
                    <span class="play mine-badge" title="Only its fingerprint was kept: it cannot be played">
                        "★"
                    </span>
                }
                    .into_any()
            }}
            <span class="what">
                <span class="label">{name.clone()}</span>
                <span class="source">{about}</span>
                {mark.map(|t| view! { <span class="standing" data-testid="library-standing">{t}</span> })}
            </span>
            <button type="button" class="small" aria-label=format!("Find sounds similar to {name}") on:click=move |_| shell.find_similar_mine(key)>"Similar"</button>
            <button type="button" class="small" data-testid="library-edit" aria-label=format!("Edit {name}: rename or retag it") on:click=move |_| edit.open(&meta)>"Edit"</button>
            <button type="button" class="small" data-testid="library-delete" aria-label=format!("Delete {name} from your library") on:click=move |_| shell.delete(key, name_del.clone())>"Delete"</button>
        </li>
    }
    .into_any()
}
