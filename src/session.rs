//! The page's state in plain Rust: the query lifecycle, what is shown (phase, status, error,
//! answer, the query clip), the selection in the results, what plays, and the library's status;
//! [`Session::apply`] takes each worker response and says what the page must do beyond showing
//! it ([`Effect`]). The components only read it and call its transitions.
//!
//! Rules (each has a test below):
//! - the latest query wins: an answer or error to an earlier request never replaces what a newer
//!   query shows;
//! - a query identical to the one still running is not sent again (Enter after typing that
//!   already ran the same search by itself);
//! - an answer identical to the one shown (the same query asked again, the same results) keeps the
//!   page as it is, so the user's selection and focus in the results survive; it still counts as a
//!   finished run.

use std::sync::Arc;

use earshot_core::Frames;

use crate::library::Meta;
use crate::protocol::{AnswerView, Catalog, ClipFacts, LibraryState, Response, Scope, Scored};
use crate::waveform::Extent;
use crate::worker::Payload;

/// What a query asks, as far as telling two queries apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Text {
        text: String,
        scope: Scope,
    },
    /// "Find similar" on a bundled sound.
    Item {
        item: usize,
        scope: Scope,
    },
    /// "Find similar" on a sound of the user's library.
    Mine {
        key: u64,
        scope: Scope,
    },
    /// A file, a drop or a recording: never the same query twice (the bytes may differ).
    Audio,
}

impl Query {
    /// A text query as typed: surrounding white space does not make another query.
    pub fn text(text: &str, scope: Scope) -> Self {
        Query::Text {
            text: text.trim().to_owned(),
            scope,
        }
    }

    fn repeatable(&self) -> bool {
        !matches!(self, Query::Audio)
    }
}

/// A sound to play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sound {
    /// A bundled sound's preview.
    Item(usize),
    /// A library sound's kept audio.
    Mine(u64),
}

/// What the page is doing; mirrored into `data-state` for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Idle,
    Busy,
    Done,
    Failed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Busy => "busy",
            Phase::Done => "done",
            Phase::Failed => "error",
        }
    }
}

/// An audio query as shown: facts, the waveform envelope of the mono signal the model heard
/// ([`crate::waveform`]) and its mel spectrogram.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipView {
    pub facts: ClipFacts,
    pub envelope: Vec<Extent>,
    pub mel: Frames,
}

impl ClipView {
    /// From an answer's facts and the arrays that came with it.
    pub fn new(facts: ClipFacts, payload: Payload) -> Self {
        let (envelope, data) = match payload {
            Payload::Clip { envelope, mel } => (envelope, mel),
            _ => (Vec::new(), Vec::new()),
        };
        let n_rows = facts.mel_bands.max(1);
        let mel = Frames {
            n_rows,
            n_frames: data.len() / n_rows,
            data,
        };
        Self {
            facts,
            envelope,
            mel,
        }
    }
}

/// What the page must do for a response beyond showing the new state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The worker has loaded the assets: open the library.
    OpenLibrary,
    /// The library is loaded too (or cannot be): mark the page ready (`body[data-ready]`), so
    /// the library's count is right from then on.
    Ready,
    /// Some sounds were embedded by another model: ask for them (once per page).
    AskStale,
    /// Play the library sound whose Blob came with the response.
    PlayBlob,
    /// Keep the Blob that came with the response (if any) as library sound `key`'s file, ready
    /// to be dragged out.
    KeepFile(u64),
    /// Embed these library sounds again (their Blobs came with the response, in order).
    Reembed(Vec<Meta>),
    /// Offer the library export as a download.
    Download(String),
    /// The worker cannot decode the latest query's file: decode it in the browser, unless the
    /// generation has moved on by then.
    DecodeInBrowser { generation: u64 },
}

/// A deletion that can still be undone: the sound, and its row in the results it left (rank,
/// row), to put back.
#[derive(Debug, Clone, PartialEq)]
pub struct Undo {
    pub key: u64,
    pub name: String,
    row: Option<(usize, Scored)>,
}

/// A key pressed in the results list, as far as the page cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Select (and focus) the result at this rank (0-based).
    To(usize),
    /// Back up into the search box.
    ToQuery,
    /// Play or stop the selected result.
    Toggle(usize),
    /// Find sounds similar to the selected result.
    Similar(usize),
}

#[derive(Debug, Default)]
pub struct Session {
    /// Bumped by every new query and every failure; work started under an older generation
    /// (decoding in the browser) must not report back.
    generation: u64,
    /// The request id whose answer the page waits for (0: none sent yet).
    latest: u32,
    /// The query that request asks, while it runs.
    pending: Option<Query>,
    /// What the shown answer answered.
    shown: Option<Query>,
    /// What a query covers.
    pub scope: Scope,
    pub phase: Phase,
    /// Finished queries (answered or failed): lets tests wait for "the next result".
    pub runs: u32,
    /// What runs now ("Searching…"); empty when nothing does.
    pub status: String,
    pub error: Option<String>,
    /// Bytes of the assets loaded so far, and in all (0 while unknown).
    pub progress: (u64, u64),
    /// Every bundled sound, once the worker has loaded.
    pub catalog: Option<Arc<Catalog>>,
    pub answer: Option<Arc<AnswerView>>,
    /// The audio query shown (none for text and "find similar").
    pub clip: Option<Arc<ClipView>>,
    /// The selected result (0-based rank).
    pub cursor: Option<usize>,
    /// The bundled sound playing.
    pub playing: Option<usize>,
    /// The user's library as the worker last reported it.
    pub library: Option<LibraryState>,
    /// A library request is running (its error is the library's, not the query's).
    pub library_busy: bool,
    /// Sounds of an earlier model were asked for (once per page).
    stale_asked: bool,
    /// Moving through the results plays the selected one (on unless the user turns it off).
    pub audition: bool,
    /// The page is ready: assets and library loaded.
    ready: bool,
    /// The results shown are an earlier query's: the latest one failed (shown dimmed).
    pub stale: bool,
    /// A library sound deleted a moment ago, which can still be brought back: it is out of the
    /// list and the results, and not yet deleted from storage.
    pub undo: Option<Undo>,
    /// The latest query as the user gave it (“dog”, a file name, "similar to …"), shown as a
    /// removable chip; none after [`Session::clear`].
    pub chip: Option<String>,
}

impl Session {
    pub fn new() -> Self {
        Self {
            audition: true,
            ..Self::default()
        }
    }

    /// A new query, described to the user as `what`. Returns false when the same query is
    /// still running: its answer will do, and nothing is to be sent.
    pub fn begin(&mut self, query: Query, what: String) -> bool {
        if query.repeatable() && self.pending.as_ref() == Some(&query) {
            return false;
        }
        self.generation += 1;
        self.latest = 0;
        self.pending = Some(query);
        self.error = None;
        self.status = what;
        self.phase = Phase::Busy;
        true
    }

    /// The query is removed: nothing is shown or awaited; a late answer to it is ignored.
    pub fn clear(&mut self) {
        self.generation += 1;
        self.latest = 0;
        self.pending = None;
        self.shown = None;
        self.answer = None;
        self.clip = None;
        self.cursor = None;
        self.chip = None;
        if let Some(u) = &mut self.undo {
            u.row = None;
        }
        self.status.clear();
        self.error = None;
        self.stale = false;
        self.phase = Phase::Idle;
    }

    /// The request for the query begun last went out with this id.
    pub fn sent(&mut self, id: u32) {
        self.latest = id;
    }

    /// The id of the request the page waits for (0 if none).
    pub fn latest(&self) -> u32 {
        self.latest
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the page waits for a request with this id.
    pub fn is_latest(&self, id: u32) -> bool {
        id != 0 && id == self.latest
    }

    /// The latest query failed (here or in the worker): nothing is pending, the next answer is
    /// shown whatever was shown before, and the message replaces the query's clip.
    pub fn fail(&mut self, message: String) {
        self.generation += 1;
        self.latest = 0;
        self.pending = None;
        self.shown = None;
        self.clip = None;
        self.status.clear();
        self.error = Some(message);
        self.stale = self.answer.is_some();
        self.phase = Phase::Failed;
        self.runs += 1;
    }

    /// A message about something else than the query (playback, the library, an export).
    pub fn warn(&mut self, message: String) {
        self.error = Some(message);
    }

    /// A library request went out.
    pub fn library_request(&mut self) {
        self.library_busy = true;
    }

    pub fn select(&mut self, rank: Option<usize>) {
        self.cursor = rank;
    }

    pub fn play(&mut self, item: Option<usize>) {
        self.playing = item;
    }

    /// The sound of the result at `rank` (0-based), if it can be played.
    pub fn sound_at(&self, rank: usize) -> Option<Sound> {
        let r = self.answer.as_ref()?.results.get(rank)?;
        match &r.mine {
            None => Some(Sound::Item(r.item)),
            Some(m) if m.audio => Some(Sound::Mine(m.key)),
            Some(_) => None,
        }
    }

    /// What moving the selection to `rank` plays: its sound, when audition is on.
    pub fn audition_at(&self, rank: usize) -> Option<Sound> {
        self.sound_at(rank).filter(|_| self.audition)
    }

    /// How many results are shown.
    pub fn n_results(&self) -> usize {
        self.answer.as_ref().map_or(0, |a| a.results.len())
    }

    /// What a key pressed in the results list does (`None`: nothing, let the browser have it).
    pub fn nav(&self, key: &str) -> Option<Nav> {
        let n = self.n_results();
        if n == 0 {
            return None;
        }
        let at = self.cursor.unwrap_or(0).min(n - 1);
        match key {
            "ArrowDown" => Some(Nav::To((at + 1).min(n - 1))),
            "ArrowUp" if at == 0 => Some(Nav::ToQuery),
            "ArrowUp" => Some(Nav::To(at - 1)),
            "Home" => Some(Nav::To(0)),
            "End" => Some(Nav::To(n - 1)),
            " " | "Spacebar" => Some(Nav::Toggle(at)),
            "Enter" => Some(Nav::Similar(at)),
            _ => None,
        }
    }

    /// The line under the search box: what runs, or what the shown answer is.
    pub fn status_line(&self) -> String {
        if !self.status.is_empty() {
            return self.status.clone();
        }
        let Some(a) = &self.answer else {
            return String::new();
        };
        let what = match (&a.query.kind[..], a.from_item) {
            (_, Some(i)) => {
                let label = self
                    .catalog
                    .as_ref()
                    .and_then(|c| c.items.get(i))
                    .map(|it| crate::layout::display_name(&it.label))
                    .unwrap_or_default();
                format!("sounds like this {label} clip")
            }
            ("text", _) => format!("“{}”", a.query.value),
            _ => format!("the sound of “{}”", a.query.value),
        };
        let mut notes = if a.unknown_words.is_empty() {
            String::new()
        } else {
            format!(" (not in the vocabulary: {})", a.unknown_words.join(", "))
        };
        if let Some(s) = &a.searched_as {
            notes.push_str(&format!("; showing results for {s}"));
        }
        if !a.excluded.is_empty() {
            notes.push_str(&format!("; leaving out {}", a.excluded.join(", ")));
        }
        let n = a.results.len();
        let results = if n == 1 { "result" } else { "results" };
        if a.nothing_close {
            return format!(
                "No sound here is close to {what}; the {n} nearest are shown ({:.0} ms){notes}",
                a.millis
            );
        }
        format!("{n} {results} for {what} in {:.0} ms{notes}", a.millis)
    }

    /// A response to request `id` from the worker, with the arrays that came with it.
    pub fn apply(&mut self, id: u32, response: Response, payload: Payload) -> Vec<Effect> {
        match response {
            Response::Started | Response::Embedded { .. } => vec![],
            Response::Progress { loaded, total } => {
                self.progress = (loaded, total);
                vec![]
            }
            Response::Ready(c) => {
                self.catalog = Some(Arc::new(c));
                self.library_busy = true;
                vec![Effect::OpenLibrary]
            }
            Response::LibraryAudio { .. } => {
                self.library_busy = false;
                vec![Effect::PlayBlob]
            }
            Response::LibraryFile { key } => {
                self.library_busy = false;
                vec![Effect::KeepFile(key)]
            }
            Response::Library(state) => {
                self.library_busy = false;
                let ask = state.stale > 0 && !self.stale_asked;
                self.stale_asked |= ask;
                self.library = Some(state);
                let mut effects = self.now_ready();
                if ask {
                    effects.push(Effect::AskStale);
                }
                effects
            }
            Response::Stale { metas } => {
                self.library_busy = false;
                vec![Effect::Reembed(metas)]
            }
            Response::Exported { json } => {
                self.library_busy = false;
                vec![Effect::Download(json)]
            }
            Response::Answer(a) => {
                self.answered(id, a, payload);
                vec![]
            }
            Response::DecodeInBrowser { .. } => {
                if self.is_latest(id) {
                    vec![Effect::DecodeInBrowser {
                        generation: self.generation,
                    }]
                } else {
                    vec![]
                }
            }
            Response::Error { message } => {
                if self.is_latest(id) {
                    self.fail(message);
                    return vec![];
                }
                if self.catalog.is_none() || self.library_busy {
                    // Loading failed (the page cannot search), or a library request did
                    // (storage full, a bad import, …; the library is as it was): say so.
                    self.library_busy = false;
                    self.error = Some(message);
                }
                if self.catalog.is_some() {
                    // Without its library (no IndexedDB) the page still searches.
                    return self.now_ready();
                }
                vec![]
            }
        }
    }

    /// `[Effect::Ready]` the first time the library has answered.
    fn now_ready(&mut self) -> Vec<Effect> {
        if self.ready || self.catalog.is_none() {
            return vec![];
        }
        self.ready = true;
        vec![Effect::Ready]
    }

    /// A library sound is deleted by the user: it leaves the list and the shown results at
    /// once, and can be brought back ([`Session::undo_delete`]) until
    /// [`Session::commit_delete`]. Returns the key of an earlier deletion that can no longer be
    /// undone (to delete from storage now).
    pub fn delete(&mut self, key: u64, name: String) -> Option<u64> {
        let earlier = self.undo.take().map(|u| u.key).filter(|&k| k != key);
        if let Some(k) = earlier {
            self.committed(k);
        }
        let row = self.forget(key);
        self.undo = Some(Undo { key, name, row });
        earlier
    }

    /// The deletion of `key` becomes final: true when it was still pending (the caller deletes
    /// it from storage); the library as shown loses it until the worker's count arrives.
    pub fn commit_delete(&mut self, key: u64) -> bool {
        if self.undo.as_ref().is_none_or(|u| u.key != key) {
            return false;
        }
        self.undo = None;
        self.committed(key);
        true
    }

    fn committed(&mut self, key: u64) {
        if let Some(l) = &mut self.library {
            l.count = l.count.saturating_sub(1);
            l.recent.retain(|m| m.key != key);
        }
    }

    /// Brings the sound deleted last back: into the list, and into the results it left.
    pub fn undo_delete(&mut self) {
        let Some(u) = self.undo.take() else {
            return;
        };
        if let (Some((rank, row)), Some(a)) = (u.row, &mut self.answer) {
            let a = Arc::make_mut(a);
            a.results.insert(rank.min(a.results.len()), row);
        }
    }

    /// The number of library sounds as the user sees them (a sound pending deletion is gone).
    pub fn library_count(&self) -> usize {
        let n = self.library.as_ref().map_or(0, |l| l.count);
        n.saturating_sub(usize::from(self.undo.is_some()))
    }

    /// A library sound leaves the shown results: its (rank, row), if it was shown.
    pub fn forget(&mut self, key: u64) -> Option<(usize, Scored)> {
        let a = self.answer.as_mut()?;
        let rank = a
            .results
            .iter()
            .position(|r| r.mine.as_ref().is_some_and(|m| m.key == key))?;
        let row = Arc::make_mut(a).results.remove(rank);
        let n = a.results.len();
        self.cursor = self
            .cursor
            .filter(|_| n > 0)
            .map(|c| c.min(n.saturating_sub(1)));
        Some((rank, row))
    }

    fn answered(&mut self, id: u32, answer: AnswerView, payload: Payload) {
        if !self.is_latest(id) {
            return;
        }
        // Answered: nothing more is expected for it.
        self.latest = 0;
        let query = self.pending.take().unwrap_or(Query::Audio);
        let same = query.repeatable()
            && self.shown.as_ref() == Some(&query)
            && self
                .answer
                .as_ref()
                .is_some_and(|a| a.query == answer.query && a.results == answer.results);
        self.shown = Some(query);
        self.status.clear();
        self.error = None;
        self.stale = false;
        if !same {
            self.clip = answer
                .clip
                .clone()
                .map(|f| Arc::new(ClipView::new(f, payload)));
            self.cursor = None;
            self.answer = Some(Arc::new(answer));
            // A sound pending deletion is still in the worker's library: it stays out of new
            // results too, and Undo puts it back where this answer has it.
            if let Some(key) = self.undo.as_ref().map(|u| u.key) {
                let row = self.forget(key);
                if let Some(u) = &mut self.undo {
                    u.row = row;
                }
            }
        }
        self.phase = Phase::Done;
        self.runs += 1;
    }
}

#[cfg(test)]
mod tests;
