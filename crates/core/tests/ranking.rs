//! Calibrated scores and labels as tags, on the shipped model, vocabulary and index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use earshot_core::Engine;
use earshot_core::Index;
use earshot_core::Model;
use earshot_core::Vocabulary;
use earshot_core::{Calibration, Logistic};

const MODEL: &str = include_str!("../../../pkg/model.json");
const VOCAB: &[u8] = include_bytes!("../../../pkg/vocab.bin");
const INDEX: &[u8] = include_bytes!("../../../pkg/index.bin");

fn engine(calibration: Option<Calibration>) -> Engine {
    let mut model = Model::from_json(MODEL).unwrap();
    model.calibration = calibration;
    engine_of(model)
}

/// The shipped model without its text prior.
fn engine_without_prior(calibration: Option<Calibration>) -> Engine {
    let mut model = Model::from_json(MODEL).unwrap();
    model.calibration = calibration;
    model.text_prior = None;
    engine_of(model)
}

fn engine_of(model: Model) -> Engine {
    Engine::new(
        model,
        Vocabulary::from_bytes(VOCAB).unwrap(),
        Index::from_bytes(INDEX).unwrap(),
    )
    .unwrap()
}

fn calibration() -> Calibration {
    Calibration {
        text_audio: Logistic { a: 2.0, b: 3.0 },
        audio_audio: Logistic { a: 1.0, b: 2.0 },
        text_floor: None,
    }
}

fn labels(e: &Engine, q: &str, top: usize) -> Vec<String> {
    let a = e.search_text(q, top).unwrap();
    a.results
        .iter()
        .map(|r| e.index.items[r.item].label.clone())
        .collect()
}

#[test]
fn a_model_without_calibration_keeps_exp_minus_distance_and_no_tags() {
    let e = engine(None);
    assert!(!e.tags);
    let a = e.search_item(3, 5).unwrap();
    // The item itself: distance 0, score 1.
    assert!((a.results[0].score - 1.0).abs() < 1e-6);
}

#[test]
fn calibrated_scores_are_the_fitted_probabilities() {
    let plain = engine(None);
    let e = engine(Some(calibration()));
    assert!(e.tags);
    let q = e.search_item(3, 20).unwrap();
    let p = plain.search_item(3, 20).unwrap();
    let c = calibration();
    for (x, y) in q.results.iter().zip(&p.results) {
        assert_eq!(x.item, y.item, "audio queries keep the model's order");
        let want = c.audio_audio.prob_of_similarity(y.score);
        assert!((x.score - want).abs() < 1e-6);
    }
    assert!((q.results[0].score - c.audio_audio.prob(0.0)).abs() < 1e-6);
}

#[test]
fn class_names_find_their_class_first_with_tags() {
    // The shipped model alone puts another class first for these (docs/results.md).
    let e = engine(Some(calibration()));
    for (q, class) in [
        ("violin", "Violin_or_fiddle"),
        ("snare drum", "Snare_drum"),
        ("dog", "Canidae_dogs_wolves"),
        ("cowbell", "Cowbell"),
    ] {
        let got = labels(&e, q, 10);
        assert!(got.iter().all(|l| l == class), "{q}: {got:?}");
    }
    // Scores fall from the top down, and a matching sound outranks every other.
    let a = e.search_text("snare drum", 200).unwrap();
    assert!(a.results.windows(2).all(|w| w[0].score >= w[1].score));
    let first_other = a
        .results
        .iter()
        .position(|r| e.index.items[r.item].label != "Snare_drum")
        .unwrap();
    let snares = e
        .index
        .items
        .iter()
        .filter(|it| it.label == "Snare_drum")
        .count();
    assert!(snares > 20);
    assert_eq!(
        first_other, snares,
        "every Snare_drum clip of the index first"
    );
    // A query no class name matches is ranked by the model alone.
    let mut on = engine(None);
    on.tags = true;
    let off = engine(None);
    assert_eq!(labels(&on, "storm", 10), labels(&off, "storm", 10));
}

#[test]
fn a_text_querys_labels_follow_its_tags_like_its_results() {
    // Without the text prior the joint space alone ranks another label first for this query.
    let e = engine_without_prior(Some(calibration()));
    let a = e.search_text("dog barking", 20).unwrap();
    assert_eq!(a.labels[0].name, "Canidae_dogs_wolves", "{:?}", a.labels);
    assert!(a.labels.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(a.labels.len() <= 25);
    // The same query without tags ranks labels by the joint space alone (another order here).
    let mut off = engine_without_prior(Some(calibration()));
    off.tags = false;
    let b = off.search_text("dog barking", 20).unwrap();
    let names =
        |x: &earshot_core::Answer| x.labels.iter().map(|l| l.name.clone()).collect::<Vec<_>>();
    assert_ne!(names(&a), names(&b));
    assert_eq!(a.tokens, ["dog", "barking"]);
    assert!(
        e.search_item(3, 5).unwrap().tokens.is_empty(),
        "audio: no words"
    );
}

#[test]
fn a_misspelt_word_is_matched_as_a_tag_as_corrected() {
    let e = engine(Some(calibration()));
    let typo = e.search_text("vioiln", 10).unwrap();
    let right = e.search_text("violin", 10).unwrap();
    assert_eq!(typo.tokens, ["violin"]);
    assert_eq!(typo.results, right.results);
    assert!(typo
        .results
        .iter()
        .all(|r| e.index.items[r.item].label == "Violin_or_fiddle"));
}

#[test]
fn other_sounds_are_scored_on_the_results_scale() {
    let e = engine(Some(calibration()));
    let text = e.search_text("dog", 5).unwrap();
    let s = 0.6;
    let p = e.score(s, true);
    // A sound named with the query's word counts as a tagged one; an unnamed one as untagged.
    let named = e.score_other(&text, s, &["my".into(), "dog".into()]);
    let unnamed = e.score_other(&text, s, &["rain".into()]);
    assert!((named - (1.0 + p) / 2.0).abs() < 1e-6, "{named}");
    assert!((unnamed - p / 2.0).abs() < 1e-6, "{unnamed}");
    // Audio queries: the calibrated audio probability.
    let audio = e.search_item(3, 5).unwrap();
    assert!((e.score_other(&audio, s, &["dog".into()]) - e.score(s, false)).abs() < 1e-6);
}

#[test]
fn the_text_prior_finds_words_the_text_branch_alone_misses() {
    // Words of the evaluation list, none of them an anchor of the prior
    // (crates/cli/eval/class-words.csv leaves them out), and a label's own word: by the model
    // alone (no calibration, so no tags).
    let with = engine(None);
    assert!(
        with.model.text_prior.is_some(),
        "the shipped model has a text prior"
    );
    let without = engine_without_prior(None);
    assert!(!with.tags && !without.tags);
    for (word, class) in [
        ("stallion", "Horse"),
        ("hound", "Canidae_dogs_wolves"),
        ("creek", "Stream"),
        ("fiddle", "Violin_or_fiddle"),
    ] {
        assert_eq!(labels(&with, word, 1), [class], "{word} with the prior");
        assert_ne!(labels(&without, word, 1), [class], "{word} without it");
    }
}

#[test]
fn a_word_with_a_minus_leaves_its_class_out() {
    let e = engine(Some(calibration()));
    let all = labels(&e, "drum", 40);
    assert!(all.iter().any(|l| l == "Snare_drum"), "{all:?}");
    let a = e.search_text("drum -snare", 40).unwrap();
    let got: Vec<&str> = a
        .results
        .iter()
        .map(|r| e.index.items[r.item].label.as_str())
        .collect();
    assert_eq!(got.len(), 40, "as many results as asked for");
    assert!(!got.contains(&"Snare_drum"), "{got:?}");
    assert!(got.iter().any(|l| l.contains("drum")), "{got:?}");
    assert!(a.labels.iter().all(|l| l.name != "Snare_drum"));
    assert_eq!(a.excluded, ["snare"]);
    assert_eq!(a.tokens, ["drum"], "the left-out word is not searched for");
    // Only what to leave out is no query; a hyphen inside a word or alone is no exclusion.
    let err = e.search_text("-snare", 5).unwrap_err().to_string();
    assert!(err.contains("besides what to leave out"), "{err}");
    assert!(e.search_text("hi-hat", 5).unwrap().excluded.is_empty());
    assert!(e.search_text("dog - bark", 5).unwrap().excluded.is_empty());
}

#[test]
fn nothing_is_close_below_the_fitted_floor_unless_a_class_is_named() {
    let with_floor = |floor: f32| {
        let mut model = Model::from_json(MODEL).unwrap();
        let mut c = calibration();
        c.text_floor = Some(floor);
        model.calibration = Some(c);
        engine_of(model)
    };
    let best = |e: &Engine, q: &str| {
        let a = e.search_text(q, 5).unwrap();
        let top = a.results.first().map(|r| r.score);
        (e.nothing_close(&a, top), top.unwrap())
    };
    // "thunderclap" names no class: its best score decides.
    let (_, score) = best(&with_floor(0.0), "thunderclap");
    assert!(!best(&with_floor(score - 1e-3), "thunderclap").0);
    assert!(best(&with_floor(score + 1e-3), "thunderclap").0);
    // A query naming a class has its sounds, whatever the floor.
    assert!(!best(&with_floor(2.0), "violin").0);
    // Audio queries and models without a floor never say so.
    let e = with_floor(2.0);
    let a = e.search_item(3, 5).unwrap();
    assert!(!e.nothing_close(&a, Some(0.0)));
    let plain = engine(Some(calibration()));
    let a = plain.search_text("thunderclap", 5).unwrap();
    assert!(!plain.nothing_close(&a, Some(0.0)));
}
