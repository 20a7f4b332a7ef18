//! Messages between the page and the search worker. Each message is a small JSON header plus,
//! for audio, typed arrays moved (not copied) beside it: the query's channels one way, its
//! waveform envelope and mel spectrogram the other. Plain Rust types, tested natively.

use serde::{Deserialize, Serialize};

use crate::library::Meta;

/// Results shown per query.
pub const TOP: usize = 20;

/// What a search covers (`[data-testid=scope]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Bundled,
    Library,
    All,
}

impl Scope {
    pub fn parse(s: &str) -> Self {
        match s {
            "library" => Scope::Library,
            "all" => Scope::All,
            _ => Scope::Bundled,
        }
    }

    pub fn bundled(self) -> bool {
        self != Scope::Library
    }

    pub fn library(self) -> bool {
        self != Scope::Bundled
    }
}

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Fetch the model, vocabulary and index from `base` (a URL ending in `/`). An `embed_only`
    /// worker (the library's indexing pool) answers `Ready` with an empty catalog and skips
    /// preparing the open-vocabulary words, which only searches use.
    Load {
        base: String,
        #[serde(default)]
        embed_only: bool,
    },
    Text {
        query: String,
        top: usize,
        #[serde(default)]
        scope: Scope,
    },
    /// The encoded file follows as one Uint8Array; the worker decodes it exactly as the CLI does.
    AudioFile {
        name: String,
        top: usize,
        #[serde(default)]
        scope: Scope,
    },
    /// Decoded planar channels follow as Float32Arrays (formats only the browser can decode).
    Audio {
        name: String,
        sample_rate: u32,
        top: usize,
        #[serde(default)]
        scope: Scope,
    },
    /// An index item as the query ("find similar").
    Item {
        item: usize,
        top: usize,
        #[serde(default)]
        scope: Scope,
    },
    /// A sound of the user's library as the query.
    Mine {
        key: u64,
        top: usize,
        #[serde(default)]
        scope: Scope,
    },
    /// Embed a file for the library: one Uint8Array (encoded) when `sample_rate` is `None`,
    /// else decoded planar Float32Arrays at that rate. Answered with `Embedded`.
    Embed {
        name: String,
        sample_rate: Option<u32>,
        /// Also make a compressed preview (Ogg Opus), sent after the embedding as a Blob.
        #[serde(default)]
        preview: bool,
    },
    /// Open the library (IndexedDB) and report it.
    LibraryOpen,
    /// Store sounds embedded by `Embed`; their embeddings follow as Float32Arrays.
    LibraryAdd {
        metas: Vec<Meta>,
    },
    LibraryDelete {
        key: u64,
    },
    /// Rename and retag a sound (tags become searchable through the model's text branch).
    LibraryUpdate {
        key: u64,
        name: String,
        tags: Vec<String>,
    },
    LibraryClear,
    /// The library as a file; with `audio`, the kept file of each sound too.
    LibraryExport {
        #[serde(default)]
        audio: bool,
    },
    LibraryImport {
        json: String,
    },
    /// The kept audio of library sound `key` (answered with `LibraryAudio` and the Blob).
    LibraryAudio {
        key: u64,
    },
    /// The kept audio of library sound `key` to drag out (answered with `LibraryFile` and the
    /// Blob, or with no Blob if only its fingerprint was kept).
    LibraryFile {
        key: u64,
    },
    /// The sounds embedded by another model whose audio is kept (answered with `Stale`).
    LibraryStale,
    /// Sounds embedded again by the running model (their keys set); the embeddings follow as
    /// Float32Arrays, in the same order.
    LibraryReembed {
        metas: Vec<Meta>,
    },
}

/// Worker → page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The worker is listening (messages sent before this are lost).
    Started,
    /// Bytes of the assets fetched so far; `total` is 0 while unknown.
    Progress {
        loaded: u64,
        total: u64,
    },
    Ready(Catalog),
    Answer(AnswerView),
    /// The worker's decoder does not read this file: the page decodes it and sends `Audio`.
    DecodeInBrowser {
        reason: String,
    },
    /// A file embedded for the library; the embedding follows as a Float32Array.
    Embedded {
        meta: Meta,
    },
    /// The library after a change (or on opening).
    Library(LibraryState),
    /// Sounds to embed again with the running model; their kept audio follows as Blobs, in the
    /// same order.
    Stale {
        metas: Vec<Meta>,
    },
    Exported {
        json: String,
    },
    /// Library sound `key`'s audio file: the one array is its Blob.
    LibraryAudio {
        key: u64,
    },
    /// Library sound `key`'s audio file to drag out: the one array (if any) is its Blob.
    LibraryFile {
        key: u64,
    },
    Error {
        message: String,
    },
}

/// What the page needs to show any result: every index item with its map position.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub items: Vec<ItemView>,
    /// Class labels, sorted; `ItemView::class` points here.
    pub classes: Vec<String>,
    pub vocabulary_words: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: String,
    pub label: String,
    pub source: String,
    pub licence: String,
    /// Path of the preview relative to the assets' base URL.
    pub preview: String,
    pub class: usize,
    /// Position on the 2-D map (first two principal components).
    pub x: f32,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryView {
    /// "text" or "audio" (docs/interfaces.md §2).
    pub kind: String,
    pub value: String,
}

/// The library's size and its newest sounds (the page lists these).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryState {
    pub count: usize,
    pub recent: Vec<Meta>,
    /// Sounds added by the request this answers.
    pub added: usize,
    /// The running model's id: a sound whose `model` differs was embedded by another model.
    #[serde(default)]
    pub model: String,
    /// Sounds of another model whose audio is kept (they are embedded again).
    #[serde(default)]
    pub stale: usize,
    /// Sounds of another model kept without audio: found by name and tags only until their
    /// file is added again.
    #[serde(default)]
    pub needs_file: usize,
}

/// A result: a bundled index item, or (`mine`) a sound of the user's library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub item: usize,
    pub score: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mine: Option<Meta>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Named {
    pub name: String,
    pub score: f32,
}

/// Facts about an audio query; its samples and mel spectrogram travel beside the header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipFacts {
    pub name: String,
    pub seconds: f64,
    pub native_rate: u32,
    pub channels: usize,
    /// The rate the model's front end analysed it at (mono).
    pub analysed_at: u32,
    /// Frames of the front end's spectrogram (the model's feature frames).
    pub frames: usize,
    pub mel_bands: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerView {
    pub query: QueryView,
    pub results: Vec<Scored>,
    pub labels: Vec<Named>,
    pub words: Vec<Named>,
    pub unknown_words: Vec<String>,
    /// The query's words as searched when a misspelt word was corrected ("violin" for "vioiln").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub searched_as: Option<String>,
    /// A text query no sound is close to (its best score is under the model's fitted floor):
    /// the results are only the nearest there are.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nothing_close: bool,
    /// Words the query left out ("drum -snare" → "snare").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
    /// The query's position on the map.
    pub point: [f32; 2],
    pub clip: Option<ClipFacts>,
    /// When the query was an index item ("find similar"), that item.
    pub from_item: Option<usize>,
    /// Time the worker spent on the query.
    pub millis: f64,
}

pub fn encode<T: Serialize>(value: &T) -> String {
    // Serialising these plain structs cannot fail; a message saying so is the fallback.
    serde_json::to_string(value).unwrap_or_else(|e| {
        format!(r#"{{"type":"error","message":"could not encode a message ({e})"}}"#)
    })
}

pub fn decode_request(json: &str) -> Result<Request, String> {
    serde_json::from_str(json).map_err(|e| format!("malformed request ({e})"))
}

pub fn decode_response(json: &str) -> Result<Response, String> {
    serde_json::from_str(json).map_err(|e| format!("malformed worker message ({e})"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn requests_and_responses_survive_the_round_trip() {
        let reqs = [
            Request::Load {
                base: "http://127.0.0.1/pkg/".into(),
                embed_only: true,
            },
            Request::Text {
                query: "dog \"barking\" <b>".into(),
                top: 20,
                scope: Scope::All,
            },
            Request::Audio {
                name: "a.wav".into(),
                sample_rate: 44_100,
                top: 20,
                scope: Scope::Bundled,
            },
            Request::Item {
                item: 7,
                top: 5,
                scope: Scope::Library,
            },
        ];
        for r in reqs {
            assert_eq!(decode_request(&encode(&r)).unwrap(), r);
        }
        let resp = Response::Progress {
            loaded: 10,
            total: 0,
        };
        assert_eq!(decode_response(&encode(&resp)).unwrap(), resp);
        assert!(encode(&resp).contains(r#""type":"progress""#));
        // Requests without a scope (older pages) search the bundled index.
        assert_eq!(
            decode_request(r#"{"type":"text","query":"x","top":3}"#).unwrap(),
            Request::Text {
                query: "x".into(),
                top: 3,
                scope: Scope::Bundled
            }
        );
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        assert!(decode_request("").is_err());
        assert!(decode_request(r#"{"type":"text"}"#).is_err());
        assert!(decode_request(r#"{"type":"nope","top":1}"#).is_err());
        assert!(decode_response("[1,2]").is_err());
    }
}
