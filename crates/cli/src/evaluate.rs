//! The paper's evaluation: Table 2 (direct features vs joint embeddings, MAP@3 with kNN k = 25)
//! on the held-out split. Queries come from the test split; audio references from the train
//! split; text references and text queries are the class labels.

use earshot_core::Model;
use earshot_core::Vocabulary;
use earshot_core::{ceiling_map_at, chance, map_at};
use earshot_core::{Index, Metric, KNN_K};
use serde::Serialize;

use crate::files::{load_model, load_vocab};
use crate::fit::{class_texts, split, train_model};

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Pair {
    pub direct: f64,
    pub joint: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Table2 {
    pub audio_audio: Pair,
    pub text_audio: Pair,
    pub audio_text: Pair,
    pub text_text: Pair,
    /// The most joint text→audio can score on these test clips with k = 25 voting: every clip of
    /// the queried class ranked first, the others in the model's order
    /// ([`earshot_core::ceiling_map_at`]).
    pub text_audio_ceiling: f64,
    /// Counts behind the numbers.
    pub n_classes: usize,
    pub n_test_clips: usize,
    pub n_train_clips: usize,
}

fn standardise(v: &[f32], model: &Model) -> Vec<f32> {
    let dim = model.audio_dim();
    v.chunks_exact(dim)
        .flat_map(|r| {
            r.iter()
                .zip(&model.audio_mean)
                .zip(&model.audio_std)
                .map(|((x, m), s)| (x - m) / s)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

pub fn table2(model: &Model, vocab: &Vocabulary, features: &Index) -> anyhow::Result<Table2> {
    table2_on(model, vocab, features, "test")
}

/// Table 2 with the clips of `query_split` as queries (`test`, or `validation` to choose
/// hyper-parameters without looking at the test split).
pub fn table2_on(
    model: &Model,
    vocab: &Vocabulary,
    features: &Index,
    query_split: &str,
) -> anyhow::Result<Table2> {
    anyhow::ensure!(
        features.dim == model.audio_dim(),
        "features have {} dims, the model takes {}",
        features.dim,
        model.audio_dim()
    );
    let train = split(features, "train");
    let test = split(features, query_split);
    anyhow::ensure!(
        !train.labels.is_empty() && !test.labels.is_empty(),
        "features need train and {query_split} clips"
    );
    let (classes, class_text) = class_texts(&train.labels, vocab)?;
    let test_labels: Vec<String> = test.labels.clone();
    let (adim, tdim, jdim) = (model.audio_dim(), vocab.dim(), model.output_dim());
    let k = KNN_K;
    let at = 3;
    let m = Metric::ExpL2;

    // Direct features: standardised clip vectors; GloVe label vectors.
    let tr_std = standardise(&train.vectors, model);
    let te_std = standardise(&test.vectors, model);
    let direct_aa = map_at(
        &te_std,
        &strs(&test_labels),
        &tr_std,
        &strs(&train.labels),
        adim,
        k,
        at,
        m,
    );
    let direct_tt = map_at(
        &class_text,
        &strs(&classes),
        &class_text,
        &strs(&classes),
        tdim,
        k,
        at,
        m,
    );

    // Joint embeddings.
    let tr_j = model.embed_audio(&train.vectors)?;
    let te_j = model.embed_audio(&test.vectors)?;
    let cl_j = model.embed_text(&class_text)?;
    let joint_aa = map_at(
        &te_j,
        &strs(&test_labels),
        &tr_j,
        &strs(&train.labels),
        jdim,
        k,
        at,
        m,
    );
    let joint_ta = map_at(
        &cl_j,
        &strs(&classes),
        &te_j,
        &strs(&test_labels),
        jdim,
        k,
        at,
        m,
    );
    let ceiling_ta = ceiling_map_at(
        &cl_j,
        &strs(&classes),
        &te_j,
        &strs(&test_labels),
        jdim,
        k,
        at,
        m,
    );
    let joint_at = map_at(
        &te_j,
        &strs(&test_labels),
        &cl_j,
        &strs(&classes),
        jdim,
        k,
        at,
        m,
    );
    let joint_tt = map_at(
        &cl_j,
        &strs(&classes),
        &cl_j,
        &strs(&classes),
        jdim,
        k,
        at,
        m,
    );
    // Audio and text features live in different spaces: without the joint space the cross-modal
    // directions can only guess.
    let guess = chance(classes.len());
    Ok(Table2 {
        audio_audio: Pair {
            direct: direct_aa,
            joint: joint_aa,
        },
        text_audio: Pair {
            direct: guess,
            joint: joint_ta,
        },
        audio_text: Pair {
            direct: guess,
            joint: joint_at,
        },
        text_text: Pair {
            direct: direct_tt,
            joint: joint_tt,
        },
        text_audio_ceiling: ceiling_ta,
        n_classes: classes.len(),
        n_test_clips: test.labels.len(),
        n_train_clips: train.labels.len(),
    })
}

/// One-word queries that are no class label, each with the class a user means by it
/// (`crates/cli/eval/free-text.csv`: "puppy" → Canidae_dogs_wolves, "river" → Stream).
#[derive(Debug, Clone, PartialEq)]
pub struct FreeTextQuery {
    pub word: String,
    pub class: String,
}

/// Read a `word,class` CSV with that header. Every word must be a single word that is none of
/// the labels' words, and every class one of `classes`.
pub fn read_free_text(
    path: &std::path::Path,
    vocab: &Vocabulary,
    classes: &[String],
) -> anyhow::Result<Vec<FreeTextQuery>> {
    let text = crate::files::read_text(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    anyhow::ensure!(
        reader.headers().is_ok_and(|h| h == vec!["word", "class"]),
        "{}: the first line must be the header word,class",
        path.display()
    );
    let label_words: std::collections::HashSet<String> =
        classes.iter().flat_map(|c| vocab.tokenize(c)).collect();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = || format!("{} line {line}", path.display());
        let (Some(word), Some(class), None) = (record.get(0), record.get(1), record.get(2)) else {
            anyhow::bail!("{}: expected word,class", at());
        };
        anyhow::ensure!(
            vocab.tokenize(word) == [word.to_lowercase()],
            "{}: {word:?} is not one word",
            at()
        );
        anyhow::ensure!(
            !label_words.contains(&word.to_lowercase()),
            "{}: {word:?} is a word of a label",
            at()
        );
        anyhow::ensure!(
            classes.iter().any(|c| c == class),
            "{}: {class:?} is no class of the features",
            at()
        );
        out.push(FreeTextQuery {
            word: word.into(),
            class: class.into(),
        });
    }
    anyhow::ensure!(!out.is_empty(), "{}: no queries", path.display());
    Ok(out)
}

/// How a model answers words that are no label.
#[derive(Debug, Clone, Serialize)]
pub struct FreeText {
    /// Queries whose word the vocabulary knows (the others are in `unknown`).
    pub words: usize,
    /// Words whose nearest clip of the whole corpus (every split, as the shipped index holds) is
    /// of the meant class.
    pub top1: usize,
    /// The words as text→audio queries over the held-out clips: MAP@3 with kNN k = 25, as
    /// Table 2's text→audio.
    pub map3: f64,
    pub unknown: Vec<String>,
}

/// [`FreeText`] of `model` on clip vectors of the feature type it takes.
pub fn free_text(
    model: &Model,
    vocab: &Vocabulary,
    features: &Index,
    queries: &[FreeTextQuery],
    query_split: &str,
) -> anyhow::Result<FreeText> {
    let dim = model.output_dim();
    let raw: Vec<f32> = (0..features.items.len())
        .flat_map(|i| features.vector(i).iter().copied())
        .collect();
    let all = model.embed_audio(&raw)?;
    let held_out = split(features, query_split);
    let held_out_emb = model.embed_audio(&held_out.vectors)?;
    let (mut known, mut classes, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for q in queries {
        match vocab.embed(&q.word) {
            Ok(v) => {
                known.extend(model.embed_text(&v.vector)?);
                classes.push(q.class.as_str());
            }
            Err(_) => unknown.push(q.word.clone()),
        }
    }
    let top1 = known
        .chunks_exact(dim)
        .zip(&classes)
        .filter(|(q, class)| {
            earshot_core::top_k(&all, dim, q, 1, Metric::ExpL2)
                .first()
                .is_some_and(|h| features.items[h.item].label == **class)
        })
        .count();
    let map3 = map_at(
        &known,
        &classes,
        &held_out_emb,
        &strs(&held_out.labels),
        dim,
        KNN_K,
        3,
        Metric::ExpL2,
    );
    Ok(FreeText {
        words: classes.len(),
        top1,
        map3,
        unknown,
    })
}

/// Paths and switches of `earshot eval`.
pub struct EvalArgs<'a> {
    pub model: &'a std::path::Path,
    pub vocab: &'a std::path::Path,
    pub features: &'a std::path::Path,
    pub table1: &'a std::path::Path,
    pub retrain: bool,
    pub epochs: usize,
    pub json: bool,
    /// The split whose clips are the queries of Table 2.
    pub split: &'a str,
    /// More feature types for Table 2: folders holding a `model.json` and its `features.bin`.
    pub compare: &'a [std::path::PathBuf],
    /// How the retrained models scale their clip vectors.
    pub scaling: crate::train::Scaling,
    /// One-word queries that are no label ([`read_free_text`]).
    pub free_text: &'a std::path::Path,
    /// Phrases people type ([`crate::measures::read_queries`]).
    pub phrases: &'a std::path::Path,
    /// Recorded `earshot lopo` runs (each shown when its file exists).
    pub lopo: &'a [std::path::PathBuf],
}

/// Table 2 and the free-text queries of a model on clip vectors of the feature type it takes.
fn table2_of(
    model_path: &std::path::Path,
    features_path: &std::path::Path,
    vocab: &Vocabulary,
    split: &str,
    a: &EvalArgs,
) -> anyhow::Result<Evaluated> {
    let (model, features, feature) = load_matching(model_path, features_path)?;
    let (classes, _) = class_texts(&self::split(&features, "train").labels, vocab)?;
    let queries = read_free_text(a.free_text, vocab, &classes)?;
    let table = table2_on(&model, vocab, &features, split)?;
    let free = free_text(&model, vocab, &features, &queries, split)?;
    let text = crate::measures::text_queries(&model, vocab, &features, a.free_text, a.phrases)?;
    Ok(Evaluated {
        feature,
        table,
        free,
        text,
    })
}

/// What `earshot eval` shows of one model.
struct Evaluated {
    feature: String,
    table: Table2,
    free: FreeText,
    text: crate::measures::TextQueries,
}

/// A model and clip vectors of the feature type it takes (and that type's name).
pub fn load_matching(
    model_path: &std::path::Path,
    features_path: &std::path::Path,
) -> anyhow::Result<(Model, Index, String)> {
    let features = crate::corpus::read_features(features_path)?;
    let model = load_model(model_path)?;
    let feature = crate::corpus::feature_name(&features);
    anyhow::ensure!(
        model.audio_feature == feature,
        "{}: the model takes {} clip vectors, {} holds {feature}",
        model_path.display(),
        model.audio_feature,
        features_path.display()
    );
    Ok((model, features, feature))
}

/// Fewest test clips a cross-source split needs to be reported.
const MIN_CROSS_SOURCE_TEST_CLIPS: usize = 20;

/// Train one configuration on the train split of `features` and evaluate it. With
/// `exclude_source`, the split is by source instead: train on every other source, test on the
/// clips of this one whose classes the training saw (`None` when fewer than 20 remain).
pub fn train_and_table2(
    cfg: &crate::train::TrainConfig,
    features: &Index,
    vocab: &Vocabulary,
    exclude_source: Option<&str>,
) -> anyhow::Result<Option<Table2>> {
    let mut feats = features.clone();
    if let Some(src) = exclude_source {
        for it in &mut feats.items {
            let held_out = it.source == src;
            it.split = if held_out {
                "test"
            } else if it.split == "test" {
                "unused"
            } else {
                "train"
            }
            .into();
        }
        let seen: std::collections::HashSet<String> = feats
            .items
            .iter()
            .filter(|i| i.split == "train")
            .map(|i| i.label.clone())
            .collect();
        for it in feats
            .items
            .iter_mut()
            .filter(|i| i.split == "test" && !seen.contains(&i.label))
        {
            it.split = "unused".into();
        }
        if feats.items.iter().filter(|i| i.split == "test").count() < MIN_CROSS_SOURCE_TEST_CLIPS {
            return Ok(None);
        }
    }
    let (json, _) = train_model(cfg, &feats, vocab, "f32", None, None)?;
    let model = Model::from_parts(json)?;
    Ok(Some(table2(&model, vocab, &feats)?))
}

pub fn run_eval(a: &EvalArgs) -> anyhow::Result<()> {
    use crate::train::{key_loss, text_input_key, Loss, Similarity, TrainConfig};
    use anyhow::Context;
    let vocab = load_vocab(a.vocab)?;
    let first = table2_of(a.model, a.features, &vocab, a.split, a)?;
    let t2 = first.table.clone();
    let mut evaluated = vec![first];
    for dir in a.compare {
        let e = table2_of(
            &dir.join("model.json"),
            &dir.join("features.bin"),
            &vocab,
            a.split,
            a,
        )?;
        anyhow::ensure!(
            evaluated.iter().all(|x| x.feature != e.feature),
            "{}: a second {} model",
            dir.display(),
            e.feature
        );
        evaluated.push(e);
    }
    // MFCC first (docs/interfaces.md §2).
    evaluated.sort_by_key(|e| e.feature != "mfcc");
    let tables: Vec<(&str, &Table2)> = evaluated
        .iter()
        .map(|e| (e.feature.as_str(), &e.table))
        .collect();
    let features = crate::corpus::read_features(a.features)?;
    let recorded: serde_json::Value = if a.retrain {
        let base = TrainConfig {
            epochs: a.epochs,
            scaling: a.scaling,
            ..Default::default()
        };
        let mut table1 = serde_json::Map::new();
        let mut runs = Vec::new();
        for loss in Loss::ALL {
            let mut row = serde_json::Map::new();
            for sim in Similarity::ALL {
                let cfg = TrainConfig {
                    loss,
                    similarity: sim,
                    ..base.clone()
                };
                let t = train_and_table2(&cfg, &features, &vocab, None)?
                    .ok_or_else(|| anyhow::anyhow!("no test split"))?;
                row.insert(sim.key().into(), serde_json::json!(t.audio_text.joint));
                runs.push(serde_json::json!({"loss": key_loss(loss), "similarity": sim.key(), "table2": t}));
            }
            table1.insert(key_loss(loss).into(), serde_json::Value::Object(row));
        }
        let mut text_input = serde_json::Map::new();
        for ti in [
            earshot_core::TextInput::ZeroPad,
            earshot_core::TextInput::PerModality,
        ] {
            let cfg = TrainConfig {
                text_input: ti,
                ..base.clone()
            };
            let t = train_and_table2(&cfg, &features, &vocab, None)?
                .ok_or_else(|| anyhow::anyhow!("no test split"))?;
            text_input.insert(text_input_key(ti).into(), serde_json::to_value(t)?);
        }
        let mut sources: Vec<String> = features.items.iter().map(|i| i.source.clone()).collect();
        sources.sort();
        sources.dedup();
        let mut cross = serde_json::Map::new();
        for src in &sources {
            if let Some(t) = train_and_table2(&base, &features, &vocab, Some(src))? {
                cross.insert(src.clone(), serde_json::to_value(t)?);
            }
        }
        let v = serde_json::json!({
            "table1": table1,
            "table1_metric": "audio_text joint MAP@3 on the test split",
            "runs": runs,
            "text_input": text_input,
            "cross_source": cross,
            "epochs": a.epochs,
            "scaling": a.scaling,
        });
        std::fs::write(a.table1, serde_json::to_string_pretty(&v)?)
            .with_context(|| format!("{}: cannot be written", a.table1.display()))?;
        v
    } else {
        serde_json::from_str(&crate::files::read_text(a.table1)?).with_context(|| {
            format!(
                "{}: not valid JSON (rerun `earshot eval --retrain`)",
                a.table1.display()
            )
        })?
    };
    let table2: serde_json::Map<String, serde_json::Value> = tables
        .iter()
        .map(|(f, t)| Ok((f.to_string(), serde_json::to_value(t)?)))
        .collect::<anyhow::Result<_>>()?;
    let free: serde_json::Map<String, serde_json::Value> = evaluated
        .iter()
        .map(|e| Ok((e.feature.clone(), serde_json::to_value(&e.free)?)))
        .collect::<anyhow::Result<_>>()?;
    let text_queries: serde_json::Map<String, serde_json::Value> = evaluated
        .iter()
        .map(|e| Ok((e.feature.clone(), serde_json::to_value(&e.text)?)))
        .collect::<anyhow::Result<_>>()?;
    let lopo: Vec<(&std::path::Path, serde_json::Value)> = a
        .lopo
        .iter()
        .filter(|p| p.exists())
        .map(|p| {
            let v = serde_json::from_str(&crate::files::read_text(p)?)
                .with_context(|| format!("{}: not valid JSON", p.display()))?;
            Ok((p.as_path(), v))
        })
        .collect::<anyhow::Result<_>>()?;
    let out = serde_json::json!({
        "text_queries": text_queries,
        "leave_one_package_out": lopo.iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "table2": table2,
        "table1": recorded["table1"],
        "chance": chance(t2.n_classes),
        "text_input": recorded["text_input"],
        "cross_source": recorded["cross_source"],
        "free_text": free,
    });
    crate::emit(|w| {
        if a.json {
            return writeln!(w, "{out}");
        }
        writeln!(
            w,
            "Table 2 (MAP@3, kNN k = {KNN_K}, held-out split: {} {} clips, {} classes)",
            t2.n_test_clips, a.split, t2.n_classes
        )?;
        let heads: Vec<String> = tables
            .iter()
            .map(|(f, _)| format!("{f} direct / joint"))
            .collect();
        write!(w, "{:<14}", "")?;
        for h in &heads {
            write!(w, "  {h:>19}")?;
        }
        writeln!(w)?;
        type Pick = fn(&Table2) -> Pair;
        let rows: [(&str, Pick); 4] = [
            ("audio→audio", |t| t.audio_audio),
            ("text→audio", |t| t.text_audio),
            ("audio→text", |t| t.audio_text),
            ("text→text", |t| t.text_text),
        ];
        for (name, pick) in rows {
            write!(w, "{name:<14}")?;
            for ((_, t), h) in tables.iter().zip(&heads) {
                let p = pick(t);
                let cell = format!("{:.3} / {:.3}", p.direct, p.joint);
                write!(w, "  {cell:>width$}", width = h.chars().count().max(19))?;
            }
            writeln!(w)?;
        }
        writeln!(w, "chance {:.3}", chance(t2.n_classes))?;
        let ceilings: Vec<String> = tables
            .iter()
            .map(|(f, t)| format!("{f} {:.3}", t.text_audio_ceiling))
            .collect();
        writeln!(
            w,
            "text→audio ceiling with k = {KNN_K} on these clips (each class's clips ranked first): {}",
            ceilings.join(", ")
        )?;
        let free: Vec<String> = evaluated
            .iter()
            .map(|e| {
                format!(
                    "{} top-1 {}/{}, MAP@3 {:.3}",
                    e.feature, e.free.top1, e.free.words, e.free.map3
                )
            })
            .collect();
        writeln!(
            w,
            "free text (one-word queries that are no label, {}): {}",
            a.free_text.display(),
            free.join("; ")
        )?;
        writeln!(w)?;
        writeln!(
            w,
            "Text queries over the shipped index (every corpus clip): top-1 / precision@10, \
             model alone → with the labels as tags"
        )?;
        for e in &evaluated {
            let t = &e.text;
            let rows: [(&str, &crate::measures::Both); 3] = [
                ("class names", &t.class_names),
                ("words", &t.words),
                ("phrases", &t.phrases),
            ];
            for (name, b) in rows {
                writeln!(
                    w,
                    "  {:<14} {:<12} {:>3} queries  {:.2} / {:.2}  →  {:.2} / {:.2}",
                    e.feature,
                    name,
                    b.model.queries,
                    b.model.top1,
                    b.model.precision_at_10,
                    b.with_tags.top1,
                    b.with_tags.precision_at_10
                )?;
            }
        }
        writeln!(
            w,
            "\"Sounds like\" words of the test clips (each against the other splits' clips): \
             a word of the clip's class among the first {}",
            crate::measures::SOUNDS_LIKE_AT
        )?;
        for e in &evaluated {
            let s = &e.text.sounds_like;
            writeln!(w, "  {:<14} {:.2} of {} clips", e.feature, s.top5, s.clips)?;
        }
        if !lopo.is_empty() {
            writeln!(w)?;
            writeln!(
                w,
                "Leave one package out (recorded runs; clip-weighted means): audio→text MAP@3; \
                 audio→audio MAP@3 joint / direct cosine kNN; text→audio AP joint / direct"
            )?;
        }
        for (path, run) in &lopo {
            let Some(l) = run.get("mean") else { continue };
            let f = |k: &str| l[k].as_f64().map_or("-".into(), |v| format!("{v:.3}"));
            writeln!(
                w,
                "  {:<16} a→t {}; a→a {} / {}; t→a {} / {}  ({} held-out clips, {})",
                run["feature"].as_str().unwrap_or("?"),
                f("audio_text_joint"),
                f("audio_audio_joint"),
                f("audio_audio_direct"),
                f("text_audio_ap_joint"),
                f("text_audio_ap_direct"),
                l["clips"],
                path.display()
            )?;
        }
        writeln!(w)?;
        writeln!(
            w,
            "Table 1 (recorded; {})",
            recorded["table1_metric"].as_str().unwrap_or("MAP@3")
        )?;
        writeln!(
            w,
            "{:<12} {:>8} {:>8} {:>8} {:>8}",
            "", "l1", "l2", "exp_l1", "exp_l2"
        )?;
        for loss in ["contrastive", "bce"] {
            let row = &recorded["table1"][loss];
            let cell = |k: &str| {
                row[k]
                    .as_f64()
                    .map_or("-".to_string(), |v| format!("{v:.3}"))
            };
            writeln!(
                w,
                "{loss:<12} {:>8} {:>8} {:>8} {:>8}",
                cell("l1"),
                cell("l2"),
                cell("exp_l1"),
                cell("exp_l2")
            )?;
        }
        Ok(())
    })
    .map_err(|f| anyhow::anyhow!("{f}"))
}

/// `earshot lopo`: one training per package without it, measured on it
/// ([`crate::measures::run_package`]); writes `out` and prints a table.
#[allow(clippy::too_many_arguments)]
pub fn run_lopo(
    cfg: &crate::train::TrainConfig,
    class_words: Option<&std::path::Path>,
    augmented: &[std::path::PathBuf],
    features_path: &std::path::Path,
    vocab_path: &std::path::Path,
    out: &std::path::Path,
    only: &[String],
    largest: usize,
    json: bool,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let features = crate::corpus::read_features(features_path)?;
    let vocab = load_vocab(vocab_path)?;
    let words = class_words.map(crate::fit::ClassWords::read).transpose()?;
    let copies = crate::augment::read(&features, augmented)?;
    let mut chosen = crate::measures::packages(&features);
    for p in only {
        anyhow::ensure!(
            chosen.iter().any(|(s, _)| s == p),
            "--packages: {p:?} is no package with {} or more clips of shared classes",
            crate::measures::MIN_PACKAGE_CLIPS
        );
    }
    if !only.is_empty() {
        chosen.retain(|(s, _)| only.contains(s));
    }
    if largest > 0 {
        chosen.truncate(largest);
    }
    let started = std::time::Instant::now();
    let mut done = Vec::new();
    for (source, clips) in &chosen {
        eprintln!("lopo: without {source} ({clips} held-out clips)");
        done.push(crate::measures::run_package(
            cfg,
            &features,
            &vocab,
            words.as_ref(),
            copies.as_ref(),
            source,
        )?);
    }
    let lopo = crate::measures::Lopo::of(done);
    let v = serde_json::json!({
        "mean": {
            "clips": lopo.clips,
            "audio_text_joint": lopo.audio_text_joint,
            "audio_audio_joint": lopo.audio_audio_joint,
            "audio_audio_direct": lopo.audio_audio_direct,
            "text_audio_ap_joint": lopo.text_audio_ap_joint,
            "text_audio_ap_direct": lopo.text_audio_ap_direct,
        },
        "packages": lopo.packages,
        "config": cfg,
        "features": features_path.display().to_string(),
        "feature": crate::corpus::feature_name(&features),
        "augmented": augmented.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "seconds": started.elapsed().as_secs(),
    });
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot be created", dir.display()))?;
    }
    std::fs::write(out, serde_json::to_string_pretty(&v)?)
        .with_context(|| format!("{}: cannot be written", out.display()))?;
    crate::emit(|w| {
        if json {
            return writeln!(w, "{v}");
        }
        writeln!(
            w,
            "{:<26} {:>5}  {:>9}  {:>15}  {:>15}",
            "held-out package", "clips", "a→t MAP3", "a→a joint/knn", "t→a AP joint/knn"
        )?;
        let row = |w: &mut dyn std::io::Write, name: &str, n: usize, p: [f64; 5]| {
            writeln!(
                w,
                "{:<26} {:>5}  {:>9.3}  {:>7.3} / {:.3}  {:>7.3} / {:.3}",
                name, n, p[0], p[1], p[2], p[3], p[4]
            )
        };
        for p in &lopo.packages {
            row(
                &mut *w,
                &p.source,
                p.clips,
                [
                    p.audio_text_joint,
                    p.audio_audio_joint,
                    p.audio_audio_direct,
                    p.text_audio_ap_joint,
                    p.text_audio_ap_direct,
                ],
            )?;
        }
        row(
            &mut *w,
            "all (clip-weighted)",
            lopo.clips,
            [
                lopo.audio_text_joint,
                lopo.audio_audio_joint,
                lopo.audio_audio_direct,
                lopo.text_audio_ap_joint,
                lopo.text_audio_ap_direct,
            ],
        )
    })
    .map_err(|f| anyhow::anyhow!("{f}"))
}
