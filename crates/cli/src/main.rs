//! `earshot`: the command line of earshot (docs/interfaces.md §2).
//!
//! Exit status: 0 on success; 2 on bad input or usage, with one line on stderr naming the file or
//! argument and the reason. Never a panic or a backtrace.

mod augment;
mod corpus;
mod decode;
mod distill;
mod evaluate;
mod files;
mod fit;
mod folder;
mod measures;
mod mfcc;
mod search;
mod train;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use earshot_core::AudioKind;

/// Cross-modal audio search: audio and words in one space.
#[derive(Debug, Parser)]
#[command(name = "earshot", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// MFCCs of an audio file (WAV, FLAC, Ogg Vorbis, MP3), computed as in the app.
    Mfcc {
        /// The audio file.
        file: PathBuf,
        /// Print {"sample_rate", "n_mfcc", "frames": [[100 floats], ...]} instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Clip vectors of every clip of a corpus manifest, for training and evaluation: the 300-d
    /// MFCC clip vector, or the 512-d aisfx CNN embedding (mean over its 2.3 s blocks).
    Features {
        /// The manifest written by scripts/corpus/build.py.
        #[arg(long)]
        manifest: PathBuf,
        /// Folder the manifest's relative paths start from (default: the manifest's folder).
        #[arg(long)]
        root: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        /// The audio feature: the MFCC clip vector, the CNN embedding or its student's.
        #[arg(long, value_parser = ["mfcc", "cnn", "student"], default_value = "mfcc")]
        feature: String,
        /// The network's weights (default: crates/core/weights/walnet.safetensors with --feature
        /// cnn, crates/core/weights/student.safetensors with --feature student).
        #[arg(long)]
        weights: Option<PathBuf>,
        /// Store the vectors in half precision (half the file; the shipped pkg/eval/features.bin).
        #[arg(long)]
        f16: bool,
    },
    /// Train the student CNN to give the aisfx CNN's block embeddings (train and validation
    /// clips of the manifest; never the test split)
    Distill {
        /// The manifest written by scripts/corpus/build.py.
        #[arg(long)]
        manifest: PathBuf,
        /// Folder the manifest's relative paths start from (default: the manifest's folder).
        #[arg(long)]
        root: Option<PathBuf>,
        /// The teacher's weights.
        #[arg(long, default_value = "crates/core/weights/walnet.safetensors")]
        teacher: PathBuf,
        /// The teacher's blocks, computed once and kept here.
        #[arg(long, default_value = ".cache/cnn/distill-blocks.bin")]
        cache: PathBuf,
        /// The student's weights (float16 safetensors; a JSON record is written beside them).
        #[arg(long, default_value = "crates/core/weights/student.safetensors")]
        out: PathBuf,
        #[arg(long, default_value_t = 30)]
        epochs: usize,
        #[arg(long, default_value_t = 32)]
        batch: usize,
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Reduce a clip-vector file with PCA fitted on its train split (e.g. CNN 512-d to 300-d).
    Pca {
        /// Clip vectors from `earshot features`.
        #[arg(long)]
        features: PathBuf,
        /// Dimensions kept.
        #[arg(long, default_value_t = 300)]
        k: usize,
        #[arg(long)]
        out: PathBuf,
        /// Project with the projection kept in this file's header (written by `earshot pca`)
        /// instead of fitting one (--k is then the file's): e.g. augmented copies of the clips
        /// into the space of the originals.
        #[arg(long, conflicts_with = "eval_out")]
        projection: Option<PathBuf>,
        /// Also write the projected vectors compactly (int8, no projection in the header), as
        /// `earshot eval --compare` reads them next to a model trained on `--out`.
        #[arg(long)]
        eval_out: Option<PathBuf>,
    },
    /// Train the Siamese model on clip vectors and write its JSON weights.
    Train {
        /// Clip vectors from `earshot features` (train split used).
        #[arg(long)]
        features: PathBuf,
        #[arg(long, default_value = "pkg/vocab.bin")]
        vocab: PathBuf,
        #[arg(long, default_value = "pkg/model.json")]
        out: PathBuf,
        #[command(flatten)]
        opts: TrainOpts,
        /// Tensor packing in the JSON: plain, f32, f16 or i8.
        #[arg(long, default_value = "f16")]
        dtype: String,
    },
    /// Search the index with words or a sound.
    Search {
        /// A free-text query ("dog barking").
        #[arg(long, conflicts_with = "audio")]
        text: Option<String>,
        /// An audio file as the query.
        #[arg(long)]
        audio: Option<PathBuf>,
        /// How many results.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        top: u32,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value = "pkg/model.json")]
        model: PathBuf,
        #[arg(long, default_value = "pkg/index.bin")]
        index: PathBuf,
        #[arg(long, default_value = "pkg/vocab.bin")]
        vocab: PathBuf,
    },
    /// Write a search index: every clip of a clip-vector file (`--features`), or every audio
    /// file under a folder (`--audio DIR`, recursively; `earshot search --index` searches it),
    /// embedded with the model.
    Index {
        /// Clip vectors from `earshot features` (the shipped index's source).
        #[arg(long, conflicts_with = "audio")]
        features: Option<PathBuf>,
        /// A folder of your own sounds; files that are not audio are skipped and named.
        #[arg(long)]
        audio: Option<PathBuf>,
        #[arg(long, default_value = "pkg/model.json")]
        model: PathBuf,
        #[arg(long, default_value = "pkg/index.bin")]
        out: PathBuf,
    },
    /// The paper's Table 1 and Table 2 on the held-out split (MAP@3, kNN k = 25).
    Eval {
        #[arg(long)]
        json: bool,
        /// Rerun the trainings behind Table 1 (and the text-input and cross-source variants).
        #[arg(long)]
        retrain: bool,
        #[arg(long, default_value = "pkg/model.json")]
        model: PathBuf,
        #[arg(long, default_value = "pkg/vocab.bin")]
        vocab: PathBuf,
        /// Clip vectors with train/test splits (shipped: pkg/eval/features.bin).
        #[arg(long, default_value = "pkg/eval/features.bin")]
        features: PathBuf,
        /// Where the recorded training runs are read from (and written by --retrain).
        #[arg(long, default_value = "pkg/eval/runs.json")]
        runs: PathBuf,
        #[arg(long, default_value_t = 100)]
        epochs: usize,
        /// Query clips of Table 2: test, or validation for choosing hyper-parameters.
        #[arg(long, default_value = "test", value_parser = ["test", "validation"])]
        split: String,
        /// More feature types for Table 2, side by side: folders holding a model.json and the
        /// features.bin it takes (shipped: the MFCC model shipped before the student CNN, and
        /// the aisfx teacher CNN's).
        #[arg(
            long,
            num_args = 0..,
            default_values = ["crates/cli/eval/mfcc", "crates/cli/eval/walnet"]
        )]
        compare: Vec<PathBuf>,
        /// One-word queries that are no label, with the class each means (word,class CSV).
        #[arg(long, default_value = "crates/cli/eval/free-text.csv")]
        free_text: PathBuf,
        /// With --retrain: how every retrained model scales its clip vectors.
        #[arg(long, value_enum, default_value = "per-dim")]
        scaling: train::Scaling,
        /// Phrases people type, with the class each means (phrase,class CSV).
        #[arg(long, default_value = "crates/cli/eval/phrases.csv")]
        phrases: PathBuf,
        /// Recorded `earshot lopo` runs shown beside the tables (each skipped when absent): by
        /// default the same protocol (the 6 largest packages, 20 epochs, the shipped recipe) on
        /// MFCC, the aisfx teacher and the student (at the shipped seed, without and with the
        /// augmented copies the shipped model trained on).
        #[arg(
            long,
            num_args = 0..,
            default_values = [
                "crates/cli/eval/lopo/v2-l6-e20-infonce-global-256.json",
                "crates/cli/eval/lopo/v2-l6-e20-walnet-infonce-global-256.json",
                "crates/cli/eval/lopo/v2-l6-e20-student-pca128-infonce-global-256-seed3.json",
                "crates/cli/eval/lopo/v2-l6-e20-student-pca128-infonce-global-256-aug3-nonoise-seed3.json",
                "crates/cli/eval/lopo/v2-all-e20-infonce-global-256.json",
            ]
        )]
        lopo: Vec<PathBuf>,
    },
    /// Fit a model's text prior again, on the validation split: anchored on --class-words and,
    /// with --affinity, mixing in the vocabulary words' classes by a sentence model
    /// (scripts/vocab/affinity.py). The network is untouched, so the model's index stays valid.
    Prior {
        #[arg(long, default_value = "pkg/model.json")]
        model: PathBuf,
        #[arg(long, default_value = "pkg/vocab.bin")]
        vocab: PathBuf,
        /// Clip vectors with a validation split (shipped: pkg/eval/features.bin).
        #[arg(long, default_value = "pkg/eval/features.bin")]
        features: PathBuf,
        #[arg(long, default_value = "crates/cli/eval/class-words.csv")]
        class_words: PathBuf,
        /// Words' classes by a sentence model (JSON: class label → "word:cos100 …").
        #[arg(long)]
        affinity: Option<PathBuf>,
        /// The affinity table that chooses the weights, built with --class-words' train words
        /// only (default: --affinity, which is shipped).
        #[arg(long, requires = "affinity")]
        affinity_fit: Option<PathBuf>,
        /// Choose the weights on the validation words of this file (same columns) instead of
        /// --class-words' (whose words still anchor the prior).
        #[arg(long)]
        validation_words: Option<PathBuf>,
        /// Where the model is written.
        #[arg(long)]
        out: PathBuf,
    },
    /// Leave one package out: train without each source package, then search its clips as an
    /// unlabelled library, beside plain cosine kNN on the input features.
    Lopo {
        /// Clip vectors from `earshot features` (every split of the other packages trains).
        #[arg(long, default_value = "pkg/eval/features.bin")]
        features: PathBuf,
        #[arg(long, default_value = "pkg/vocab.bin")]
        vocab: PathBuf,
        /// Where the run is written (JSON).
        #[arg(long)]
        out: PathBuf,
        /// Only these packages (comma-separated), for a quick run.
        #[arg(long, value_delimiter = ',')]
        packages: Vec<String>,
        /// Only the N largest packages, for a quick run (0: every package).
        #[arg(long, default_value_t = 0)]
        largest: usize,
        #[command(flatten)]
        opts: TrainOpts,
        #[arg(long)]
        json: bool,
    },
}

/// How a model is trained (`earshot train`, `earshot lopo`).
#[derive(Debug, clap::Args)]
struct TrainOpts {
    #[arg(long, default_value_t = 100)]
    epochs: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 128)]
    batch: usize,
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    #[arg(long, value_enum, default_value = "per-modality")]
    text_input: TextInputArg,
    #[arg(long, value_enum, default_value = "bce")]
    loss: train::Loss,
    #[arg(long, value_enum, default_value = "exp-l2")]
    similarity: train::Similarity,
    /// Dropout after every hidden layer while training.
    #[arg(long, default_value_t = 0.2)]
    dropout: f32,
    /// Layer sizes after the input (the last is the joint space's): the paper's 1024,512,512,1024.
    #[arg(long, value_delimiter = ',', default_value = "1024,512,512,1024",
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    hidden: Vec<u32>,
    /// Weight of the Δ and ΔΔ blocks of the clip vector after standardisation.
    #[arg(long, default_value_t = 1.0)]
    delta_weight: f32,
    /// Standard deviation of Gaussian noise added to the text vectors while training (GloVe
    /// values; 0: none).
    #[arg(long, default_value_t = 0.0)]
    text_noise: f32,
    /// How each epoch's pairs are drawn (balanced: classes uniformly, then a clip).
    #[arg(long, value_enum, default_value = "per-clip")]
    sampling: train::Sampling,
    /// Decoupled weight decay (AdamW); 0 is Adam.
    #[arg(long, default_value_t = 0.0)]
    weight_decay: f64,
    #[arg(long, value_enum, default_value = "constant")]
    lr_schedule: train::LrSchedule,
    /// How clip vectors are scaled: each dimension to unit variance, or one scale for all.
    #[arg(long, value_enum, default_value = "per-dim")]
    scaling: train::Scaling,
    /// Keep the weights of the epoch with the best validation audio→text + text→audio MAP@3.
    #[arg(long)]
    early_stop: bool,
    /// With --early-stop: stop after this many epochs without improvement (0: all epochs).
    #[arg(long, default_value_t = 0, requires = "early_stop")]
    patience: usize,
    /// Words that mean each class (`word,class,split`, e.g. crates/cli/eval/class-words.csv):
    /// the model gets a text prior anchored on them, fitted on their validation words (when
    /// the features have a validation split), and --word-share trains on their train words.
    #[arg(long)]
    class_words: Option<PathBuf>,
    /// Share of training steps in which a class's text is one of its train words instead of
    /// its label (needs --class-words).
    #[arg(long, default_value_t = 0.0, requires = "class_words")]
    word_share: f32,
    /// Clip vectors of augmented copies of the same clips (`scripts/corpus/augment.py`, then
    /// `earshot features` and `earshot pca --projection`; repeatable): each training step takes
    /// a train clip or one of its copies at random. Validation, test and held-out clips (and
    /// their copies) never train.
    #[arg(long)]
    augmented: Vec<PathBuf>,
}

impl TrainOpts {
    fn config(&self) -> train::TrainConfig {
        train::TrainConfig {
            epochs: self.epochs,
            seed: self.seed,
            batch: self.batch,
            learning_rate: self.lr,
            text_input: match self.text_input {
                TextInputArg::ZeroPad => earshot_core::TextInput::ZeroPad,
                TextInputArg::PerModality => earshot_core::TextInput::PerModality,
            },
            loss: self.loss,
            similarity: self.similarity,
            dropout: self.dropout,
            hidden: self.hidden.iter().map(|&n| n as usize).collect(),
            delta_weight: self.delta_weight,
            text_noise: self.text_noise,
            sampling: self.sampling,
            weight_decay: self.weight_decay,
            lr_schedule: self.lr_schedule,
            scaling: self.scaling,
            early_stop: self.early_stop,
            patience: self.patience,
            word_share: self.word_share,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum TextInputArg {
    ZeroPad,
    PerModality,
}

/// A failure to report: one line, `subject: reason`.
#[derive(Debug)]
pub struct Failure {
    pub subject: String,
    pub reason: String,
}

impl Failure {
    pub fn new(subject: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Self {
            subject: subject.into(),
            reason: reason.to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keep it on one line whatever the reason text holds.
        let reason = self.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if self.subject.is_empty() {
            return write!(f, "{reason}");
        }
        write!(f, "{}: {}", self.subject, reason)
    }
}

fn main() -> ExitCode {
    // A panic would be a bug; still, report it on one line instead of a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        eprintln!("earshot: internal error: {}", msg.replace('\n', " "));
    }));

    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let result = match cli.command {
        Command::Mfcc { file, json } => mfcc::run(&file, json),
        Command::Features {
            manifest,
            root,
            out,
            feature,
            weights,
            f16,
        } => {
            let kind = AudioKind::of(&feature).unwrap_or(AudioKind::Mfcc);
            let weights = weights.unwrap_or_else(|| {
                PathBuf::from("crates/core/weights").join(kind.weights().unwrap_or_default())
            });
            corpus::features(&manifest, root.as_deref(), &out, kind, &weights, f16, true)
                .map_err(Failure::from)
        }
        Command::Distill {
            manifest,
            root,
            teacher,
            cache,
            out,
            epochs,
            batch,
            lr,
            seed,
        } => distill::run(&distill::Args {
            manifest: &manifest,
            root: root.as_deref(),
            teacher: &teacher,
            cache: &cache,
            out: &out,
            cfg: distill::DistillConfig {
                epochs,
                batch,
                learning_rate: lr,
                seed,
            },
        })
        .map_err(Failure::from),
        Command::Pca {
            features,
            k,
            out,
            eval_out,
            projection,
        } => match projection {
            Some(p) => corpus::pca_apply(&features, &p, &out),
            None => corpus::pca(&features, k, &out, eval_out.as_deref()),
        }
        .map_err(Failure::from),
        Command::Train {
            features,
            vocab,
            out,
            opts,
            dtype,
        } => {
            let cfg = opts.config();
            run_train(
                &cfg,
                &features,
                &vocab,
                &out,
                &dtype,
                opts.class_words.as_deref(),
                &opts.augmented,
            )
            .map_err(Failure::from)
        }
        Command::Search {
            text,
            audio,
            top,
            json,
            model,
            index,
            vocab,
        } => search::run(
            &search::Assets {
                model: &model,
                vocab: &vocab,
                index: &index,
            },
            text.as_deref(),
            audio.as_deref(),
            top as usize,
            json,
        ),
        Command::Index {
            features,
            audio,
            model,
            out,
        } => match (features, audio) {
            (Some(f), None) => build_index(&f, &model, &out).map_err(Failure::from),
            (None, Some(dir)) => folder::index_audio(&dir, &model, &out),
            _ => Err(Failure::new(
                "index",
                "give exactly one of --features FILE or --audio DIR",
            )),
        },
        Command::Eval {
            json,
            retrain,
            model,
            vocab,
            features,
            runs,
            epochs,
            split,
            compare,
            scaling,
            free_text,
            phrases,
            lopo,
        } => evaluate::run_eval(&evaluate::EvalArgs {
            model: &model,
            vocab: &vocab,
            features: &features,
            table1: &runs,
            retrain,
            epochs,
            json,
            split: &split,
            compare: &compare,
            scaling,
            free_text: &free_text,
            phrases: &phrases,
            lopo: &lopo,
        })
        .map_err(Failure::from),
        Command::Prior {
            model,
            vocab,
            features,
            class_words,
            affinity,
            affinity_fit,
            validation_words,
            out,
        } => run_prior(
            &model,
            &vocab,
            &features,
            &class_words,
            validation_words.as_deref(),
            affinity.as_deref().map(|a| (a, affinity_fit.as_deref())),
            &out,
        )
        .map_err(Failure::from),
        Command::Lopo {
            features,
            vocab,
            out,
            packages,
            largest,
            opts,
            json,
        } => evaluate::run_lopo(
            &opts.config(),
            opts.class_words.as_deref(),
            &opts.augmented,
            &features,
            &vocab,
            &out,
            &packages,
            largest,
            json,
        )
        .map_err(Failure::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("earshot: {f}");
            ExitCode::from(2)
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        let text = format!("{e:#}");
        match text.split_once(": ") {
            Some((subject, reason)) => Failure::new(subject, reason),
            None => Failure::new("", text),
        }
    }
}

fn build_index(
    features: &std::path::Path,
    model: &std::path::Path,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let (model, feats, _) = evaluate::load_matching(model, features)?;
    let vectors = model.embed_audio(feats.vectors())?;
    let mut index = earshot_core::Index::new(feats.items.clone(), model.output_dim(), vectors)?;
    let size = files::write_index(&mut index, &model, out)?;
    eprintln!(
        "wrote {}: {} items x {} ({:.1} MB)",
        out.display(),
        index.len(),
        index.dim,
        size as f64 / 1e6
    );
    Ok(())
}

fn run_train(
    cfg: &train::TrainConfig,
    features: &std::path::Path,
    vocab: &std::path::Path,
    out: &std::path::Path,
    dtype: &str,
    class_words: Option<&std::path::Path>,
    augmented: &[PathBuf],
) -> anyhow::Result<()> {
    use anyhow::Context;
    let feats = corpus::read_features(features)?;
    let vocab = files::load_vocab(vocab)?;
    let words = class_words.map(fit::ClassWords::read).transpose()?;
    let copies = augment::read(&feats, augmented)?;
    let started = std::time::Instant::now();
    let (model, classes) =
        fit::train_model(cfg, &feats, &vocab, dtype, words.as_ref(), copies.as_ref())?;
    let text = serde_json::to_string(&model)?;
    std::fs::write(out, &text).with_context(|| format!("{}: cannot be written", out.display()))?;
    eprintln!(
        "wrote {} ({:.1} MB) after {:.0} s: {} classes",
        out.display(),
        text.len() as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        classes.len()
    );
    Ok(())
}

fn run_prior(
    model: &std::path::Path,
    vocab: &std::path::Path,
    features: &std::path::Path,
    class_words: &std::path::Path,
    validation_words: Option<&std::path::Path>,
    affinity: Option<(&std::path::Path, Option<&std::path::Path>)>,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    use anyhow::Context;
    evaluate::load_matching(model, features)?;
    let json: earshot_core::ModelJson = serde_json::from_str(&files::read_text(model)?)
        .with_context(|| format!("{}: not a model file", model.display()))?;
    let feats = corpus::read_features(features)?;
    let vocab = files::load_vocab(vocab)?;
    let words = fit::ClassWords::read(class_words)?;
    let ship = affinity.map(|(a, _)| fit::read_affinity(a)).transpose()?;
    let fit_table = affinity
        .and_then(|(_, f)| f)
        .map(fit::read_affinity)
        .transpose()?;
    let tables = ship.as_ref().map(|ship| fit::AffinityTables {
        fit: fit_table.as_ref().unwrap_or(ship),
        ship,
    });
    let validation = validation_words.map(fit::ClassWords::read).transpose()?;
    let json = fit::refit_prior(
        &json,
        &vocab,
        &feats,
        &words,
        validation.as_ref().map(|v| &v.validation[..]),
        tables,
    )?;
    let text = serde_json::to_string(&json)?;
    std::fs::write(out, &text).with_context(|| format!("{}: cannot be written", out.display()))?;
    match &json.text_prior {
        Some(p) => eprintln!(
            "wrote {}: text prior weight {} sharpness {}{}, validation top-1 {:.3}",
            out.display(),
            p.weight,
            p.sharpness,
            p.affinity.as_ref().map_or(String::new(), |a| format!(
                ", affinity weight {} sharpness {} ({} classes)",
                a.weight,
                a.sharpness,
                a.words.len()
            )),
            json.training["text_prior_validation_top1"]
                .as_f64()
                .unwrap_or(f64::NAN)
        ),
        None => eprintln!(
            "wrote {}: no text prior (no validation words)",
            out.display()
        ),
    }
    Ok(())
}

/// clap's help and version go to stdout with status 0; its errors become one line and status 2.
fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = write!(std::io::stdout(), "{e}");
        return ExitCode::SUCCESS;
    }
    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprintln!("earshot: missing command (try `earshot --help`)");
        return ExitCode::from(2);
    }
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    eprintln!("earshot: {first} (try `earshot --help`)");
    ExitCode::from(2)
}

/// A progress bar with an ETA on stderr (`template` in indicatif's syntax), or a hidden one.
pub fn progress_bar(len: u64, template: &str, show: bool) -> indicatif::ProgressBar {
    let bar = if show {
        indicatif::ProgressBar::new(len)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Write to stdout; a closed pipe (`earshot ... | head`) ends quietly.
pub fn emit(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match f(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::new("stdout", e)),
    }
}
