//! The user's own sound library, as plain Rust: item metadata, the in-memory vectors the worker
//! searches, and the export/import format. The worker keeps it in IndexedDB (one record per
//! sound: `{meta: JSON, embedding: Float32Array}`); this module knows nothing of storage.

use earshot_core::{top_k_rescored, Quantised};

/// The message when a sound asked for is not (or no longer) in the library.
pub const GONE: &str = "That sound is no longer in your library.";

pub use earshot_core::{
    check_embedding, model_id, parse_library as parse_export, SoundMeta as Meta, EXPORT_FORMAT,
    EXPORT_VERSION, MAX_TEXT,
};

/// The words of a file name ("dog_bark-02.wav" → "dog bark"), for sounds searched by name.
pub fn name_words(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    stem.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() > 1)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a library sound stands with the running model (`model`, its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Embedded by the running model.
    Current,
    /// Embedded by another model; its kept audio is being embedded again.
    Updating,
    /// Embedded by another model and kept without audio: found by name and tags only until its
    /// file is added again.
    NeedsFile,
}

impl Standing {
    pub fn of(meta: &Meta, model: &str) -> Self {
        match (meta.model == model, meta.audio) {
            (true, _) => Standing::Current,
            (false, true) => Standing::Updating,
            (false, false) => Standing::NeedsFile,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Current => "current",
            Standing::Updating => "updating",
            Standing::NeedsFile => "needs-file",
        }
    }
}

/// What the library panel says about sounds of an earlier model (empty when there are none).
pub fn model_note(updating: usize, needs_file: usize) -> String {
    let sounds = |n: usize| {
        if n == 1 {
            "1 sound".to_owned()
        } else {
            format!("{n} sounds")
        }
    };
    let mut parts = Vec::new();
    if updating > 0 {
        parts.push(format!(
            "{} added with an earlier model {} being analysed again for this one.",
            sounds(updating),
            if updating == 1 { "is" } else { "are" }
        ));
    }
    if needs_file > 0 {
        parts.push(format!(
            "{} added with an earlier model {} kept without audio: found by name and tags only until you add {} file{} again.",
            sounds(needs_file),
            if needs_file == 1 { "was" } else { "were" },
            if needs_file == 1 { "its" } else { "their" },
            if needs_file == 1 { "" } else { "s" },
        ));
    }
    parts.join(" ")
}

/// The library in memory: metadata plus contiguous vectors (f32, as stored and exported) and
/// their int8 copy for the first pass of a search.
///
/// A sound embedded by another model than the running one ([`Meta::model`]) is *stale*: its old
/// embedding is kept as it was (for storage and export) but never searched, since it lives in
/// another space; the searched vector is a placeholder of zeros until [`Library::replace`] gives
/// it an embedding of this model. Until then it is found by its name and tags only.
#[derive(Debug, Clone, Default)]
pub struct Library {
    dim: usize,
    /// The running model's id; sounds whose `model` differs are stale.
    model: String,
    metas: Vec<Meta>,
    vectors: Vec<f32>,
    quant: Quantised,
    /// The joint-space point of each sound's tags (through the model's text branch), if any.
    tag_points: Vec<Option<Vec<f32>>>,
    /// The embedding of each stale sound as stored (any size); None for current sounds.
    stale: Vec<Option<Vec<f32>>>,
}

impl Library {
    pub fn new(dim: usize) -> Self {
        Self::centred(vec![0.0; dim])
    }

    /// A library whose int8 copy is quantised relative to `center` (the bundled index's mean:
    /// library sounds share the joint space's common part, so only what differs is quantised).
    pub fn centred(center: Vec<f32>) -> Self {
        Self {
            dim: center.len(),
            quant: Quantised::centred(center),
            ..Self::default()
        }
    }

    /// The library of the model with this id ([`model_id`]).
    pub fn for_model(mut self, model: &str) -> Self {
        self.model = model.to_owned();
        self
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// Whether the sound at `pos` was embedded by another model.
    pub fn is_stale(&self, pos: usize) -> bool {
        self.stale.get(pos).is_some_and(Option::is_some)
    }

    /// Stale sounds: (kept with their audio, kept without).
    pub fn stale_counts(&self) -> (usize, usize) {
        let with_audio = (0..self.len())
            .filter(|&i| self.is_stale(i) && self.metas[i].audio)
            .count();
        let stale = self.stale.iter().filter(|s| s.is_some()).count();
        (with_audio, stale - with_audio)
    }

    /// Dimensions of the joint space the library's vectors live in.
    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.metas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.metas.is_empty()
    }

    pub fn metas(&self) -> &[Meta] {
        &self.metas
    }

    /// Where sound `key` is (its position in [`Library::metas`]).
    pub fn position(&self, key: u64) -> Option<usize> {
        self.metas.iter().position(|m| m.key == key)
    }

    /// Every embedding, row-major (position order).
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    pub fn vector(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    /// Adds a stored item (its `key` set). Rejects wrong sizes and non-finite values; an item of
    /// another model is kept as stale (its embedding may have any size).
    pub fn insert(&mut self, meta: Meta, embedding: &[f32]) -> Result<(), String> {
        if meta.model != self.model {
            check_embedding(embedding, embedding.len())?;
            let zeros = vec![0.0; self.dim];
            self.push(meta, &zeros, Some(embedding.to_vec()));
            return Ok(());
        }
        check_embedding(embedding, self.dim)?;
        self.push(meta, embedding, None);
        Ok(())
    }

    fn push(&mut self, meta: Meta, searched: &[f32], stale: Option<Vec<f32>>) {
        self.metas.push(meta);
        self.vectors.extend_from_slice(searched);
        self.quant.push(searched);
        self.tag_points.push(None);
        self.stale.push(stale);
    }

    /// Sound `key` embedded again by the running model: its new metadata and embedding replace
    /// the old (its place, key and tags' point stay).
    pub fn replace(&mut self, key: u64, meta: Meta, embedding: &[f32]) -> Result<(), String> {
        let i = self.position(key).ok_or(GONE)?;
        if meta.model != self.model {
            return Err("that embedding was made by another model".into());
        }
        check_embedding(embedding, self.dim)?;
        self.vectors[i * self.dim..(i + 1) * self.dim].copy_from_slice(embedding);
        self.quant.set(i, embedding);
        self.metas[i] = meta;
        self.stale[i] = None;
        Ok(())
    }

    /// The embedding of the sound at `pos` as stored: the old model's for a stale sound.
    pub fn stored_vector(&self, pos: usize) -> &[f32] {
        match self.stale.get(pos) {
            Some(Some(v)) => v,
            _ => self.vector(pos),
        }
    }

    /// New name and tags for sound `key`, with the tags' joint-space point (None: no tags).
    pub fn update(
        &mut self,
        key: u64,
        name: String,
        tags: Vec<String>,
        tag_point: Option<Vec<f32>>,
    ) -> Result<Meta, String> {
        let i = self.position(key).ok_or(GONE)?;
        if let Some(p) = &tag_point {
            check_embedding(p, self.dim)?;
        }
        let mut m = self.metas[i].clone();
        m.name = name;
        m.tags = tags;
        let m = m.cleaned();
        if m.name.is_empty() {
            return Err("A sound needs a name.".into());
        }
        self.metas[i] = m.clone();
        self.tag_points[i] = tag_point;
        Ok(m)
    }

    /// Sets the tags' joint-space point of sound `key` (after loading).
    pub fn set_tag_point(&mut self, key: u64, point: Option<Vec<f32>>) {
        if let Some(i) = self.position(key) {
            if point.as_ref().is_none_or(|p| p.len() == self.dim) {
                self.tag_points[i] = point;
            }
        }
    }

    pub fn remove(&mut self, key: u64) -> bool {
        let Some(i) = self.position(key) else {
            return false;
        };
        self.metas.remove(i);
        self.vectors.drain(i * self.dim..(i + 1) * self.dim);
        self.quant.remove(i);
        self.tag_points.remove(i);
        self.stale.remove(i);
        true
    }

    pub fn clear(&mut self) {
        self.metas.clear();
        self.vectors.clear();
        self.quant.clear();
        self.tag_points.clear();
        self.stale.clear();
    }

    /// Top-k by `exp(−L2)`: (position, score), best first. A sound with tags scores the better of
    /// its audio and its tags. Large libraries are scanned in int8 and the best thousand
    /// rescored exactly in f32 ([`top_k_rescored`]), so scores are exact and the ranking is the
    /// exact one unless a true top-k sound falls outside those candidates.
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        if query.len() != self.dim || self.is_empty() {
            return Vec::new();
        }
        // Stale sounds' placeholders are never results by their audio.
        let n_stale = self.stale.iter().filter(|s| s.is_some()).count();
        let mut hits: Vec<(usize, f32)> =
            top_k_rescored(&self.vectors, &self.quant, query, k + n_stale)
                .into_iter()
                .filter(|h| !self.is_stale(h.item))
                .map(|h| (h.item, h.score))
                .collect();
        for (i, p) in self.tag_points.iter().enumerate() {
            if let Some(p) = p {
                let s = earshot_core::similarity(query, p);
                match hits.iter_mut().find(|h| h.0 == i) {
                    Some(h) => h.1 = h.1.max(s),
                    None => hits.push((i, s)),
                }
            }
        }
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.truncate(k);
        hits
    }

    /// The whole library as JSON: metadata and embeddings (base64 of little-endian f32).
    pub fn export_json(&self) -> String {
        earshot_core::library_json(
            self.dim,
            self.metas
                .iter()
                .enumerate()
                .map(|(i, m)| (m, self.stored_vector(i))),
        )
    }
}

/// What the library keeps of each added sound besides its embedding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// The sound file itself.
    #[default]
    File,
    /// A compressed preview: the first seconds as Ogg Opus (see `preview`).
    Preview,
    /// Nothing but the embedding (the "fingerprint").
    Fingerprint,
}

impl Keep {
    pub fn parse(s: &str) -> Self {
        match s {
            "preview" => Keep::Preview,
            "fingerprint" => Keep::Fingerprint,
            _ => Keep::File,
        }
    }
}

/// Why the library cannot be opened, from the browser's IndexedDB error text.
pub fn unavailable(detail: &str) -> String {
    let lower = detail.to_ascii_lowercase();
    if lower.contains("versionerror") || lower.contains("less than the existing version") {
        "Your library was saved by a newer version of earshot; reload the page to get it. Searching the bundled sounds still works.".into()
    } else if lower.contains("denied")
        || lower.contains("securityerror")
        || lower.contains("not allowed")
    {
        "Your library is not available in this browser window: its storage is blocked (a private window, or site data blocked in the browser's settings). Searching the bundled sounds still works.".into()
    } else {
        format!("Your library is not available in this browser window ({detail}). Searching the bundled sounds still works.")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn meta(name: &str) -> Meta {
        Meta {
            key: 0,
            name: name.into(),
            seconds: 2.0,
            label: "Bark".into(),
            tags: vec![],
            added: 1.0,
            audio: false,
            model: String::new(),
        }
    }

    fn keyed(k: u64, model: &str) -> Meta {
        let mut m = meta(&format!("s{k}"));
        m.key = k;
        m.model = model.into();
        m
    }

    #[test]
    fn sounds_of_another_model_are_kept_but_not_searched_until_embedded_again() {
        let mut lib = Library::new(2).for_model("new");
        lib.insert(keyed(1, "new"), &[0.0, 0.0]).unwrap();
        // Made by the old model, in its own 3-d space: kept as it was.
        let mut old = keyed(2, "old");
        old.audio = true;
        lib.insert(old, &[1.0, 1.0, 1.0]).unwrap();
        lib.insert(keyed(3, ""), &[0.9, 0.0]).unwrap();
        assert_eq!(lib.len(), 3);
        assert_eq!(lib.stale_counts(), (1, 1));
        assert!(lib.is_stale(1) && lib.is_stale(2) && !lib.is_stale(0));
        // A query right on the zero placeholders finds only the current sound.
        assert_eq!(lib.top_k(&[0.0, 0.0], 5), vec![(0, 1.0)]);
        // Found by the point of its name and tags.
        lib.set_tag_point(3, Some(vec![5.0, 5.0]));
        assert_eq!(lib.top_k(&[5.0, 5.0], 1), vec![(2, 1.0)]);
        assert_eq!(lib.stored_vector(1), &[1.0, 1.0, 1.0]);
        // The export keeps the old embedding and says which model made it.
        let back = parse_export(&lib.export_json(), "new", 2).unwrap();
        assert_eq!(back[1].0.model, "old");
        assert_eq!(back[1].1, vec![1.0, 1.0, 1.0]);
        // Embedded again by the running model: searched from then on.
        assert!(lib.replace(2, keyed(2, "old"), &[3.0, 0.0]).is_err());
        assert!(lib.replace(2, keyed(2, "new"), &[3.0]).is_err());
        lib.replace(2, keyed(2, "new"), &[3.0, 0.0]).unwrap();
        assert_eq!(lib.top_k(&[3.0, 0.0], 1), vec![(1, 1.0)]);
        assert_eq!(lib.stale_counts(), (0, 1));
        assert!(lib.replace(9, keyed(9, "new"), &[3.0, 0.0]).is_err());
        lib.remove(3);
        assert_eq!(lib.stale_counts(), (0, 0));
        assert_eq!(lib.top_k(&[3.0, 0.0], 1), vec![(1, 1.0)]);
    }

    #[test]
    fn standing_and_note_say_what_an_earlier_model_left() {
        let mut m = keyed(1, "new");
        assert_eq!(Standing::of(&m, "new"), Standing::Current);
        m.model = "old".into();
        assert_eq!(Standing::of(&m, "new"), Standing::NeedsFile);
        m.audio = true;
        assert_eq!(Standing::of(&m, "new"), Standing::Updating);
        assert_eq!(model_note(0, 0), "");
        assert_eq!(
            model_note(1, 0),
            "1 sound added with an earlier model is being analysed again for this one."
        );
        assert_eq!(
            model_note(0, 2),
            "2 sounds added with an earlier model were kept without audio: found by name and tags only until you add their files again."
        );
        assert!(model_note(3, 1).starts_with("3 sounds added with an earlier model are"));
    }

    #[test]
    fn model_ids_differ_with_the_model_and_names_give_words() {
        assert_eq!(model_id(b"{\"a\":1}"), model_id(b"{\"a\":1}"));
        assert_ne!(model_id(b"{\"a\":1}"), model_id(b"{\"a\":2}"));
        assert_eq!(name_words("dog_bark-02.wav"), "dog bark");
        assert_eq!(name_words("Rain on a roof.flac"), "Rain on roof");
        assert_eq!(name_words("x.wav"), "");
    }

    #[test]
    fn search_ranks_by_distance_and_removal_keeps_vectors_aligned() {
        let mut lib = Library::new(2);
        assert_eq!(lib.model(), "");
        for (k, v) in [(1u64, [0.0, 0.0]), (2, [1.0, 0.0]), (3, [5.0, 5.0])] {
            let mut m = meta(&format!("s{k}"));
            m.key = k;
            lib.insert(m, &v).unwrap();
        }
        let hits = lib.top_k(&[0.9, 0.0], 2);
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), vec![1, 0]);
        assert!((hits[0].1 - (-0.1f32).exp()).abs() < 1e-6);
        assert!(lib.remove(1));
        assert!(!lib.remove(1));
        assert_eq!(lib.len(), 2);
        let hits = lib.top_k(&[4.0, 4.0], 1);
        assert_eq!(lib.metas()[hits[0].0].key, 3);
        assert_eq!(lib.vector(1), &[5.0, 5.0]);
        assert!(
            lib.top_k(&[1.0], 1).is_empty(),
            "wrong query size gives nothing"
        );
    }

    #[test]
    fn large_libraries_search_like_the_exact_scan_after_removals() {
        use earshot_core::{top_k, Metric};
        let dim = 64;
        let mut lib = Library::new(dim);
        let mut x = 1u64;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        for k in 1..=1500u64 {
            let v: Vec<f32> = (0..dim).map(|_| next()).collect();
            let mut m = meta(&format!("s{k}"));
            m.key = k;
            lib.insert(m, &v).unwrap();
        }
        for k in [1u64, 300, 301, 1500] {
            assert!(lib.remove(k));
        }
        for _ in 0..20 {
            let q: Vec<f32> = (0..dim).map(|_| next()).collect();
            let exact: Vec<(usize, f32)> = top_k(lib.vectors(), dim, &q, 20, Metric::ExpL2)
                .into_iter()
                .map(|h| (h.item, h.score))
                .collect();
            assert_eq!(lib.top_k(&q, 20), exact);
        }
        lib.clear();
        assert!(lib.top_k(&[0.0; 64], 5).is_empty());
    }

    #[test]
    fn tags_make_a_sound_findable_by_their_point() {
        let mut lib = Library::new(2);
        for (k, v) in [(1u64, [0.0, 0.0]), (2, [3.0, 0.0])] {
            let mut m = meta(&format!("s{k}"));
            m.key = k;
            lib.insert(m, &v).unwrap();
        }
        // A query near (10, 10): far from both sounds until sound 1's tags are placed there.
        assert_eq!(lib.top_k(&[10.0, 10.0], 1)[0].0, 1);
        let m = lib
            .update(
                1,
                " rain.wav ".into(),
                vec!["storm".into()],
                Some(vec![10.0, 10.0]),
            )
            .unwrap();
        assert_eq!(m.name, "rain.wav");
        assert_eq!(m.tags, vec!["storm".to_string()]);
        let hits = lib.top_k(&[10.0, 10.0], 2);
        assert_eq!(hits[0], (0, 1.0));
        assert_eq!(hits.len(), 2);
        assert!(
            lib.update(1, "  ".into(), vec![], None).is_err(),
            "a name is required"
        );
        assert!(lib.update(9, "x".into(), vec![], None).is_err());
        lib.remove(1);
        assert_eq!(lib.top_k(&[10.0, 10.0], 2).len(), 1);
    }

    #[test]
    fn rejects_bad_embeddings() {
        let mut lib = Library::new(2);
        assert!(lib.insert(meta("a"), &[1.0]).is_err());
        assert!(lib.insert(meta("a"), &[1.0, f32::NAN]).is_err());
        assert!(lib.is_empty());
    }

    #[test]
    fn export_then_import_round_trips_exactly() {
        let mut lib = Library::new(3);
        let mut m = meta("dog <b>bark</b>.wav");
        m.key = 7;
        m.tags = vec!["garden".into()];
        lib.insert(m, &[0.1, -2.5, 1e-7]).unwrap();
        let json = lib.export_json();
        let items = parse_export(&json, "", 3).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].0.name, "dog <b>bark</b>.wav");
        assert_eq!(items[0].0.tags, vec!["garden".to_string()]);
        assert_eq!(items[0].0.key, 0, "keys are assigned anew on import");
        assert_eq!(items[0].1, vec![0.1, -2.5, 1e-7]);
    }

    #[test]
    fn bad_exports_are_sentences() {
        assert!(parse_export("{", "", 3)
            .unwrap_err()
            .starts_with("This is not an earshot library export"));
        let other = r#"{"format":"x","version":1,"dim":3,"items":[]}"#;
        assert!(parse_export(other, "", 3).is_err());
        let newer = r#"{"format":"earshot-library","version":9,"dim":3,"items":[]}"#;
        assert!(parse_export(newer, "", 3)
            .unwrap_err()
            .contains("newer earshot"));
        // An item of this model must have its size; one of another model may have any.
        let one = earshot_core::pack_f32(&[1.0]);
        let this = format!(
            r#"{{"format":"earshot-library","version":1,"dim":3,"items":[{{"name":"a","seconds":1,"label":"x","model":"m","embedding":"{one}"}}]}}"#
        );
        assert!(parse_export(&this, "m", 3).unwrap_err().contains("item 1"));
        let other_model = parse_export(&this, "n", 3).unwrap();
        assert_eq!(other_model[0].1, vec![1.0]);
        let bad_item = r#"{"format":"earshot-library","version":1,"dim":3,"items":[{"name":"a","seconds":1,"label":"x","embedding":"AAAA"}]}"#;
        assert!(parse_export(bad_item, "", 3)
            .unwrap_err()
            .contains("item 1"));
    }

    #[test]
    fn names_and_tags_are_bounded_and_trimmed() {
        let mut m = meta(&format!("  {}\u{0007}  ", "x".repeat(500)));
        m.tags = vec!["  ".into(), " rain ".into()];
        let m = m.cleaned();
        assert_eq!(m.name.chars().count(), MAX_TEXT);
        assert_eq!(m.tags, vec!["rain".to_string()]);
    }

    #[test]
    fn unavailable_library_reasons_are_sentences() {
        let blocked = unavailable(
            "DOM exception: UnknownError: The user denied permission to access the database.",
        );
        assert!(blocked.contains("storage is blocked"), "{blocked}");
        let newer = unavailable("DOM exception: VersionError: The requested version (1) is less than the existing version (2).");
        assert!(newer.contains("newer version of earshot"), "{newer}");
        let other = unavailable("InvalidStateError");
        assert!(other.contains("(InvalidStateError)"), "{other}");
        for m in [blocked, newer, other] {
            assert!(
                m.ends_with("Searching the bundled sounds still works."),
                "{m}"
            );
        }
    }
}
