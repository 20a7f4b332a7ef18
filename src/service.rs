//! What the search worker does, as plain Rust: load the shipped assets, fit the map, answer text,
//! audio and "find similar" queries with the core's [`Engine`] (the same calls as
//! `earshot search`, so the browser and the CLI rank identically). Tested natively.

use std::sync::OnceLock;

use earshot_core::AudioInput;
use earshot_core::Decoded;
use earshot_core::Index;
use earshot_core::Model;
use earshot_core::Projection;
use earshot_core::Vocabulary;
use earshot_core::{Answer, Engine};

use crate::analysis::{self, Analysis};
use crate::library::{model_id, name_words, Library, Meta, GONE};
use crate::protocol::{
    AnswerView, Catalog, ClipFacts, ItemView, LibraryState, Named, QueryView, Scope, Scored,
};

/// Library sounds listed on the page (the newest).
pub const RECENT: usize = 50;

/// The 2-D map and every bundled item's point on it.
type Map = (Projection, Vec<[f32; 2]>);

pub struct Service {
    engine: Engine,
    /// The 2-D map and every item's point on it: fitted on first use (a catalog or an answer),
    /// so workers that only embed library sounds never pay for it.
    map: OnceLock<Result<Map, String>>,
    pub library: Library,
    /// The weights file the model's audio front end needs (a CNN's), if any.
    weights: Option<String>,
    /// The model's audio front end; for a model with CNN features, built once its weights are
    /// fetched on the first audio query ([`Service::needs_weights`], [`Service::set_weights`]).
    input: Option<AudioInput>,
}

/// Where the page fetches each asset from, relative to the assets' base URL.
pub const MODEL_FILE: &str = "model.json";
pub const VOCAB_FILE: &str = "vocab.bin";
pub const INDEX_FILE: &str = "index.bin";

impl Service {
    /// Parse the three assets; every failure is one sentence naming the asset.
    pub fn load(model_json: &str, vocab: &[u8], index: &[u8]) -> Result<Self, String> {
        let broken = |what: &str, e: &dyn std::fmt::Display| {
            analysis::sentence(&format!("The {what} could not be loaded: {e}"))
        };
        let model = Model::from_json(model_json).map_err(|e| broken("model (model.json)", &e))?;
        let weights = model
            .audio_weights_file()
            .map_err(|e| broken("model (model.json)", &e))?;
        let input = match weights {
            Some(_) => None,
            None => Some(
                model
                    .audio_front(None)
                    .map_err(|e| broken("model (model.json)", &e))?,
            ),
        };
        let vocab =
            Vocabulary::from_bytes(vocab).map_err(|e| broken("vocabulary (vocab.bin)", &e))?;
        let index = Index::from_bytes(index).map_err(|e| broken("index (index.bin)", &e))?;
        let engine = Engine::new(model, vocab, index).map_err(|e| broken("search engine", &e))?;
        let library = Library::centred(mean(engine.index.vectors(), engine.index.dim))
            .for_model(&model_id(model_json.as_bytes()));
        Ok(Self {
            engine,
            map: OnceLock::new(),
            library,
            weights,
            input,
        })
    }

    /// The weights file to fetch (relative to the assets' base URL) before audio can be embedded:
    /// `Some` for a model with CNN features until [`Service::set_weights`] succeeded.
    pub fn needs_weights(&self) -> Option<String> {
        self.weights.clone().filter(|_| self.input.is_none())
    }

    /// The CNN's weights (safetensors), fetched after [`Service::needs_weights`] asked for them.
    pub fn set_weights(&mut self, bytes: &[u8]) -> Result<(), String> {
        let input = self.engine.model.audio_front(Some(bytes)).map_err(|e| {
            analysis::sentence(&format!(
                "The sound network's weights could not be loaded: {e}"
            ))
        })?;
        self.input = Some(input);
        Ok(())
    }

    /// The model's front end (an error until a CNN model's weights are loaded).
    pub(crate) fn front(&self) -> Result<&AudioInput, String> {
        self.input.as_ref().ok_or_else(|| {
            analysis::sentence("The sound network's weights are not loaded yet; try again.")
        })
    }

    /// The map and the items' points (fitted the first time).
    fn map(&self) -> Result<&Map, String> {
        self.map
            .get_or_init(|| {
                let vectors = self.engine.index.vectors();
                let broken = |e: &dyn std::fmt::Display| {
                    analysis::sentence(&format!("The map of the sounds could not be made: {e}"))
                };
                let map =
                    Projection::fit(vectors, self.engine.index.dim).map_err(|e| broken(&e))?;
                let points = map.project_all(vectors).map_err(|e| broken(&e))?;
                Ok((map, points))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Number of classes (for [`Service::warm`]).
    pub fn n_classes(&self) -> usize {
        self.engine.classes.len()
    }

    /// Prepare class `ci`'s open-vocabulary words ahead of the first query that needs them.
    pub fn warm(&self, ci: usize) {
        let _ = self.engine.warm_words(ci);
    }

    pub fn len(&self) -> usize {
        self.engine.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.engine.index.is_empty()
    }

    pub fn catalog(&self) -> Result<Catalog, String> {
        let (_, points) = self.map()?;
        let classes = self.engine.classes.clone();
        let items = self
            .engine
            .index
            .items
            .iter()
            .zip(points)
            .map(|(it, p)| ItemView {
                id: it.id.clone(),
                label: it.label.clone(),
                source: it.source.clone(),
                licence: it.licence.clone(),
                preview: it.preview.clone(),
                class: classes.binary_search(&it.label).unwrap_or(0),
                x: p[0],
                y: p[1],
            })
            .collect();
        Ok(Catalog {
            items,
            classes,
            vocabulary_words: self.engine.vocab.len(),
        })
    }

    /// A free-text query. The message for a query with no known word names the words.
    pub fn text(&self, query: &str, top: usize, scope: Scope) -> Result<AnswerView, String> {
        let a = self
            .engine
            .search_text(query, top)
            .map_err(|e| analysis::sentence(&format!("Cannot search for that text: {e}")))?;
        self.view("text", query, a, None, None, top, scope)
    }

    /// Decoded audio (planar channels at `sample_rate`) as the query.
    pub fn audio(
        &self,
        name: &str,
        channels: &[Vec<f32>],
        sample_rate: u32,
        top: usize,
        scope: Scope,
    ) -> Result<(AnswerView, Analysis), String> {
        let (clip, input) = analysis::analyse(self.front()?, name, channels, sample_rate)?;
        let a = self
            .engine
            .search_clip_vector(&input, top)
            .map_err(|e| analysis::core_failed(name, &e))?;
        let facts = ClipFacts {
            name: clip.name.clone(),
            seconds: clip.seconds,
            native_rate: clip.native_rate,
            channels: clip.channels,
            analysed_at: clip.rate,
            frames: clip.mel_db.n_frames,
            mel_bands: clip.mel_db.n_rows,
        };
        let view = self.view("audio", name, a, Some(facts), None, top, scope)?;
        Ok((view, clip))
    }

    /// An encoded file (WAV, FLAC, Ogg Vorbis, MP3) decoded as the CLI decodes it. `Err` is the
    /// decoder's reason; the caller may then let the browser try.
    pub fn decode_file(bytes: Vec<u8>, name: &str) -> Result<Decoded, String> {
        earshot_core::decode_bytes(bytes, name)
    }

    /// "Find similar": index item `item` as the query.
    pub fn item(&self, item: usize, top: usize, scope: Scope) -> Result<AnswerView, String> {
        let a = self
            .engine
            .search_item(item, top)
            .map_err(|e| analysis::sentence(&format!("Cannot find similar sounds: {e}")))?;
        let id = self.engine.index.items[item].id.clone();
        self.view("audio", &id, a, None, Some(item), top, scope)
    }

    /// "Find similar" for a sound of the user's library.
    pub fn mine(&self, key: u64, top: usize, scope: Scope) -> Result<AnswerView, String> {
        let pos = self.library.position(key).ok_or(GONE)?;
        let name = self.library.metas()[pos].name.clone();
        if self.library.is_stale(pos) {
            return Err(analysis::sentence(&format!(
                "“{name}” was added with an earlier model and must be embedded again before sounds like it can be found: {}",
                if self.library.metas()[pos].audio {
                    "that happens by itself in a moment"
                } else {
                    "add its file to your library again"
                }
            )));
        }
        let a = self
            .engine
            .search_embedding(self.library.vector(pos), top)
            .map_err(|e| analysis::sentence(&format!("Cannot find similar sounds: {e}")))?;
        self.view("audio", &name, a, None, None, top, scope)
    }

    /// A library sound from decoded audio: its embedding and metadata (kNN label guess over
    /// the bundled index, k = 25).
    pub fn embed(
        &self,
        name: &str,
        channels: &[Vec<f32>],
        sample_rate: u32,
    ) -> Result<(Meta, Vec<f32>), String> {
        // Nothing of a library sound is drawn: the model's input only.
        let input = self
            .front()?
            .input(channels, sample_rate)
            .map_err(|e| analysis::core_failed(name, &e))?;
        let embedding = self
            .engine
            .model
            .embed_audio(&input)
            .map_err(|e| analysis::core_failed(name, &e))?;
        let label = self
            .engine
            .index
            .knn_labels(&embedding, earshot_core::KNN_K)
            .ok()
            .and_then(|l| l.into_iter().next())
            .map(|(l, _)| l)
            .unwrap_or_default();
        let meta = Meta {
            key: 0,
            name: name.to_owned(),
            seconds: analysis::seconds(channels, sample_rate),
            label,
            tags: Vec::new(),
            added: 0.0,
            audio: false,
            model: self.library.model().to_owned(),
        }
        .cleaned();
        Ok((meta, embedding))
    }

    /// The library's size and newest sounds, after adding `added`.
    pub fn library_state(&self, added: usize) -> LibraryState {
        let (stale, needs_file) = self.library.stale_counts();
        LibraryState {
            count: self.library.len(),
            recent: self
                .library
                .metas()
                .iter()
                .rev()
                .take(RECENT)
                .cloned()
                .collect(),
            added,
            model: self.library.model().to_owned(),
            stale,
            needs_file,
        }
    }

    /// The joint-space point a library sound is found by as text (None without known words):
    /// its tags, and for a sound embedded by another model (not searched by its audio until
    /// embedded again) the words of its name too.
    pub fn tag_point(&self, meta: &Meta) -> Option<Vec<f32>> {
        let mut words = meta.tags.join(" ");
        if meta.model != self.library.model() {
            words = format!("{} {words}", name_words(&meta.name));
        }
        if words.trim().is_empty() {
            return None;
        }
        let t = self.engine.vocab.embed(&words).ok()?;
        self.engine.embed_text(&t).ok()
    }

    /// The joint space's dimension (library embeddings must match it).
    pub fn dim(&self) -> usize {
        self.engine.index.dim
    }

    #[allow(clippy::too_many_arguments)]
    fn view(
        &self,
        kind: &str,
        value: &str,
        a: Answer,
        clip: Option<ClipFacts>,
        from_item: Option<usize>,
        top: usize,
        scope: Scope,
    ) -> Result<AnswerView, String> {
        let point = self
            .map()?
            .0
            .project(&a.embedding)
            .map_err(|e| analysis::sentence(&e.to_string()))?;
        let named = |v: Vec<earshot_core::Ranked>| {
            v.into_iter()
                .map(|r| Named {
                    name: r.name,
                    score: r.score,
                })
                .collect()
        };
        let results = self.merge(&a, top, scope);
        let nothing_close = self
            .engine
            .nothing_close(&a, results.first().map(|r| r.score));
        Ok(AnswerView {
            query: QueryView {
                kind: kind.to_owned(),
                value: value.to_owned(),
            },
            results,
            nothing_close,
            labels: named(a.labels),
            words: named(a.words),
            unknown_words: a.unknown_words.clone(),
            searched_as: a.searched_as.clone(),
            excluded: a.excluded.clone(),
            point,
            clip,
            from_item,
            millis: 0.0,
        })
    }
}

/// The mean of row-major `rows` of `dim` (zeros when there are none).
fn mean(rows: &[f32], dim: usize) -> Vec<f32> {
    let mut m = vec![0f64; dim];
    let n = rows.len() / dim.max(1);
    for row in rows.chunks_exact(dim.max(1)) {
        m.iter_mut().zip(row).for_each(|(a, &v)| *a += f64::from(v));
    }
    m.into_iter()
        .map(|v| if n > 0 { (v / n as f64) as f32 } else { 0.0 })
        .collect()
}

impl Service {
    /// Results within `scope`: bundled hits, library hits, or both merged by score.
    fn merge(&self, a: &Answer, top: usize, scope: Scope) -> Vec<Scored> {
        let mut out: Vec<Scored> = Vec::new();
        if scope.bundled() {
            out.extend(a.results.iter().map(|r| Scored {
                item: r.item,
                score: r.score,
                mine: None,
            }));
        }
        if scope.library() {
            // On the bundled results' scale: calibrated, and a sound's name and tags count as
            // words beside the model's score as a bundled sound's class label does.
            let vocab = &self.engine.vocab;
            // A sound whose words the query leaves out ("-dog") is not among them.
            let wanted = if a.excluded.is_empty() {
                top
            } else {
                self.library.len()
            };
            out.extend(
                self.library
                    .top_k(&a.embedding, wanted)
                    .into_iter()
                    .filter_map(|(pos, similarity)| {
                        let meta = &self.library.metas()[pos];
                        let words =
                            vocab.tokenize(&format!("{} {}", meta.name, meta.tags.join(" ")));
                        (!self.engine.left_out(a, &words)).then(|| Scored {
                            item: pos,
                            score: self.engine.score_other(a, similarity, &words),
                            mine: Some(meta.clone()),
                        })
                    })
                    .take(top),
            );
        }
        // Stable: ties keep bundled before library.
        out.sort_by(|x, y| y.score.total_cmp(&x.score));
        out.truncate(top);
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// The shipped assets of `pkg/`, loaded as the worker loads them.
    /// The shipped assets as loaded, before the worker fetched the CNN weights they name.
    pub(crate) fn shipped_unready() -> Service {
        let pkg = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg/");
        let model = std::fs::read_to_string(format!("{pkg}{MODEL_FILE}")).unwrap();
        let vocab = std::fs::read(format!("{pkg}{VOCAB_FILE}")).unwrap();
        let index = std::fs::read(format!("{pkg}{INDEX_FILE}")).unwrap();
        Service::load(&model, &vocab, &index).unwrap()
    }

    /// The shipped assets with the weights their model names (`pkg/`'s), as after the worker
    /// fetched them.
    pub(crate) fn shipped() -> Service {
        let mut s = shipped_unready();
        if let Some(file) = s.needs_weights() {
            let pkg = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg/");
            s.set_weights(&std::fs::read(format!("{pkg}{file}")).unwrap())
                .unwrap();
        }
        s
    }

    #[test]
    fn the_map_is_fitted_on_first_use_only() {
        let s = shipped();
        assert!(
            s.map.get().is_none(),
            "loading alone fits no map (embed-only workers)"
        );
        let first = s.catalog().unwrap();
        assert!(s.map.get().is_some());
        let again = s.catalog().unwrap();
        assert_eq!(
            first.items[7].x, again.items[7].x,
            "fitted once, the same points"
        );
    }

    #[test]
    fn text_query_dog_finds_dogs_and_places_them_on_the_map() {
        let s = shipped();
        let cat = s.catalog().unwrap();
        assert_eq!(cat.items.len(), s.len());
        assert!(cat.vocabulary_words >= 50_000);
        let a = s.text("dog", 20, Scope::Bundled).unwrap();
        assert_eq!(a.results.len(), 20);
        let first = &cat.items[a.results[0].item];
        assert_eq!(first.label, "Canidae_dogs_wolves");
        assert_eq!(cat.classes[first.class], first.label);
        assert!(a.results.windows(2).all(|w| w[0].score >= w[1].score));
        // The query lands on the map among the points, not far outside them.
        let (xs, ys): (Vec<f32>, Vec<f32>) = cat.items.iter().map(|i| (i.x, i.y)).unzip();
        let span = |v: &[f32]| {
            v.iter().copied().fold(f32::MIN, f32::max) - v.iter().copied().fold(f32::MAX, f32::min)
        };
        let (sx, sy) = (span(&xs), span(&ys));
        assert!(sx > 0.0 && sy > 0.0);
        let near = cat
            .items
            .iter()
            .map(|i| ((i.x - a.point[0]) / sx).hypot((i.y - a.point[1]) / sy))
            .fold(f32::MAX, f32::min);
        assert!(
            near < 0.5,
            "query point {:?} is far from every item",
            a.point
        );
    }

    #[test]
    fn find_similar_puts_the_item_itself_first() {
        let s = shipped();
        let a = s.item(42, 5, Scope::Bundled).unwrap();
        assert_eq!(a.results[0].item, 42);
        assert!((a.results[0].score - s.engine.score(1.0, false)).abs() < 1e-6);
        assert_eq!(a.from_item, Some(42));
        // Its point is the item's own map position.
        let cat = s.catalog().unwrap();
        assert!((a.point[0] - cat.items[42].x).abs() < 1e-4);
        assert!(s.item(s.len(), 5, Scope::Bundled).is_err());
    }

    /// The CNN model of `crates/cli/eval/walnet` with an index of every corpus clip embedded by
    /// it, as `earshot index` builds one.
    pub(crate) fn cnn_service() -> Service {
        compared_service("walnet")
    }

    /// The MFCC model of `crates/cli/eval/mfcc` (no weights to fetch), likewise.
    pub(crate) fn mfcc_service() -> Service {
        compared_service("mfcc")
    }

    /// The model of `crates/cli/eval/{name}` with an index of every corpus clip embedded by it.
    fn compared_service(name: &str) -> Service {
        let root = env!("CARGO_MANIFEST_DIR");
        let dir = format!("{root}/crates/cli/eval/{name}/");
        let model_json = std::fs::read_to_string(format!("{dir}model.json")).unwrap();
        let model = Model::from_json(&model_json).unwrap();
        let feats =
            Index::from_bytes(&std::fs::read(format!("{dir}features.bin")).unwrap()).unwrap();
        let vectors = model.embed_audio(feats.vectors()).unwrap();
        let index = Index::new(feats.items.clone(), model.output_dim(), vectors).unwrap();
        let bytes = index.to_bytes(earshot_core::Storage::I8).unwrap();
        let vocab = std::fs::read(format!("{root}/pkg/{VOCAB_FILE}")).unwrap();
        Service::load(&model_json, &vocab, &bytes).unwrap()
    }

    #[test]
    fn a_cnn_model_asks_for_its_weights_then_finds_a_clip_by_its_preview() {
        let mut s = cnn_service();
        assert!(mfcc_service().needs_weights().is_none());
        assert_eq!(
            shipped_unready().needs_weights().as_deref(),
            Some("student.safetensors")
        );
        assert!(shipped().needs_weights().is_none());
        assert_eq!(s.needs_weights().as_deref(), Some("walnet.safetensors"));
        // The Ogg Vorbis preview earlier builds shipped for a bass drum clip (sonic-656e1706e843-0).
        let preview = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/audio/drum_bass_hard_preview.ogg"
        );
        let d = Service::decode_file(std::fs::read(preview).unwrap(), "kick.ogg").unwrap();
        let early = s.audio("kick.ogg", &d.channels, d.sample_rate, 5, Scope::Bundled);
        assert!(early.unwrap_err().contains("not loaded yet"));
        assert!(s.set_weights(b"not safetensors").is_err());
        assert!(s.needs_weights().is_some());
        let weights = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/crates/core/weights/walnet.safetensors"
        );
        s.set_weights(&std::fs::read(weights).unwrap()).unwrap();
        assert!(s.needs_weights().is_none());
        let (a, _) = s
            .audio("kick.ogg", &d.channels, d.sample_rate, 5, Scope::Bundled)
            .unwrap();
        // The same answer as `earshot search --model crates/cli/eval/walnet/model.json` with
        // that model's index: fluid-da5d5aa98180-0 first at 0.9099, labels led by Bass_drum.
        let first = &s.engine.index.items[a.results[0].item];
        assert_eq!(first.id, "fluid-da5d5aa98180-0", "{:?}", a.results);
        assert!(
            (a.results[0].score - 0.9099).abs() < 1e-4,
            "{}",
            a.results[0].score
        );
        assert_eq!(a.labels[0].name, "Bass_drum");
        // A library sound embeds through the CNN too: the same audio, the same point, so the
        // same nearest clip at the same score.
        let (meta, e) = s.embed("kick.ogg", &d.channels, d.sample_rate).unwrap();
        assert_eq!(meta.label, "Bass_drum");
        let near = s.engine.search_embedding(&e, 1).unwrap();
        assert_eq!(near.results[0].item, a.results[0].item);
        assert!((near.results[0].score - a.results[0].score).abs() < 1e-6);
        // Its ten nearest clips are all bass drums.
        let ten = s.engine.search_embedding(&e, 10).unwrap();
        assert!(
            ten.results
                .iter()
                .all(|r| s.engine.index.items[r.item].label == "Bass_drum"),
            "{:?}",
            ten.results
        );
    }

    #[test]
    fn audio_query_reports_the_clip_and_ranks_like_the_cli_engine() {
        let s = shipped();
        // One second of a 440 Hz tone at 44.1 kHz, stereo.
        let tone: Vec<f32> = (0..44_100)
            .map(|i| 0.5 * (i as f32 * 440.0 * std::f32::consts::TAU / 44_100.0).sin())
            .collect();
        let (a, clip) = s
            .audio(
                "tone.wav",
                &[tone.clone(), tone.clone()],
                44_100,
                10,
                Scope::Bundled,
            )
            .unwrap();
        let facts = a.clip.unwrap();
        assert_eq!(facts.channels, 2);
        assert_eq!(facts.native_rate, 44_100);
        assert!((facts.seconds - 1.0).abs() < 1e-9);
        // What is drawn is what the student's front end heard: mono 44.1 kHz, its 96-band
        // log-mel, one frame every 1 024 samples (no MFCC analysis beside it).
        assert_eq!(facts.analysed_at, 44_100);
        assert_eq!(facts.frames, earshot_core::cnn::n_frames(44_100));
        assert_eq!(facts.mel_bands, 96);
        // 44 100 samples heard, more than the waveform envelope's columns: it has them all.
        assert_eq!(clip.envelope.len(), crate::waveform::COLUMNS);
        // The model's input (the student CNN's clip embedding) through the engine directly gives
        // the same ranking and scores; the analysis's one pass computes the same input.
        let stereo = [tone.clone(), tone];
        let input = s.front().unwrap().input(&stereo, 44_100).unwrap();
        let (_, heard) =
            analysis::analyse(s.front().unwrap(), "tone.wav", &stereo, 44_100).unwrap();
        assert_eq!(input, heard);
        assert_eq!(
            input.len(),
            128,
            "projected to the 128 dimensions the student spans"
        );
        let direct = s.engine.search_clip_vector(&input, 10).unwrap();
        let ids: Vec<usize> = direct.results.iter().map(|r| r.item).collect();
        assert_eq!(a.results.iter().map(|r| r.item).collect::<Vec<_>>(), ids);
        assert_eq!(a.labels.len(), direct.labels.len());
    }

    #[test]
    fn a_file_decodes_like_the_cli_and_searches() {
        let s = shipped();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/audio/elec_chime.wav"
        );
        let d = Service::decode_file(std::fs::read(path).unwrap(), "elec_chime.wav").unwrap();
        assert_eq!(d.sample_rate, 44_100);
        let (a, _) = s
            .audio(
                "elec_chime.wav",
                &d.channels,
                d.sample_rate,
                20,
                Scope::Bundled,
            )
            .unwrap();
        assert_eq!(a.results.len(), 20);
        assert!(Service::decode_file(b"<html>".to_vec(), "x.wav").is_err());
    }

    #[test]
    fn library_sounds_are_searched_within_their_scope() {
        let mut s = shipped();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/audio/elec_chime.wav"
        );
        let d = Service::decode_file(std::fs::read(path).unwrap(), "elec_chime.wav").unwrap();
        let (mut meta, emb) = s
            .embed("elec_chime.wav", &d.channels, d.sample_rate)
            .unwrap();
        assert!(!meta.label.is_empty(), "a label guess");
        assert_eq!(meta.model, s.library.model(), "made by the running model");
        assert!(meta.model.starts_with("crc32-"));
        assert!((meta.seconds - d.channels[0].len() as f64 / 44_100.0).abs() < 1e-9);
        meta.key = 5;
        s.library.insert(meta, &emb).unwrap();
        let q = |scope| {
            s.audio("elec_chime.wav", &d.channels, d.sample_rate, 20, scope)
                .unwrap()
                .0
        };
        // The same audio finds its library copy first (distance 0) in "library" and "all".
        let lib = q(Scope::Library);
        assert_eq!(lib.results.len(), 1);
        assert_eq!(lib.results[0].mine.as_ref().unwrap().key, 5);
        assert!((lib.results[0].score - s.engine.score(1.0, false)).abs() < 1e-6);
        let all = q(Scope::All);
        assert_eq!(all.results.len(), 20);
        assert!(all.results[0].mine.is_some());
        assert!(all.results[1..].iter().all(|r| r.mine.is_none()));
        let bundled = q(Scope::Bundled);
        assert!(bundled.results.iter().all(|r| r.mine.is_none()));
        assert_eq!(bundled.results[0].item, all.results[1].item);
        // Find similar for the library sound, and the state the page lists.
        let m = s.mine(5, 3, Scope::All).unwrap();
        assert_eq!(m.results[0].mine.as_ref().unwrap().key, 5);
        assert!(s.mine(99, 3, Scope::All).is_err());
        assert_eq!(s.library_state(1).count, 1);
        // Tags make it findable by text through the model's text branch.
        let before = s.text("thunderstorm", 20, Scope::Library).unwrap().results[0].score;
        let mut tagged = s.library.metas()[0].clone();
        tagged.tags = vec!["thunderstorm".to_string()];
        let point = s.tag_point(&tagged);
        assert!(point.is_some());
        tagged.tags = vec!["qqzzxx".to_string()];
        assert!(s.tag_point(&tagged).is_none());
        s.library
            .update(5, "storm.wav".into(), vec!["thunderstorm".into()], point)
            .unwrap();
        let after = s.text("thunderstorm", 20, Scope::Library).unwrap().results[0].score;
        // Its tags' point is the query's (distance 0).
        assert!(
            (after - s.engine.score(1.0, true)).abs() < 1e-5 && after > before,
            "{before} → {after}"
        );
        // A word written with a minus leaves out the library sounds that have it, by name or tag.
        let storm = |q: &str| {
            s.text(q, 20, Scope::All)
                .unwrap()
                .results
                .iter()
                .any(|r| r.mine.is_some())
        };
        assert!(storm("thunderstorm"));
        assert!(
            !storm("thunderstorm -thunderstorms"),
            "by tag (any inflection)"
        );
        assert!(!storm("thunderstorm -storm"), "by name");
        assert!(storm("thunderstorm -dog"));
        let a = s.text("thunderstorm -storm", 20, Scope::All).unwrap();
        assert_eq!(a.excluded, ["storm"]);
        assert_eq!(a.results.len(), 20);
    }

    #[test]
    fn misspelt_words_are_searched_as_their_nearest_words_and_say_so() {
        let s = shipped();
        let typo = s.text("vioiln", 20, Scope::Bundled).unwrap();
        let right = s.text("violin", 20, Scope::Bundled).unwrap();
        assert_eq!(typo.searched_as.as_deref(), Some("violin"));
        assert_eq!(right.searched_as, None);
        assert_eq!(typo.results, right.results);
        assert!(typo.unknown_words.is_empty());
    }

    #[test]
    fn sounds_of_an_earlier_model_are_found_by_name_until_embedded_again() {
        let mut s = shipped();
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/audio/elec_chime.wav"
        );
        let d = Service::decode_file(std::fs::read(path).unwrap(), "elec_chime.wav").unwrap();
        let (fresh, emb) = s
            .embed("elec_chime.wav", &d.channels, d.sample_rate)
            .unwrap();
        // Stored by an earlier model (a 4-d space), with only its fingerprint kept.
        let mut old = fresh.clone();
        old.key = 8;
        old.name = "thunderstorm_far.wav".into();
        old.model = "crc32-00000000-1".into();
        let point = s.tag_point(&old);
        assert!(point.is_some(), "the words of its name");
        s.library.insert(old.clone(), &[0.5; 4]).unwrap();
        s.library.set_tag_point(8, point);
        assert_eq!(s.library.stale_counts(), (0, 1));
        // Not found by its audio: the same sound gives no library result.
        let library_answer = |s: &Service| {
            s.audio(
                "elec_chime.wav",
                &d.channels,
                d.sample_rate,
                20,
                Scope::Library,
            )
            .unwrap()
            .0
        };
        let by_audio = library_answer(&s);
        let exact = s.engine.score(1.0, false);
        assert!(by_audio.results.iter().all(|r| r.score < exact - 1e-3));
        // Found by its name; "find similar" says what to do.
        let by_name = s.text("thunderstorm", 5, Scope::Library).unwrap();
        assert_eq!(by_name.results[0].mine.as_ref().unwrap().key, 8);
        let e = s.mine(8, 5, Scope::All).unwrap_err();
        assert!(e.contains("add its file to your library again"), "{e}");
        // Embedded again with the running model: its audio finds it first, at distance 0.
        let mut redone = old;
        redone.model = s.library.model().to_owned();
        s.library.replace(8, redone, &emb).unwrap();
        let again = library_answer(&s);
        assert_eq!(again.results[0].mine.as_ref().unwrap().key, 8);
        assert!((again.results[0].score - s.engine.score(1.0, false)).abs() < 1e-6);
        assert!(s.mine(8, 5, Scope::All).is_ok());
    }

    #[test]
    fn bad_queries_and_assets_are_sentences() {
        let s = shipped();
        let e = s.text("qwxzv zzxq", 20, Scope::All).unwrap_err();
        assert!(e.starts_with("Cannot search for that text:"), "{e}");
        assert!(e.ends_with('.'));
        let e = s
            .audio("silence.wav", &[vec![]], 44_100, 20, Scope::All)
            .unwrap_err();
        assert!(e.contains("“silence.wav”"), "{e}");
        let e = Service::load("{}", &[], &[]).err().unwrap();
        assert!(
            e.starts_with("The model (model.json) could not be loaded"),
            "{e}"
        );
    }
}
