//! Messages between the page and the search worker. Each message is a small JSON header plus,
//! for audio, typed arrays moved (not copied) beside it: the query's channels one way, its
//! mono samples and mel spectrogram the other. Plain Rust types, tested natively.

use serde::{Deserialize, Serialize};

/// Results shown per query.
pub const TOP: usize = 20;

/// Page → worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Fetch the model, vocabulary and index from `base` (a URL ending in `/`).
    Load {
        base: String,
    },
    Text {
        query: String,
        top: usize,
    },
    /// The encoded file follows as one Uint8Array; the worker decodes it exactly as the CLI does.
    AudioFile {
        name: String,
        top: usize,
    },
    /// Decoded planar channels follow as Float32Arrays (formats only the browser can decode).
    Audio {
        name: String,
        sample_rate: u32,
        top: usize,
    },
    /// An index item as the query ("find similar").
    Item {
        item: usize,
        top: usize,
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
    Error {
        message: String,
    },
}

/// What the page needs to show any result: every index item with its map position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// "text" or "audio" (CONTRACT §2).
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub item: usize,
    pub score: f32,
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
            },
            Request::Text {
                query: "dog \"barking\" <b>".into(),
                top: 20,
            },
            Request::Audio {
                name: "a.wav".into(),
                sample_rate: 44_100,
                top: 20,
            },
            Request::Item { item: 7, top: 5 },
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
    }

    #[test]
    fn malformed_messages_are_errors_not_panics() {
        assert!(decode_request("").is_err());
        assert!(decode_request(r#"{"type":"text"}"#).is_err());
        assert!(decode_request(r#"{"type":"nope","top":1}"#).is_err());
        assert!(decode_response("[1,2]").is_err());
    }
}
