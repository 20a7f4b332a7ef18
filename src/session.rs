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
use crate::protocol::{AnswerView, Catalog, ClipFacts, LibraryState, Response, Scope};
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

/// An audio query as shown: facts, the mono 22.05 kHz signal and its mel spectrogram.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipView {
    pub facts: ClipFacts,
    pub samples: Vec<f32>,
    pub mel: Frames,
}

impl ClipView {
    /// From an answer's facts and the arrays that came with it.
    pub fn new(facts: ClipFacts, payload: Payload) -> Self {
        let (samples, data) = match payload {
            Payload::Clip { samples, mel } => (samples, mel),
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
            samples,
            mel,
        }
    }
}

/// What the page must do for a response beyond showing the new state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The worker has loaded: mark the page ready and open the library.
    Ready,
    /// Some sounds were embedded by another model: ask for them (once per page).
    AskStale,
    /// Play the library sound whose Blob came with the response.
    PlayBlob,
    /// Embed these library sounds again (their Blobs came with the response, in order).
    Reembed(Vec<Meta>),
    /// Offer the library export as a download.
    Download(String),
    /// The worker cannot decode the latest query's file: decode it in the browser, unless the
    /// generation has moved on by then.
    DecodeInBrowser { generation: u64 },
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
}

impl Session {
    pub fn new() -> Self {
        Self::default()
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
            (_, Some(i)) => format!(
                "sounds like {}",
                self.catalog
                    .as_ref()
                    .and_then(|c| c.items.get(i))
                    .map(|it| it.id.clone())
                    .unwrap_or_default()
            ),
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
        let n = a.results.len();
        let results = if n == 1 { "result" } else { "results" };
        format!("{n} {results} for {what} in {:.0} ms{notes}", a.millis)
    }

    /// A response to request `id` from the worker, with the arrays that came with it.
    pub fn apply(&mut self, id: u32, response: Response, payload: Payload) -> Option<Effect> {
        match response {
            Response::Started | Response::Embedded { .. } => None,
            Response::Progress { loaded, total } => {
                self.progress = (loaded, total);
                None
            }
            Response::Ready(c) => {
                self.catalog = Some(Arc::new(c));
                Some(Effect::Ready)
            }
            Response::LibraryAudio { .. } => {
                self.library_busy = false;
                Some(Effect::PlayBlob)
            }
            Response::Library(state) => {
                self.library_busy = false;
                let ask = state.stale > 0 && !self.stale_asked;
                self.stale_asked |= ask;
                self.library = Some(state);
                ask.then_some(Effect::AskStale)
            }
            Response::Stale { metas } => {
                self.library_busy = false;
                Some(Effect::Reembed(metas))
            }
            Response::Exported { json } => {
                self.library_busy = false;
                Some(Effect::Download(json))
            }
            Response::Answer(a) => {
                self.answered(id, a, payload);
                None
            }
            Response::DecodeInBrowser { .. } => {
                self.is_latest(id).then_some(Effect::DecodeInBrowser {
                    generation: self.generation,
                })
            }
            Response::Error { message } => {
                if self.is_latest(id) {
                    self.fail(message);
                } else if self.catalog.is_none() || self.library_busy {
                    // Loading failed (the page cannot search), or a library request did
                    // (storage full, a bad import, …; the library is as it was): say so.
                    self.library_busy = false;
                    self.error = Some(message);
                }
                None
            }
        }
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
        if !same {
            self.clip = answer
                .clip
                .clone()
                .map(|f| Arc::new(ClipView::new(f, payload)));
            self.cursor = None;
            self.answer = Some(Arc::new(answer));
        }
        self.phase = Phase::Done;
        self.runs += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ItemView, QueryView, Scored};

    fn answer(value: &str, items: &[usize]) -> AnswerView {
        AnswerView {
            query: QueryView {
                kind: "text".into(),
                value: value.into(),
            },
            results: items
                .iter()
                .map(|&item| Scored {
                    item,
                    score: 1.0 / (item as f32 + 1.0),
                    mine: None,
                })
                .collect(),
            labels: vec![],
            words: vec![],
            unknown_words: vec![],
            searched_as: None,
            point: [0.0, 0.0],
            clip: None,
            from_item: None,
            millis: 3.0,
        }
    }

    fn text(s: &str) -> Query {
        Query::text(s, Scope::Bundled)
    }

    /// Sends `query` as request `id`.
    fn ask(s: &mut Session, query: Query, id: u32) -> bool {
        let began = s.begin(query, "Searching…".into());
        if began {
            s.sent(id);
        }
        began
    }

    /// Answer `id` arrives; returns what is shown afterwards (its first result's item).
    fn reply(s: &mut Session, id: u32, a: AnswerView) -> Option<usize> {
        assert_eq!(s.apply(id, Response::Answer(a), Payload::None), None);
        s.answer
            .as_ref()
            .and_then(|a| a.results.first())
            .map(|r| r.item)
    }

    /// Whether the shown answer is this very one (not an equal copy).
    fn is_shown(s: &Session, a: &Option<Arc<AnswerView>>) -> bool {
        matches!((&s.answer, a), (Some(x), Some(y)) if Arc::ptr_eq(x, y))
    }

    fn error(s: &mut Session, id: u32, message: &str) {
        let m = message.to_owned();
        assert_eq!(
            s.apply(id, Response::Error { message: m }, Payload::None),
            None
        );
    }

    fn library(stale: usize) -> LibraryState {
        LibraryState {
            count: 3,
            recent: vec![],
            added: 0,
            model: "m2".into(),
            stale,
            needs_file: 0,
        }
    }

    #[test]
    fn the_latest_query_wins_over_late_answers() {
        let mut s = Session::new();
        assert!(ask(&mut s, text("c"), 2));
        assert!(ask(&mut s, text("cat"), 3));
        assert_eq!(s.phase, Phase::Busy);
        assert_eq!(reply(&mut s, 2, answer("c", &[9, 8])), None, "late");
        assert_eq!(s.runs, 0);
        assert_eq!(reply(&mut s, 3, answer("cat", &[1, 2])), Some(1));
        assert_eq!((s.phase, s.runs), (Phase::Done, 1));
        // A second copy of an answer already taken changes nothing.
        assert_eq!(reply(&mut s, 3, answer("cat", &[5])), Some(1));
        assert_eq!(s.runs, 1);
    }

    #[test]
    fn nothing_is_latest_between_begin_and_send() {
        let mut s = Session::new();
        ask(&mut s, text("dog"), 5);
        assert!(s.begin(text("bell"), "Searching…".into()));
        // The answer to "dog" arrives before "bell" went out.
        assert_eq!(reply(&mut s, 5, answer("dog", &[1])), None);
        assert!(!s.is_latest(0));
    }

    #[test]
    fn the_same_query_still_running_is_not_sent_again() {
        let mut s = Session::new();
        assert!(ask(&mut s, text("cat"), 2));
        assert!(
            !ask(&mut s, text(" cat "), 9),
            "Enter while the typed search runs"
        );
        assert!(s.is_latest(2));
        assert_eq!(reply(&mut s, 2, answer("cat", &[1, 2])), Some(1));
        // Another scope is another query.
        assert!(ask(&mut s, Query::text("cat", Scope::All), 3));
    }

    #[test]
    fn a_repeated_query_with_the_same_results_leaves_the_selection_alone() {
        let mut s = Session::new();
        ask(&mut s, text("cat"), 2);
        reply(&mut s, 2, answer("cat", &[1, 2]));
        let before = s.answer.clone();
        s.select(Some(1));
        // Enter after the typed search has answered: sent again, same answer.
        assert!(ask(&mut s, text("cat"), 3));
        reply(&mut s, 3, answer("cat", &[1, 2]));
        assert!(is_shown(&s, &before));
        assert_eq!((s.cursor, s.runs, s.phase), (Some(1), 2, Phase::Done));
        // The library changed in between: other results are shown, the selection goes.
        ask(&mut s, text("cat"), 4);
        assert_eq!(reply(&mut s, 4, answer("cat", &[7, 1, 2])), Some(7));
        assert_eq!(s.cursor, None);
    }

    #[test]
    fn audio_queries_are_always_new() {
        let mut s = Session::new();
        assert!(ask(&mut s, Query::Audio, 2));
        assert!(ask(&mut s, Query::Audio, 3));
        reply(&mut s, 3, answer("a.wav", &[1]));
        let first = s.answer.clone();
        ask(&mut s, Query::Audio, 4);
        reply(&mut s, 4, answer("a.wav", &[1]));
        assert!(first.is_some() && !is_shown(&s, &first));
    }

    #[test]
    fn an_audio_answer_brings_its_clip_and_a_text_answer_clears_it() {
        let mut s = Session::new();
        ask(&mut s, Query::Audio, 2);
        let mut a = answer("bell.wav", &[1]);
        a.clip = Some(ClipFacts {
            name: "bell.wav".into(),
            seconds: 1.0,
            native_rate: 44_100,
            channels: 2,
            frames: 44,
            mel_bands: 2,
        });
        let clip = Payload::Clip {
            samples: vec![0.5; 8],
            mel: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        };
        assert_eq!(s.apply(2, Response::Answer(a), clip), None);
        let clip = s
            .clip
            .as_ref()
            .map(|c| (c.samples.len(), c.mel.n_rows, c.mel.n_frames));
        assert_eq!(clip, Some((8, 2, 3)));
        ask(&mut s, text("bell"), 3);
        reply(&mut s, 3, answer("bell", &[1]));
        assert!(s.clip.is_none());
    }

    #[test]
    fn errors_count_only_for_the_latest_query_and_reset_what_is_shown() {
        let mut s = Session::new();
        s.catalog = Some(Arc::default());
        ask(&mut s, text("dog"), 2);
        ask(&mut s, text("vilin"), 3);
        error(&mut s, 2, "late");
        assert_eq!((s.error.as_deref(), s.phase), (None, Phase::Busy));
        let g = s.generation();
        error(&mut s, 3, "no word of the query is in the vocabulary");
        assert!(
            s.generation() > g,
            "work of the failed query must not report back"
        );
        assert_eq!(s.latest(), 0);
        assert_eq!((s.phase, s.runs), (Phase::Failed, 1));
        assert!(s.error.is_some() && s.status.is_empty());
        // After a failure the same query runs again, is shown, and the error goes.
        assert!(ask(&mut s, text("dog"), 4));
        assert_eq!(reply(&mut s, 4, answer("dog", &[1])), Some(1));
        assert_eq!((s.error.as_deref(), s.runs), (None, 2));
    }

    #[test]
    fn each_query_bumps_the_generation() {
        let mut s = Session::new();
        let g0 = s.generation();
        s.begin(Query::Audio, String::new());
        let g1 = s.generation();
        s.fail("no sound".into());
        assert!(g0 < g1 && g1 < s.generation());
    }

    #[test]
    fn decoding_in_the_browser_is_asked_only_for_the_latest_query() {
        let mut s = Session::new();
        ask(&mut s, Query::Audio, 2);
        ask(&mut s, Query::Audio, 3);
        let why = || Response::DecodeInBrowser {
            reason: "webm".into(),
        };
        assert_eq!(s.apply(2, why(), Payload::None), None);
        let g = s.generation();
        assert_eq!(
            s.apply(3, why(), Payload::None),
            Some(Effect::DecodeInBrowser { generation: g })
        );
    }

    #[test]
    fn loading_progress_and_ready() {
        let mut s = Session::new();
        s.apply(
            0,
            Response::Progress {
                loaded: 5,
                total: 10,
            },
            Payload::None,
        );
        assert_eq!(s.progress, (5, 10));
        let ready = s.apply(0, Response::Ready(Catalog::default()), Payload::None);
        assert_eq!((ready, s.catalog.is_some()), (Some(Effect::Ready), true));
    }

    #[test]
    fn a_failed_load_is_shown_even_without_a_query() {
        let mut s = Session::new();
        error(&mut s, 1, "could not fetch pkg/model.json");
        assert_eq!(s.error.as_deref(), Some("could not fetch pkg/model.json"));
    }

    #[test]
    fn library_errors_are_shown_and_free_the_library() {
        let mut s = Session::new();
        s.catalog = Some(Arc::default());
        ask(&mut s, text("dog"), 2);
        reply(&mut s, 2, answer("dog", &[1]));
        s.library_request();
        error(&mut s, 7, "storage is full");
        assert_eq!(s.error.as_deref(), Some("storage is full"));
        assert!(!s.library_busy);
        assert_eq!(s.phase, Phase::Done, "the query's results stand");
        // An error nobody waits for (not the query's, no library request) is not shown.
        s.error = None;
        error(&mut s, 8, "stray");
        assert_eq!(s.error, None);
    }

    #[test]
    fn stale_sounds_are_asked_for_once_per_page() {
        let mut s = Session::new();
        s.library_request();
        assert_eq!(
            s.apply(1, Response::Library(library(2)), Payload::None),
            Some(Effect::AskStale)
        );
        assert!(!s.library_busy);
        assert_eq!(
            s.apply(2, Response::Library(library(2)), Payload::None),
            None
        );
        assert_eq!(s.library.as_ref().map(|l| l.count), Some(3));
    }

    #[test]
    fn library_replies_become_effects() {
        let mut s = Session::new();
        for (response, effect) in [
            (Response::LibraryAudio { key: 4 }, Effect::PlayBlob),
            (Response::Stale { metas: vec![] }, Effect::Reembed(vec![])),
            (
                Response::Exported { json: "{}".into() },
                Effect::Download("{}".into()),
            ),
        ] {
            s.library_request();
            assert_eq!(s.apply(1, response, Payload::None), Some(effect));
            assert!(!s.library_busy);
        }
    }

    #[test]
    fn keys_in_the_results_move_play_and_search() {
        let mut s = Session::new();
        assert_eq!(
            s.nav("ArrowDown"),
            None,
            "no results: the key is the browser's"
        );
        ask(&mut s, text("dog"), 2);
        reply(&mut s, 2, answer("dog", &[4, 5, 6]));
        assert_eq!(s.nav("ArrowDown"), Some(Nav::To(1)));
        assert_eq!(s.nav("ArrowUp"), Some(Nav::ToQuery));
        assert_eq!(s.nav(" "), Some(Nav::Toggle(0)));
        s.select(Some(2));
        assert_eq!(s.nav("ArrowDown"), Some(Nav::To(2)), "stays on the last");
        assert_eq!(s.nav("ArrowUp"), Some(Nav::To(1)));
        assert_eq!(s.nav("Home"), Some(Nav::To(0)));
        assert_eq!(s.nav("End"), Some(Nav::To(2)));
        assert_eq!(s.nav("Enter"), Some(Nav::Similar(2)));
        assert_eq!(s.nav("x"), None);
    }

    #[test]
    fn the_status_line_says_what_runs_then_what_is_shown() {
        let mut s = Session::new();
        s.catalog = Some(Arc::new(Catalog {
            items: vec![ItemView {
                id: "bell-7".into(),
                label: "Bell".into(),
                source: "x".into(),
                licence: "CC0".into(),
                preview: "p.mp3".into(),
                class: 0,
                x: 0.0,
                y: 0.0,
            }],
            classes: vec!["Bell".into()],
            vocabulary_words: 10,
        }));
        assert_eq!(s.status_line(), "");
        ask(&mut s, text("vioiln"), 2);
        assert_eq!(s.status_line(), "Searching…");
        let mut a = answer("vioiln zzz", &[0, 0]);
        a.unknown_words = vec!["zzz".into()];
        a.searched_as = Some("violin".into());
        reply(&mut s, 2, a);
        assert_eq!(
            s.status_line(),
            "2 results for “vioiln zzz” in 3 ms (not in the vocabulary: zzz); showing results for violin"
        );
        ask(
            &mut s,
            Query::Item {
                item: 0,
                scope: Scope::Bundled,
            },
            3,
        );
        let mut a = answer("bell-7", &[0]);
        a.from_item = Some(0);
        reply(&mut s, 3, a);
        assert_eq!(s.status_line(), "1 result for sounds like bell-7 in 3 ms");
    }
}
