//! `earshot index --audio DIR --out FILE`, then `earshot search --index FILE` (docs/interfaces.md
//! §2): every audio file under the folder indexed by its relative path, other files skipped and
//! named, labels from the shipped index.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_refused, earshot, pkg, root, search_json, Temp};

fn copy(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

/// A folder `sounds` in `t` with two fixtures: `elec_chime.wav` and `drums/kick.ogg` (a bass
/// drum).
fn two_sounds(t: &Temp) -> std::path::PathBuf {
    let dir = t.0.join("sounds");
    let audio = root().join("tests/fixtures/audio");
    copy(&audio.join("elec_chime.wav"), &dir.join("elec_chime.wav"));
    copy(
        &audio.join("drum_bass_hard_preview.ogg"),
        &dir.join("drums/kick.ogg"),
    );
    dir
}

/// The ids of a search document's results, in rank order.
fn result_ids(v: &serde_json::Value) -> Vec<&str> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_folder_is_indexed_by_relative_path_and_searched_with_the_shipped_labels() {
    let t = Temp::new("folder");
    let dir = two_sounds(&t);
    let audio = root().join("tests/fixtures/audio");
    // A bundled dog clip's preview, named as a person would.
    let dog = std::fs::read_dir(pkg("previews"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("gcompris-33773f642c6a-0"))
        .unwrap();
    copy(&dog, &dir.join("animals/dog_bark.mp3"));
    std::fs::write(dir.join("notes.txt"), b"not a sound").unwrap();
    let out_file = t.0.join("mine.bin");
    let (d, o) = (dir.to_str().unwrap(), out_file.to_str().unwrap());

    let out = earshot(&["index", "--audio", d, "--out", o]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("skipped") && err.contains("notes.txt"),
        "{err}"
    );
    assert!(err.contains("3 files indexed, 1 skipped"), "{err}");

    // An audio query finds its own file first; labels come from the shipped index.
    let kick = audio.join("drum_bass_hard_preview.ogg");
    let v = search_json(&["--index", o, "--audio", kick.to_str().unwrap()]);
    let ids = result_ids(&v);
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], "drums/kick.ogg");
    assert!(ids.contains(&"animals/dog_bark.mp3") && ids.contains(&"elec_chime.wav"));
    assert_eq!(v["results"][0]["label"], "");
    assert_eq!(v["labels"][0]["label"], "Bass_drum");
    // The same file through the app's path scores as a library sound at distance 0.
    let s0 = v["results"][0]["score"].as_f64().unwrap();
    let s1 = v["results"][1]["score"].as_f64().unwrap();
    assert!(s0 > 0.9 && s1 < s0, "{s0} {s1}");

    // Text: the dog file first; "-dog" leaves it out (by its path's words).
    let v = search_json(&["--index", o, "--text", "dog barking"]);
    assert_eq!(v["results"][0]["id"], "animals/dog_bark.mp3");
    let v = search_json(&["--index", o, "--text", "drum -dog"]);
    let ids = result_ids(&v);
    assert_eq!(ids[0], "drums/kick.ogg");
    assert!(!ids.contains(&"animals/dog_bark.mp3"), "{ids:?}");
}

#[test]
fn a_folder_indexed_to_json_is_a_library_file_the_app_imports_and_search_reads() {
    let t = Temp::new("folder-json");
    let dir = two_sounds(&t);
    let audio = root().join("tests/fixtures/audio");
    let (json_file, bin_file) = (t.0.join("mine.json"), t.0.join("mine.bin"));
    let (d, j, b) = (
        dir.to_str().unwrap(),
        json_file.to_str().unwrap(),
        bin_file.to_str().unwrap(),
    );
    for out_file in [j, b] {
        let out = earshot(&["index", "--audio", d, "--out", out_file]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The app's library format: each sound by path, its duration, the kNN label guess over the
    // shipped index, and the shipped model's id (so the app searches it by its audio at once).
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap()).unwrap();
    assert_eq!(doc["format"], "earshot-library");
    let model = std::fs::read(pkg("model.json")).unwrap();
    let items = doc["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["drums/kick.ogg", "elec_chime.wav"]);
    let kick = &items[0];
    assert_eq!(kick["label"], "Bass_drum");
    assert_eq!(kick["model"], earshot_core::model_id(&model));
    assert_eq!(kick["audio"], false);
    assert!(kick["seconds"].as_f64().unwrap() > 0.1, "{kick}");
    let sounds = earshot_core::parse_library(
        &std::fs::read_to_string(&json_file).unwrap(),
        &earshot_core::model_id(&model),
        doc["dim"].as_u64().unwrap() as usize,
    )
    .unwrap();
    assert_eq!(sounds.len(), 2);

    // `search --index` reads it as it reads the binary index: the same results and scores.
    let query = audio.join("drum_bass_hard_preview.ogg");
    let q = query.to_str().unwrap();
    let from_json = search_json(&["--index", j, "--audio", q]);
    let from_bin = search_json(&["--index", b, "--audio", q]);
    assert_eq!(result_ids(&from_json), result_ids(&from_bin));
    assert_eq!(result_ids(&from_json)[0], "drums/kick.ogg");
    for (x, y) in from_json["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(from_bin["results"].as_array().unwrap())
    {
        let (x, y) = (x["score"].as_f64().unwrap(), y["score"].as_f64().unwrap());
        assert!((x - y).abs() < 0.02, "{x} vs {y} (int8 binary index)");
    }
}

#[test]
fn folders_without_audio_and_bad_arguments_are_refused() {
    let t = Temp::new("folder-bad");
    let o = t.0.join("x.bin");
    let o = o.to_str().unwrap();
    assert_refused(
        &["index", "--audio", "/no/such/folder", "--out", o],
        "/no/such/folder",
        "not a folder",
    );
    let empty = t.0.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_refused(
        &["index", "--audio", empty.to_str().unwrap(), "--out", o],
        "empty",
        "no files",
    );
    // Only files that are not audio: each named on stderr, then the refusal (exit 2).
    let text = t.0.join("text");
    std::fs::create_dir_all(&text).unwrap();
    std::fs::write(text.join("a.txt"), b"hello").unwrap();
    let out = earshot(&["index", "--audio", text.to_str().unwrap(), "--out", o]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("a.txt") && err.contains("could be indexed"),
        "{err}"
    );
    assert!(!std::path::Path::new(o).exists());
    assert_refused(&["index", "--out", o], "index", "exactly one of");
}
