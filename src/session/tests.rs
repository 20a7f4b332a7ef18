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
        excluded: vec![],
        nothing_close: false,
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
    assert_eq!(s.apply(id, Response::Answer(a), Payload::None), vec![]);
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
    s.apply(id, Response::Error { message: m }, Payload::None);
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
        analysed_at: 22_050,
        frames: 44,
        mel_bands: 2,
    });
    let clip = Payload::Clip {
        envelope: vec![(-0.5, 0.5); 8],
        mel: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    };
    assert_eq!(s.apply(2, Response::Answer(a), clip), vec![]);
    let clip = s
        .clip
        .as_ref()
        .map(|c| (c.envelope.len(), c.mel.n_rows, c.mel.n_frames));
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
    assert!(!s.stale, "nothing was shown: nothing to dim");
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
    // A failure after results: they stay, dimmed, until the next answer.
    ask(&mut s, text("qqq"), 5);
    error(&mut s, 5, "no word of the query is in the vocabulary");
    assert!(s.stale && s.answer.is_some());
    ask(&mut s, text("cat"), 6);
    reply(&mut s, 6, answer("cat", &[2]));
    assert!(!s.stale);
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
    assert_eq!(s.apply(2, why(), Payload::None), vec![]);
    let g = s.generation();
    assert_eq!(
        s.apply(3, why(), Payload::None),
        vec![Effect::DecodeInBrowser { generation: g }]
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
    let loaded = s.apply(0, Response::Ready(Catalog::default()), Payload::None);
    assert_eq!(loaded, vec![Effect::OpenLibrary]);
    assert!(s.catalog.is_some() && s.library_busy);
    // Ready once the library has answered, so its count is right from then on.
    assert_eq!(
        s.apply(1, Response::Library(library(0)), Payload::None),
        vec![Effect::Ready]
    );
    assert_eq!(
        s.apply(2, Response::Library(library(0)), Payload::None),
        vec![],
        "once"
    );
}

#[test]
fn a_page_whose_library_cannot_open_is_ready_all_the_same() {
    let mut s = Session::new();
    s.apply(0, Response::Ready(Catalog::default()), Payload::None);
    let no_db = Response::Error {
        message: "IndexedDB is not available".into(),
    };
    assert_eq!(s.apply(1, no_db, Payload::None), vec![Effect::Ready]);
    assert_eq!(s.error.as_deref(), Some("IndexedDB is not available"));
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
    s.apply(0, Response::Ready(Catalog::default()), Payload::None);
    assert_eq!(
        s.apply(1, Response::Library(library(2)), Payload::None),
        vec![Effect::Ready, Effect::AskStale]
    );
    assert!(!s.library_busy);
    assert_eq!(
        s.apply(2, Response::Library(library(2)), Payload::None),
        vec![]
    );
    assert_eq!(s.library.as_ref().map(|l| l.count), Some(3));
}

#[test]
fn library_replies_become_effects() {
    let mut s = Session::new();
    for (response, effect) in [
        (Response::LibraryAudio { key: 4 }, Effect::PlayBlob),
        (Response::LibraryFile { key: 4 }, Effect::KeepFile(4)),
        (Response::Stale { metas: vec![] }, Effect::Reembed(vec![])),
        (
            Response::Exported { json: "{}".into() },
            Effect::Download("{}".into()),
        ),
    ] {
        s.library_request();
        assert_eq!(s.apply(1, response, Payload::None), vec![effect]);
        assert!(!s.library_busy);
    }
}

#[test]
fn a_deleted_library_sound_leaves_the_results() {
    let mut s = Session::new();
    ask(&mut s, text("dog"), 2);
    let mut a = answer("dog", &[4, 0, 5]);
    a.results[1].mine = Some(Meta {
        key: 9,
        name: "my dog.wav".into(),
        seconds: 1.0,
        label: "Dog".into(),
        tags: vec![],
        added: 0.0,
        audio: true,
        model: "m".into(),
    });
    reply(&mut s, 2, a);
    s.select(Some(2));
    s.forget(3);
    assert_eq!(s.n_results(), 3, "another key: nothing changes");
    s.forget(9);
    let items: Vec<usize> = s
        .answer
        .iter()
        .flat_map(|a| a.results.iter().map(|r| r.item))
        .collect();
    assert_eq!(items, vec![4, 5]);
    assert_eq!(s.cursor, Some(1), "the selection stays within the results");
}

#[test]
fn moving_through_the_results_plays_them_unless_turned_off() {
    let mut s = Session::new();
    assert_eq!(s.audition_at(0), None, "no results");
    ask(&mut s, text("dog"), 2);
    let mut a = answer("dog", &[4, 0, 0]);
    let mine = |key, audio| Meta {
        key,
        name: "mine.wav".into(),
        seconds: 1.0,
        label: "Dog".into(),
        tags: vec![],
        added: 0.0,
        audio,
        model: "m".into(),
    };
    a.results[1].mine = Some(mine(7, true));
    a.results[2].mine = Some(mine(8, false));
    reply(&mut s, 2, a);
    assert_eq!(s.audition_at(0), Some(Sound::Item(4)));
    assert_eq!(s.audition_at(1), Some(Sound::Mine(7)));
    assert_eq!(s.audition_at(2), None, "only its fingerprint was kept");
    assert_eq!(s.audition_at(3), None);
    s.audition = false;
    assert_eq!(s.audition_at(0), None);
    assert_eq!(s.sound_at(0), Some(Sound::Item(4)), "Space still plays");
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
    ask(&mut s, text("drum -snare"), 4);
    let mut a = answer("drum -snare", &[0]);
    a.excluded = vec!["snare".into()];
    reply(&mut s, 4, a);
    assert_eq!(
        s.status_line(),
        "1 result for “drum -snare” in 3 ms; leaving out snare"
    );
    ask(&mut s, text("car horn"), 5);
    let mut a = answer("car horn", &[0, 0]);
    a.nothing_close = true;
    reply(&mut s, 5, a);
    assert_eq!(
        s.status_line(),
        "No sound here is close to “car horn”; the 2 nearest are shown (3 ms)"
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
    assert_eq!(
        s.status_line(),
        "1 result for sounds like this Bell clip in 3 ms"
    );
}

#[test]
fn clearing_the_query_empties_the_page_and_ignores_its_late_answer() {
    let mut s = Session::new();
    ask(&mut s, text("dog"), 1);
    reply(&mut s, 1, answer("dog", &[4, 5]));
    s.select(Some(1));
    assert!(ask(&mut s, text("bell"), 2));
    s.chip = Some("“bell”".into());
    let generation = s.generation();
    s.clear();
    assert!(s.answer.is_none() && s.clip.is_none() && s.chip.is_none());
    assert_eq!(
        (s.cursor, s.phase, s.status_line()),
        (None, Phase::Idle, String::new())
    );
    assert!(
        s.generation() > generation,
        "work begun for the cleared query is dropped"
    );
    // The cleared query's answer arrives late: nothing is shown.
    assert_eq!(reply(&mut s, 2, answer("bell", &[7])), None);
    assert_eq!(s.runs, 1);
    // The same query asked again is sent again (it no longer runs).
    assert!(ask(&mut s, text("bell"), 3));
    assert_eq!(reply(&mut s, 3, answer("bell", &[7])), Some(7));
}

fn meta(key: u64, name: &str) -> Meta {
    Meta {
        key,
        name: name.into(),
        seconds: 1.0,
        label: "Dog".into(),
        tags: vec![],
        added: 0.0,
        audio: true,
        model: "m2".into(),
    }
}

#[test]
fn a_deletion_can_be_undone_until_it_is_committed() {
    let mut s = Session::new();
    let mut state = library(0);
    state.recent = vec![meta(7, "a.wav"), meta(9, "b.wav")];
    s.library = Some(state);
    ask(&mut s, text("dog"), 2);
    let mut a = answer("dog", &[4, 0, 5]);
    a.results[1].mine = Some(meta(9, "b.wav"));
    reply(&mut s, 2, a);
    let items = |s: &Session| -> Vec<usize> {
        s.answer
            .iter()
            .flat_map(|a| a.results.iter().map(|r| r.item))
            .collect()
    };
    // Deleted: out of the results and the count at once; undo puts it back where it was.
    assert_eq!(s.delete(9, "b.wav".into()), None);
    assert_eq!((items(&s), s.library_count()), (vec![4, 5], 2));
    s.undo_delete();
    assert_eq!((items(&s), s.library_count()), (vec![4, 0, 5], 3));
    assert!(!s.commit_delete(9), "an undone deletion is never committed");
    // A second deletion makes the first final (the page deletes it from storage now).
    assert_eq!(s.delete(9, "b.wav".into()), None);
    assert_eq!(s.delete(7, "a.wav".into()), Some(9));
    assert_eq!(s.library_count(), 1);
    assert!(s
        .library
        .iter()
        .all(|l| l.recent.iter().all(|m| m.key != 9)));
    // Its time is up: final, and the count stays right until the worker's own arrives.
    assert!(s.commit_delete(7));
    assert!(!s.commit_delete(7), "once");
    assert_eq!((s.library_count(), s.undo.clone()), (1, None));
    assert!(s.library.iter().all(|l| l.recent.is_empty()));
}

#[test]
fn a_sound_pending_deletion_stays_out_of_newer_results_and_undo_follows_them() {
    let mut s = Session::new();
    let mut state = library(0);
    state.recent = vec![meta(9, "b.wav")];
    s.library = Some(state);
    let with_mine = |value: &str, items: &[usize], at: usize| {
        let mut a = answer(value, items);
        a.results[at].mine = Some(meta(9, "b.wav"));
        a
    };
    let items = |s: &Session| -> Vec<usize> {
        s.answer
            .iter()
            .flat_map(|a| a.results.iter().map(|r| r.item))
            .collect()
    };
    ask(&mut s, text("dog"), 1);
    reply(&mut s, 1, with_mine("dog", &[4, 0, 5], 1));
    s.delete(9, "b.wav".into());
    // A newer query's answer (the worker still has the sound): it is left out there too.
    ask(&mut s, text("bell"), 2);
    reply(&mut s, 2, with_mine("bell", &[0, 7, 8], 0));
    assert_eq!(items(&s), vec![7, 8]);
    // Undo puts it back where the answer shown has it, not where the first one had it.
    s.undo_delete();
    assert_eq!(items(&s), vec![0, 7, 8]);
    // After the page is cleared there is nothing to put it back into.
    s.delete(9, "b.wav".into());
    s.clear();
    ask(&mut s, text("cat"), 3);
    reply(&mut s, 3, answer("cat", &[1, 2]));
    s.undo_delete();
    assert_eq!(items(&s), vec![1, 2]);
}
