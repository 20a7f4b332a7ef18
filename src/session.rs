//! The page's query lifecycle in plain Rust: which request the page waits for, and what an
//! answer or an error from the worker does to what is shown.
//!
//! Rules (each has a test below):
//! - the latest query wins: an answer or error to an earlier request never replaces what a newer
//!   query shows;
//! - a query identical to the one still running is not sent again (Enter after typing that
//!   already ran the same search by itself);
//! - an answer identical to the one shown (the same query asked again, the same results) keeps the
//!   page as it is, so the user's selection and focus in the results survive; it still counts as a
//!   finished run.

use crate::protocol::{AnswerView, Scope};

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

/// What the page does with a worker's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer to a request the page no longer waits for: ignore it.
    Stale,
    /// The latest answer, identical to what is shown: leave the page as it is.
    Unchanged,
    /// The latest answer, to be shown.
    Show,
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
    /// What the shown answer answered, and the answer.
    shown: Option<(Query, AnswerView)>,
}

impl Session {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new query. Returns false when the same query is still running: its answer will do, and
    /// nothing is to be sent.
    pub fn begin(&mut self, query: Query) -> bool {
        if query.repeatable() && self.pending.as_ref() == Some(&query) {
            return false;
        }
        self.generation += 1;
        self.latest = 0;
        self.pending = Some(query);
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

    /// An answer arrived for request `id`.
    pub fn answer(&mut self, id: u32, answer: &AnswerView) -> Outcome {
        if !self.is_latest(id) {
            return Outcome::Stale;
        }
        // Answered: nothing more is expected for it.
        self.latest = 0;
        let query = self.pending.take().unwrap_or(Query::Audio);
        let same = query.repeatable()
            && self.shown.as_ref().is_some_and(|(q, a)| {
                *q == query && a.query == answer.query && a.results == answer.results
            });
        self.shown = Some((query, answer.clone()));
        if same {
            Outcome::Unchanged
        } else {
            Outcome::Show
        }
    }

    /// An error arrived for request `id`; true when it is the latest query's.
    pub fn error(&mut self, id: u32) -> bool {
        if !self.is_latest(id) {
            return false;
        }
        self.fail();
        true
    }

    /// The latest query failed (here or in the worker): nothing is pending, and the next answer
    /// is shown whatever was shown before.
    pub fn fail(&mut self) {
        self.generation += 1;
        self.latest = 0;
        self.pending = None;
        self.shown = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{QueryView, Scored};

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

    #[test]
    fn the_latest_query_wins_over_late_answers() {
        let mut s = Session::new();
        assert!(s.begin(text("c")));
        s.sent(2);
        assert!(s.begin(text("cat")));
        s.sent(3);
        assert_eq!(s.answer(2, &answer("c", &[9, 8])), Outcome::Stale);
        assert_eq!(s.answer(3, &answer("cat", &[1, 2])), Outcome::Show);
        // A second copy of an answer already taken is stale too.
        assert_eq!(s.answer(3, &answer("cat", &[1, 2])), Outcome::Stale);
    }

    #[test]
    fn nothing_is_latest_between_begin_and_send() {
        let mut s = Session::new();
        s.begin(text("dog"));
        s.sent(5);
        s.begin(text("bell"));
        // The answer to "dog" arrives before "bell" went out.
        assert_eq!(s.answer(5, &answer("dog", &[1])), Outcome::Stale);
        assert!(!s.is_latest(0));
    }

    #[test]
    fn the_same_query_still_running_is_not_sent_again() {
        let mut s = Session::new();
        assert!(s.begin(text("cat")));
        s.sent(2);
        assert!(!s.begin(text(" cat ")), "Enter while the typed search runs");
        assert!(s.is_latest(2));
        assert_eq!(s.answer(2, &answer("cat", &[1, 2])), Outcome::Show);
        // Another scope is another query.
        assert!(s.begin(Query::text("cat", Scope::All)));
    }

    #[test]
    fn a_repeated_query_with_the_same_results_leaves_the_page_alone() {
        let mut s = Session::new();
        s.begin(text("cat"));
        s.sent(2);
        assert_eq!(s.answer(2, &answer("cat", &[1, 2])), Outcome::Show);
        // Enter after the typed search has answered: sent again, same answer.
        assert!(s.begin(text("cat")));
        s.sent(3);
        assert_eq!(s.answer(3, &answer("cat", &[1, 2])), Outcome::Unchanged);
        // The library changed in between: other results are shown.
        s.begin(text("cat"));
        s.sent(4);
        assert_eq!(s.answer(4, &answer("cat", &[7, 1, 2])), Outcome::Show);
    }

    #[test]
    fn audio_queries_are_always_new() {
        let mut s = Session::new();
        assert!(s.begin(Query::Audio));
        s.sent(2);
        assert!(s.begin(Query::Audio));
        s.sent(3);
        assert_eq!(s.answer(3, &answer("a.wav", &[1])), Outcome::Show);
        s.begin(Query::Audio);
        s.sent(4);
        assert_eq!(s.answer(4, &answer("a.wav", &[1])), Outcome::Show);
    }

    #[test]
    fn errors_count_only_for_the_latest_query_and_reset_what_is_shown() {
        let mut s = Session::new();
        s.begin(text("dog"));
        s.sent(2);
        s.begin(text("vilin"));
        s.sent(3);
        assert!(!s.error(2), "a late error of an older query is ignored");
        let g = s.generation();
        assert!(s.error(3));
        assert!(
            s.generation() > g,
            "work of the failed query must not report back"
        );
        assert_eq!(s.latest(), 0);
        // After a failure the same query runs again and is shown.
        assert!(s.begin(text("dog")));
        s.sent(4);
        assert_eq!(s.answer(4, &answer("dog", &[1])), Outcome::Show);
    }

    #[test]
    fn each_query_bumps_the_generation() {
        let mut s = Session::new();
        let g0 = s.generation();
        s.begin(Query::Audio);
        let g1 = s.generation();
        s.fail();
        assert!(g0 < g1 && g1 < s.generation());
    }
}
