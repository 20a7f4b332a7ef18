//! The search worker's logic in plain Rust: its one state ([`Worker`]: the loaded service and
//! the requests waiting for the assets or for the CNN's weights), where each request goes
//! ([`Worker::route`]) and the reply to a query ([`answer`]), with its typed arrays as a
//! [`Payload`]. The worker binary (`src/bin/earshot-worker/`) only moves messages, fetches and
//! talks to IndexedDB.

use crate::analysis::{self, Analysis};
use crate::library::Meta;
use crate::protocol::{AnswerView, Request, Response};
use crate::service::Service;
use crate::waveform::Extent;

/// The audio that comes with a request.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Input {
    #[default]
    None,
    /// Decoded planar channels (decoded by the browser).
    Channels(Vec<Vec<f32>>),
    /// An encoded file's bytes (WAV, FLAC, Ogg Vorbis, MP3), decoded here as the CLI does.
    File(Vec<u8>),
}

/// The typed arrays that go with a response (moved, not copied, between threads).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Payload {
    #[default]
    None,
    /// An audio answer's query: the waveform envelope of its mono signal at the front end's
    /// rate ([`crate::waveform::envelope`]: at most [`crate::waveform::COLUMNS`] min/max pairs)
    /// and its mel spectrogram (bands × frames).
    Clip {
        envelope: Vec<Extent>,
        mel: Vec<f32>,
    },
    /// A library sound's embedding; with `preview`, the decoded audio to keep as a compressed
    /// preview, which then follows the embedding.
    Embedding {
        embedding: Vec<f32>,
        preview: Option<(Vec<Vec<f32>>, u32)>,
    },
}

/// A response and its arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub response: Response,
    pub payload: Payload,
}

impl Reply {
    fn plain(response: Response) -> Self {
        Self {
            response,
            payload: Payload::None,
        }
    }

    pub fn error(message: String) -> Self {
        Self::plain(Response::Error { message })
    }
}

/// Where a request goes.
#[derive(Debug, PartialEq)]
pub enum Route<P> {
    /// Fetch the assets and load the service (the first load request only).
    Load {
        base: String,
        embed_only: bool,
    },
    /// A second load request: the first one answers.
    Ignore,
    /// Kept until the assets are loaded ([`Worker::loaded`]).
    Wait,
    /// Kept until the CNN's weights are loaded ([`Worker::weights_loaded`]); the first such
    /// query starts fetching this file.
    FetchWeights(String),
    /// Kept behind a fetch of the weights that already runs.
    WaitWeights,
    /// Answer it now ([`answer`]).
    Query(Request, P),
    /// A library request: IndexedDB, then the service's library.
    Library(Request, P),
    Fail(String),
}

/// A request kept for later, with its arrays.
pub type Kept<P> = (u32, Request, P);

/// The worker's state. `P` is what a request's arrays are kept as (the message's JS array in the
/// browser).
pub struct Worker<P> {
    pub service: Option<Service>,
    /// Where the assets come from (the load request's base URL).
    pub base: String,
    loading: bool,
    /// Queries that arrived while the assets were loading.
    pending: Vec<Kept<P>>,
    /// Audio queries waiting for the CNN's weights; `None` while no fetch runs.
    waiting: Option<Vec<Kept<P>>>,
}

impl<P> Default for Worker<P> {
    fn default() -> Self {
        Self {
            service: None,
            base: String::new(),
            loading: false,
            pending: Vec::new(),
            waiting: None,
        }
    }
}

impl<P> Worker<P> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn route(&mut self, id: u32, request: Request, arrays: P) -> Route<P> {
        if let Request::Load { base, embed_only } = request {
            if self.loading || self.service.is_some() {
                return Route::Ignore;
            }
            self.loading = true;
            self.base.clone_from(&base);
            return Route::Load { base, embed_only };
        }
        let Some(service) = &self.service else {
            if self.loading {
                self.pending.push((id, request, arrays));
                return Route::Wait;
            }
            return Route::Fail("The search is not loaded yet; reload the page.".into());
        };
        if is_library(&request) {
            return Route::Library(request, arrays);
        }
        let audio = matches!(
            request,
            Request::Audio { .. } | Request::AudioFile { .. } | Request::Embed { .. }
        );
        if let Some(file) = service.needs_weights().filter(|_| audio) {
            let first = self.waiting.is_none();
            self.waiting
                .get_or_insert_with(Vec::new)
                .push((id, request, arrays));
            return if first {
                Route::FetchWeights(file)
            } else {
                Route::WaitWeights
            };
        }
        Route::Query(request, arrays)
    }

    /// The assets are loaded: the queries that waited for them, to route again.
    pub fn loaded(&mut self, service: Service) -> Vec<Kept<P>> {
        self.service = Some(service);
        self.loading = false;
        std::mem::take(&mut self.pending)
    }

    /// Loading failed: the ids of the queries that waited (they fail too); a new load request
    /// may try again.
    pub fn load_failed(&mut self) -> Vec<u32> {
        self.loading = false;
        std::mem::take(&mut self.pending)
            .into_iter()
            .map(|(id, _, _)| id)
            .collect()
    }

    /// The CNN's weights arrived (`Ok`) or could not be loaded: the queries that waited, and
    /// whether they can be answered.
    pub fn weights_loaded(
        &mut self,
        bytes: Result<Vec<u8>, String>,
    ) -> (Vec<Kept<P>>, Result<(), String>) {
        let loaded = bytes.and_then(|b| match &mut self.service {
            Some(s) => s.set_weights(&b),
            None => Err("The search is not loaded yet; reload the page.".into()),
        });
        (self.waiting.take().unwrap_or_default(), loaded)
    }
}

fn is_library(request: &Request) -> bool {
    matches!(
        request,
        Request::LibraryOpen
            | Request::LibraryAdd { .. }
            | Request::LibraryDelete { .. }
            | Request::LibraryUpdate { .. }
            | Request::LibraryClear
            | Request::LibraryExport { .. }
            | Request::LibraryImport { .. }
            | Request::LibraryAudio { .. }
            | Request::LibraryFile { .. }
            | Request::LibraryStale
            | Request::LibraryReembed { .. }
    )
}

/// An audio answer with the query's waveform envelope and mel spectrogram for the page to draw.
fn with_clip((a, clip): (AnswerView, Analysis)) -> Reply {
    Reply {
        response: Response::Answer(a),
        payload: Payload::Clip {
            envelope: clip.envelope,
            mel: clip.mel_db.data,
        },
    }
}

/// The audio of a request as channels and rate: decoded channels at `rate`, or a file decoded
/// here. `Err(Some(reason))`: this decoder cannot read the file; `Err(None)`: no audio came.
fn audio_of(
    input: Input,
    rate: Option<u32>,
    name: &str,
) -> Result<(Vec<Vec<f32>>, u32), Option<String>> {
    match (input, rate) {
        (Input::Channels(channels), Some(rate)) => Ok((channels, rate)),
        (Input::File(bytes), _) => Service::decode_file(bytes, name)
            .map(|d| (d.channels, d.sample_rate))
            .map_err(Some),
        _ => Err(None),
    }
}

/// The reply when a request's audio could not be read here: a file goes back to the page to
/// decode, no audio is an error.
fn unread(why: Option<String>, name: &str) -> Reply {
    match why {
        Some(reason) => Reply::plain(Response::DecodeInBrowser { reason }),
        None => Reply::error(analysis::empty_file(name)),
    }
}

/// The reply to a query (text, similar, audio, embedding for the library).
pub fn answer(service: &Service, request: Request, input: Input) -> Reply {
    let plain = |a: Result<AnswerView, String>| match a {
        Ok(a) => Reply::plain(Response::Answer(a)),
        Err(m) => Reply::error(m),
    };
    match request {
        Request::Text { query, top, scope } => plain(service.text(&query, top, scope)),
        Request::Item { item, top, scope } => plain(service.item(item, top, scope)),
        Request::Mine { key, top, scope } => plain(service.mine(key, top, scope)),
        Request::Audio {
            name,
            sample_rate,
            top,
            scope,
        } => match audio_of(input, Some(sample_rate), &name) {
            Ok((channels, rate)) => service
                .audio(&name, &channels, rate, top, scope)
                .map_or_else(Reply::error, with_clip),
            Err(why) => unread(why, &name),
        },
        Request::AudioFile { name, top, scope } => match audio_of(input, None, &name) {
            Ok((channels, rate)) => service
                .audio(&name, &channels, rate, top, scope)
                .map_or_else(Reply::error, with_clip),
            Err(why) => unread(why, &name),
        },
        Request::Embed {
            name,
            sample_rate,
            preview,
        } => match audio_of(input, sample_rate, &name) {
            Ok((channels, rate)) => match service.embed(&name, &channels, rate) {
                Ok((meta, embedding)) => {
                    embedded(meta, embedding, preview.then_some((channels, rate)))
                }
                Err(m) => Reply::error(m),
            },
            Err(why) => unread(why, &name),
        },
        other => Reply::error(format!("not a query: {}", kind(&other))),
    }
}

fn embedded(meta: Meta, embedding: Vec<f32>, preview: Option<(Vec<Vec<f32>>, u32)>) -> Reply {
    Reply {
        response: Response::Embedded { meta },
        payload: Payload::Embedding { embedding, preview },
    }
}

fn kind(request: &Request) -> &'static str {
    match request {
        Request::Load { .. } => "load",
        _ => "a library request",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::protocol::{Scope, TOP};
    use crate::service::tests::shipped;
    use crate::waveform;

    fn text(q: &str) -> Request {
        Request::Text {
            query: q.into(),
            top: TOP,
            scope: Scope::Bundled,
        }
    }

    fn load() -> Request {
        Request::Load {
            base: "pkg/".into(),
            embed_only: false,
        }
    }

    /// One second of a 440 Hz tone at 22.05 kHz.
    fn tone() -> Vec<Vec<f32>> {
        vec![(0..22_050)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 22_050.0).sin() * 0.5)
            .collect()]
    }

    #[test]
    fn queries_wait_for_the_assets_then_are_routed() {
        let mut w: Worker<u8> = Worker::new();
        assert_eq!(
            w.route(1, text("dog"), 0),
            Route::Fail("The search is not loaded yet; reload the page.".into()),
            "nothing is loading: the page must load first"
        );
        assert_eq!(
            w.route(2, load(), 0),
            Route::Load {
                base: "pkg/".into(),
                embed_only: false
            }
        );
        assert_eq!(w.base, "pkg/");
        assert_eq!(w.route(3, load(), 0), Route::Ignore, "one load at a time");
        assert_eq!(w.route(4, text("dog"), 7), Route::Wait);
        assert_eq!(w.route(5, Request::LibraryOpen, 8), Route::Wait);
        let kept = w.loaded(shipped());
        let ids: Vec<(u32, u8)> = kept.iter().map(|(id, _, p)| (*id, *p)).collect();
        assert_eq!(ids, vec![(4, 7), (5, 8)], "in order, with their arrays");
        assert_eq!(w.route(6, text("dog"), 0), Route::Query(text("dog"), 0));
        assert_eq!(
            w.route(7, Request::LibraryOpen, 0),
            Route::Library(Request::LibraryOpen, 0)
        );
        assert_eq!(w.route(8, load(), 0), Route::Ignore, "loaded already");
    }

    #[test]
    fn a_failed_load_fails_the_waiting_queries_and_may_be_tried_again() {
        let mut w: Worker<()> = Worker::new();
        w.route(1, load(), ());
        w.route(2, text("dog"), ());
        w.route(3, text("cat"), ());
        assert_eq!(w.load_failed(), vec![2, 3]);
        assert!(matches!(w.route(4, load(), ()), Route::Load { .. }));
    }

    #[test]
    fn without_cnn_weights_to_fetch_audio_queries_run_at_once() {
        let mut w: Worker<()> = Worker::new();
        w.route(1, load(), ());
        w.loaded(crate::service::tests::mfcc_service());
        let audio = Request::AudioFile {
            name: "a.wav".into(),
            top: TOP,
            scope: Scope::Bundled,
        };
        assert_eq!(w.route(2, audio.clone(), ()), Route::Query(audio, ()));
        let (kept, loaded) = w.weights_loaded(Err("offline".into()));
        assert!(kept.is_empty());
        assert_eq!(loaded, Err("offline".into()));
    }

    #[test]
    fn audio_queries_of_a_cnn_model_wait_for_its_weights() {
        let mut w: Worker<u8> = Worker::new();
        w.route(1, load(), 0);
        w.loaded(crate::service::tests::cnn_service());
        let audio = |name: &str| Request::AudioFile {
            name: name.into(),
            top: 5,
            scope: Scope::Bundled,
        };
        assert_eq!(
            w.route(2, audio("a.wav"), 1),
            Route::FetchWeights("walnet.safetensors".into()),
            "the first one fetches"
        );
        assert_eq!(w.route(3, audio("b.wav"), 2), Route::WaitWeights);
        assert_eq!(
            w.route(4, text("kick"), 0),
            Route::Query(text("kick"), 0),
            "text needs no weights"
        );
        let (kept, loaded) = w.weights_loaded(Ok(b"not safetensors".to_vec()));
        assert_eq!(kept.iter().map(|k| k.0).collect::<Vec<_>>(), vec![2, 3]);
        assert!(loaded.is_err(), "bad weights: the waiting queries fail");
        // The next audio query fetches again; good weights let it through.
        assert!(matches!(
            w.route(5, audio("c.wav"), 3),
            Route::FetchWeights(_)
        ));
        let weights = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/crates/core/weights/walnet.safetensors"
        );
        let (kept, loaded) = w.weights_loaded(Ok(std::fs::read(weights).unwrap()));
        assert_eq!((kept.len(), loaded), (1, Ok(())));
        assert_eq!(
            w.route(6, audio("d.wav"), 4),
            Route::Query(audio("d.wav"), 4)
        );
    }

    #[test]
    fn a_text_query_is_answered_without_arrays() {
        let reply = answer(&shipped(), text("dog barking"), Input::None);
        let Response::Answer(a) = &reply.response else {
            panic!("{reply:?}")
        };
        assert_eq!(a.results.len(), TOP);
        assert_eq!(reply.payload, Payload::None);
    }

    #[test]
    fn an_audio_query_brings_its_waveform_envelope_and_mel_spectrogram() {
        let s = shipped();
        let request = Request::Audio {
            name: "tone".into(),
            sample_rate: 22_050,
            top: 5,
            scope: Scope::Bundled,
        };
        let reply = answer(&s, request, Input::Channels(tone()));
        let Response::Answer(a) = &reply.response else {
            panic!("{reply:?}")
        };
        let facts = a.clip.clone().unwrap();
        let Payload::Clip { envelope, mel } = &reply.payload else {
            panic!("{:?}", reply.payload)
        };
        // The shipped student model hears it at 44.1 kHz: 44 100 samples, more than the
        // envelope's columns.
        assert_eq!(facts.analysed_at, 44_100);
        let heard = s.front().unwrap().hear(&tone(), 22_050).unwrap();
        assert_eq!(heard.samples.len(), 44_100);
        assert_eq!(envelope.len(), waveform::COLUMNS);
        // What the page drew from the samples on a canvas as wide as the envelope, it now draws
        // from the envelope; on a narrower one each column's slice moves by less than one
        // envelope column (11 samples), which changes nothing visible where a column holds a
        // whole period of the tone (100 samples).
        assert_eq!(
            waveform::columns(envelope, waveform::COLUMNS),
            waveform::column_extents(&heard.samples, waveform::COLUMNS)
        );
        for width in [160, 320] {
            let drawn = waveform::columns(envelope, width);
            let from_samples = waveform::column_extents(&heard.samples, width);
            assert_eq!(drawn.len(), width);
            for (d, e) in drawn.iter().zip(&from_samples) {
                assert!(
                    (d.0 - e.0).abs() < 0.02 && (d.1 - e.1).abs() < 0.02,
                    "{d:?} {e:?}"
                );
            }
        }
        // A 0.5 amplitude tone spans ±0.5.
        let lowest = envelope.iter().map(|e| e.0).fold(f32::INFINITY, f32::min);
        let highest = envelope
            .iter()
            .map(|e| e.1)
            .fold(f32::NEG_INFINITY, f32::max);
        assert!((lowest + 0.5).abs() < 0.02 && (highest - 0.5).abs() < 0.02);
        assert_eq!(mel.len(), facts.frames * facts.mel_bands);
        assert!(mel.len() / facts.mel_bands >= 40, "frames of one second");
    }

    #[test]
    fn a_file_the_decoder_cannot_read_goes_back_to_the_page() {
        let request = Request::AudioFile {
            name: "voice.webm".into(),
            top: 5,
            scope: Scope::Bundled,
        };
        let reply = answer(
            &shipped(),
            request,
            Input::File(b"\x1a\x45\xdf\xa3webm".to_vec()),
        );
        assert!(
            matches!(reply.response, Response::DecodeInBrowser { .. }),
            "{reply:?}"
        );
    }

    #[test]
    fn an_embedding_for_the_library_keeps_the_audio_for_a_preview_when_asked() {
        let s = shipped();
        let embed = |preview| Request::Embed {
            name: "tone.wav".into(),
            sample_rate: Some(22_050),
            preview,
        };
        let reply = answer(&s, embed(true), Input::Channels(tone()));
        let Payload::Embedding { embedding, preview } = &reply.payload else {
            panic!("{reply:?}")
        };
        assert_eq!(embedding.len(), s.dim());
        assert_eq!(preview.as_ref().map(|(_, rate)| *rate), Some(22_050));
        let reply = answer(&s, embed(false), Input::Channels(tone()));
        assert!(matches!(
            reply.payload,
            Payload::Embedding { preview: None, .. }
        ));
        // No audio at all: a message, not a panic.
        let reply = answer(&s, embed(false), Input::None);
        assert!(matches!(reply.response, Response::Error { .. }));
    }
}
