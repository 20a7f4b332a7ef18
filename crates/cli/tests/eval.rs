//! `earshot eval` on the shipped assets: the CONTRACT §2 JSON, the documented numbers, errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::earshot;

#[test]
fn eval_json_has_both_tables_and_the_documented_numbers() {
    let out = earshot(&["eval", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t2 = &v["table2"]["mfcc"];
    for dir in ["audio_audio", "text_audio", "audio_text", "text_text"] {
        for col in ["direct", "joint"] {
            let x = t2[dir][col].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&x), "{dir}.{col} = {x}");
        }
    }
    for loss in ["contrastive", "bce"] {
        for sim in ["l1", "l2", "exp_l1", "exp_l2"] {
            let x = v["table1"][loss][sim].as_f64().unwrap_or(-1.0);
            assert!((0.0..=1.0).contains(&x), "table1 {loss}.{sim} = {x}");
        }
    }
    let chance = v["chance"].as_f64().unwrap();
    assert!((chance - 1.0 / 56.0).abs() < 1e-9, "{chance}");
    // docs/results.md, Table 2 of the shipped model.
    for (dir, col, want) in [
        ("audio_audio", "direct", 0.358),
        ("audio_audio", "joint", 0.319),
        ("text_audio", "joint", 0.262),
        ("audio_text", "joint", 0.299),
        ("text_text", "joint", 1.0),
    ] {
        let got = t2[dir][col].as_f64().unwrap();
        assert!(
            (got - want).abs() < 0.001,
            "{dir}.{col}: {got} vs documented {want}"
        );
    }
    // The joint space carries cross-modal information far above chance.
    assert!(t2["text_audio"]["joint"].as_f64().unwrap() > 5.0 * chance);
    // CNN features side by side (crates/cli/eval/walnet), after the MFCC block.
    let keys: Vec<&String> = v["table2"].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["mfcc", "walnet-pca300"]);
    let cnn = &v["table2"]["walnet-pca300"];
    for (dir, col, want) in [
        ("audio_audio", "direct", 0.738),
        ("audio_audio", "joint", 0.519),
        ("text_audio", "joint", 0.286),
        ("audio_text", "joint", 0.496),
    ] {
        let got = cnn[dir][col].as_f64().unwrap();
        assert!(
            (got - want).abs() < 0.001,
            "CNN {dir}.{col}: {got} vs documented {want}"
        );
    }
    // Without the comparison only the shipped model's block is left.
    let out = earshot(&["eval", "--json", "--compare"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["table2"].as_object().unwrap().len(), 1);
    let err =
        String::from_utf8_lossy(&earshot(&["eval", "--compare", "/no/such"]).stderr).into_owned();
    assert!(err.contains("/no/such/features.bin"), "{err}");
}

#[test]
fn eval_on_the_validation_split_queries_validation_clips() {
    let out = earshot(&["eval", "--json", "--split", "validation"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t2 = &v["table2"]["mfcc"];
    assert_eq!(t2["n_test_clips"], 254);
    // docs/results.md, the shipped model on the validation split.
    for (dir, want) in [
        ("audio_audio", 0.309),
        ("text_audio", 0.259),
        ("audio_text", 0.281),
    ] {
        let got = t2[dir]["joint"].as_f64().unwrap();
        assert!((got - want).abs() < 0.001, "{dir}: {got} vs {want}");
    }
    let out = earshot(&["eval", "--split", "train"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn eval_without_recorded_runs_exits_2() {
    let out = earshot(&["eval", "--runs", "/no/such/runs.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("/no/such/runs.json") && err.contains("no such file"),
        "{err}"
    );
}
