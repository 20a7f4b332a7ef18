//! `earshot search --text QUERY | --audio FILE [--top K] [--json]` (docs/interfaces.md §2).

use std::path::Path;

use earshot_core::{is_library_file, model_id, parse_library, similarity, validate};
use earshot_core::{Answer, Engine};
use earshot_core::{Index, Item};
use serde_json::json;

use crate::files::{load_model, load_vocab};
use crate::{decode, emit, Failure};

pub struct Assets<'a> {
    pub model: &'a Path,
    pub vocab: &'a Path,
    pub index: &'a Path,
}

fn read_index(path: &Path) -> Result<Index, Failure> {
    let bytes = crate::files::read_bytes(path).map_err(Failure::from)?;
    index_from_bytes(path, &bytes)
}

fn index_from_bytes(path: &Path, bytes: &[u8]) -> Result<Index, Failure> {
    Index::from_bytes(bytes).map_err(|e| Failure::new(path.display().to_string(), e))
}

/// The labelled index shipped beside the model (`index.bin`): where a user's sounds get their
/// labels and words.
pub fn shipped_index(model: &Path) -> Result<Index, Failure> {
    read_index(&model.parent().unwrap_or(Path::new(".")).join("index.bin"))
}

/// A library file (the app's export, or `earshot index --audio DIR --out FILE.json`) as an
/// unlabelled index of its sounds, by name. Sounds another model made are refused.
fn library_index(a: &Assets, bytes: &[u8], dim: usize) -> Result<Index, Failure> {
    let subject = a.index.display().to_string();
    let json = std::str::from_utf8(bytes).map_err(|_| Failure::new(&subject, "not UTF-8 text"))?;
    let model = model_id(&crate::files::read_bytes(a.model).map_err(Failure::from)?);
    let sounds = parse_library(json, &model, dim).map_err(|e| {
        // Any other JSON (a model, a vocabulary…) is not an index of either kind.
        let format = serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v.get("format").and_then(|f| f.as_str()).map(str::to_owned));
        if format.as_deref() == Some(earshot_core::EXPORT_FORMAT) {
            Failure::new(&subject, e)
        } else {
            Failure::new(
                &subject,
                "not an earshot index file (JSON, but not an earshot library file either)",
            )
        }
    })?;
    if sounds.iter().any(|(m, _)| m.model != model) {
        return Err(Failure::new(
            subject,
            "holds sounds another model made (their vectors do not fit this one); index the folder again",
        ));
    }
    let mut vectors = Vec::with_capacity(sounds.len() * dim);
    let items = sounds
        .into_iter()
        .map(|(m, v)| {
            vectors.extend(v);
            Item::unlabelled(m.name)
        })
        .collect();
    Index::new(items, dim, vectors).map_err(|e| Failure::new(subject, e))
}

/// The engine, and the index to rank instead of the engine's when `--index` holds no class
/// labels (`earshot index --audio`): then labels and words come from the shipped index next to
/// the model (`index.bin`), as the app's do for a library sound.
pub fn load_engine(a: &Assets) -> Result<(Engine, Option<Index>), Failure> {
    let model = load_model(a.model).map_err(Failure::from)?;
    let vocab = load_vocab(a.vocab).map_err(Failure::from)?;
    let bytes = crate::files::read_bytes(a.index).map_err(Failure::from)?;
    let index = if is_library_file(&bytes) {
        library_index(a, &bytes, model.output_dim())?
    } else {
        index_from_bytes(a.index, &bytes)?
    };
    let (labelled, own) = if index.items.iter().all(|i| i.label.is_empty()) {
        (shipped_index(a.model)?, Some(index))
    } else {
        (index, None)
    };
    if own.as_ref().is_some_and(|o| o.dim != model.output_dim()) {
        return Err(Failure::new(
            a.index.display().to_string(),
            "was made by another model (its vectors do not fit this one); index the folder again",
        ));
    }
    let engine = Engine::new(model, vocab, labelled).map_err(|e| Failure::new("assets", e))?;
    Ok((engine, own))
}

/// One result as shown.
struct Hit<'a> {
    item: &'a Item,
    score: f32,
}

/// The first `top` results: the engine's, or `own`'s items ranked by their score against the
/// query as the app scores a library sound (the words of its path count as its tags, and a
/// `-word` of the query leaves it out).
fn hits<'a>(engine: &'a Engine, own: Option<&'a Index>, a: &Answer, top: usize) -> Vec<Hit<'a>> {
    let Some(own) = own else {
        return a
            .results
            .iter()
            .map(|r| Hit {
                item: &engine.index.items[r.item],
                score: r.score,
            })
            .collect();
    };
    let mut out: Vec<Hit> = own
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let words = engine.vocab.tokenize(&item.id);
            (!engine.left_out(a, &words)).then(|| Hit {
                item,
                score: engine.score_other(a, similarity(&a.embedding, own.vector(i)), &words),
            })
        })
        .collect();
    // Stable: equal scores keep the index's (path) order.
    out.sort_by(|x, y| y.score.total_cmp(&x.score));
    out.truncate(top);
    out
}

pub fn run(
    assets: &Assets,
    text: Option<&str>,
    audio: Option<&Path>,
    top: usize,
    json: bool,
) -> Result<(), Failure> {
    let (kind, value, answer) = match (text, audio) {
        (Some(q), None) => {
            let (engine, own) = load_engine(assets)?;
            let a = engine
                .search_text(q, top)
                .map_err(|e| Failure::new("--text", e))?;
            ("text", q.to_string(), (engine, own, a))
        }
        (None, Some(file)) => {
            let name = file.display().to_string();
            let d = decode::decode(file).map_err(|r| Failure::new(&name, r))?;
            // Refuse sounds the core cannot take before loading anything.
            validate(&d.channels, d.sample_rate).map_err(|e| Failure::new(&name, e))?;
            let (engine, own) = load_engine(assets)?;
            let input = crate::corpus::load_input(&engine.model, assets.model)?;
            let clip = input
                .input(&d.channels, d.sample_rate)
                .map_err(|e| Failure::new(&name, e))?;
            let a = engine
                .search_clip_vector(&clip, top)
                .map_err(|e| Failure::new(&name, e))?;
            ("audio", name, (engine, own, a))
        }
        _ => {
            return Err(Failure::new(
                "search",
                "give exactly one of --text QUERY or --audio FILE",
            ))
        }
    };
    let (engine, own, a) = answer;
    let shown = hits(&engine, own.as_ref(), &a, top);
    if json {
        let doc = to_json(&engine, kind, &value, &a, &shown);
        return emit(|w| writeln!(w, "{doc}"));
    }
    emit(|w| {
        writeln!(w, "{kind} query: {value}")?;
        if let Some(searched) = &a.searched_as {
            writeln!(w, "showing results for {searched}")?;
        }
        if !a.unknown_words.is_empty() {
            writeln!(w, "(not in the vocabulary: {})", a.unknown_words.join(", "))?;
        }
        if !a.excluded.is_empty() {
            writeln!(w, "leaving out: {}", a.excluded.join(", "))?;
        }
        if engine.nothing_close(&a, a.results.first().map(|r| r.score)) {
            writeln!(w, "no sound here is close to this; the nearest are:")?;
        }
        writeln!(
            w,
            "\n{:>4}  {:<7} {:<24} {:<22} id",
            "rank", "score", "label", "source"
        )?;
        for (r, hit) in shown.iter().enumerate() {
            let it = hit.item;
            writeln!(
                w,
                "{:>4}  {:<7.4} {:<24} {:<22} {}",
                r + 1,
                hit.score,
                it.label,
                it.source,
                it.id
            )?;
        }
        let labels: Vec<String> = a
            .labels
            .iter()
            .take(5)
            .map(|l| format!("{} ({:.3})", l.name, l.score))
            .collect();
        writeln!(w, "\nlabels: {}", labels.join(", "))?;
        let words: Vec<String> = a.words.iter().map(|l| l.name.clone()).collect();
        writeln!(w, "words:  {}", words.join(", "))
    })
}

/// The docs/interfaces.md §2 document. Additions: `query.searched_as`, the words searched when a misspelt
/// word was corrected; `corrected`, each corrected word and the word it was searched as;
/// `query.excluded`, the words left out ("-snare"), when there are any; `nothing_close`, true
/// when no sound is close to a text query (its best score is under the model's fitted floor).
fn to_json(
    engine: &Engine,
    kind: &str,
    value: &str,
    a: &Answer,
    shown: &[Hit],
) -> serde_json::Value {
    let mut query = json!({"kind": kind, "value": value});
    if let Some(searched) = &a.searched_as {
        query["searched_as"] = json!(searched);
    }
    if !a.excluded.is_empty() {
        query["excluded"] = json!(a.excluded);
    }
    let corrected: serde_json::Map<String, serde_json::Value> = a
        .corrected
        .iter()
        .map(|(typed, word)| (typed.clone(), json!(word)))
        .collect();
    json!({
        "query": query,
        "corrected": corrected,
        "nothing_close": engine.nothing_close(a, a.results.first().map(|r| r.score)),
        "results": shown.iter().map(|h| {
            let it = h.item;
            json!({"id": it.id, "label": it.label, "score": h.score, "source": it.source})
        }).collect::<Vec<_>>(),
        "labels": a.labels.iter().map(|l| json!({"label": l.name, "score": l.score})).collect::<Vec<_>>(),
        "words": a.words.iter().map(|l| json!({"word": l.name, "score": l.score})).collect::<Vec<_>>(),
    })
}
