#![allow(clippy::unwrap_used)]
use super::*;
use earshot_core::map_at;
use earshot_core::Metric;
use earshot_core::Model;

/// Four classes: audio = class centre + noise (12-d), text = a fixed 8-d vector per class.
fn synthetic(n_per_class: usize, noise_seed: u64) -> (Vec<f32>, Vec<usize>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let centres: Vec<Vec<f32>> = (0..4)
        .map(|_| (0..12).map(|_| rng.random_range(-3.0f32..3.0)).collect())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(noise_seed);
    let (mut audio, mut labels) = (Vec::new(), Vec::new());
    for (c, centre) in centres.iter().enumerate() {
        for _ in 0..n_per_class {
            audio.extend(centre.iter().map(|x| x + rng.random_range(-1.0f32..1.0)));
            labels.push(c);
        }
    }
    let text: Vec<f32> = (0..4 * 8)
        .map(|i| if i % 8 == i / 8 { 1.0 } else { 0.1 })
        .collect();
    (audio, labels, text)
}

fn config(text_input: TextInput) -> TrainConfig {
    TrainConfig {
        epochs: 40,
        batch: 16,
        learning_rate: 3e-3,
        hidden: vec![32, 16, 16, 8],
        dropout: 0.1,
        text_input,
        ..Default::default()
    }
}

/// The synthetic clips as training data: 12-d audio, 8-d text, the given copies and validation.
fn data<'a>(
    audio: &'a [f32],
    labels: &'a [usize],
    text: &'a [f32],
    copies: &'a [Vec<f32>],
    validation: Option<(&'a [f32], &'a [usize])>,
) -> TrainData<'a> {
    TrainData {
        audio,
        audio_dim: 12,
        labels,
        class_text: text,
        class_words: &[],
        copies,
        text_dim: 8,
        audio_feature: "test".into(),
        audio_pca: None,
        audio_weights: None,
        text_feature: "test".into(),
        validation,
    }
}

fn train_synthetic(cfg: &TrainConfig) -> ModelJson {
    let (audio, labels, text) = synthetic(20, 7);
    train(cfg, &data(&audio, &labels, &text, &[], None), "f32", false).unwrap()
}

#[test]
fn global_scaling_keeps_one_scale_for_every_dimension() {
    let per_dim = train_synthetic(&TrainConfig {
        epochs: 1,
        ..config(TextInput::PerModality)
    });
    let global = train_synthetic(&TrainConfig {
        epochs: 1,
        scaling: Scaling::Global,
        ..config(TextInput::PerModality)
    });
    assert_eq!(per_dim.audio.mean, global.audio.mean);
    // The per-dimension stds differ; the global one is their root mean square, everywhere.
    let s = &per_dim.audio.std;
    assert!(s.iter().any(|&v| (v - s[0]).abs() > 1e-3), "{s:?}");
    let rms = (s.iter().map(|v| v * v).sum::<f32>() / s.len() as f32).sqrt();
    for &g in &global.audio.std {
        assert!((g - rms).abs() < 1e-5, "{g} vs {rms}");
    }
}

#[test]
fn text_noise_is_seeded_and_only_drawn_when_asked_for() {
    let cfg = TrainConfig {
        epochs: 2,
        ..config(TextInput::PerModality)
    };
    let plain = weights(&train_synthetic(&cfg));
    // Noise 0 draws nothing: the same weights as a configuration without the field set.
    let zero = TrainConfig {
        text_noise: 0.0,
        ..cfg.clone()
    };
    assert_eq!(weights(&train_synthetic(&zero)), plain);
    let noisy = TrainConfig {
        text_noise: 0.2,
        ..cfg.clone()
    };
    let a = weights(&train_synthetic(&noisy));
    assert_ne!(a, plain, "noise changes what the text branch sees");
    assert_eq!(
        a,
        weights(&train_synthetic(&noisy)),
        "same seed, same weights"
    );
    // With InfoNCE too (the whole class-text matrix gets the noise).
    let nce = TrainConfig {
        loss: Loss::InfoNce,
        ..noisy.clone()
    };
    assert_eq!(
        weights(&train_synthetic(&nce)),
        weights(&train_synthetic(&nce))
    );
    assert_ne!(
        weights(&train_synthetic(&nce)),
        weights(&train_synthetic(&TrainConfig {
            text_noise: 0.0,
            ..nce.clone()
        }))
    );
}

#[test]
fn class_words_replace_label_texts_at_their_share_and_only_then_draw() {
    // Three classes of 2-d text in rows 3 wide (one padding value); class 1 has no words.
    let rows = vec![1.0, 1.0, 0.0, 2.0, 2.0, 0.0, 3.0, 3.0, 0.0];
    let words = vec![vec![10.0, 10.0, 11.0, 11.0], Vec::new(), vec![30.0, 30.0]];
    let classes = [0, 1, 2];
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let same = with_class_words(rows.clone(), &classes, 3, 2, &words, 0.0, &mut rng);
    assert_eq!(same, rows);
    assert_eq!(
        rng.random::<u64>(),
        ChaCha8Rng::seed_from_u64(3).random::<u64>(),
        "share 0 draws nothing"
    );
    let all = with_class_words(rows.clone(), &classes, 3, 2, &words, 1.0, &mut rng);
    assert!(
        all[..2] == [10.0, 10.0] || all[..2] == [11.0, 11.0],
        "{all:?}"
    );
    assert_eq!(
        all[3..6],
        rows[3..6],
        "a class without words keeps its label"
    );
    assert_eq!(all[6..], [30.0, 30.0, 0.0], "the padding stays");
    // Over many draws at share 0.5, about half the first class's rows are words.
    let swapped = (0..400)
        .filter(|_| with_class_words(rows.clone(), &classes, 3, 2, &words, 0.5, &mut rng)[0] != 1.0)
        .count();
    assert!((150..250).contains(&swapped), "{swapped}");
}

#[test]
fn the_last_layer_size_is_the_joint_space() {
    let json = train_synthetic(&TrainConfig {
        epochs: 1,
        hidden: vec![32, 16, 5],
        ..config(TextInput::PerModality)
    });
    let m = earshot_core::Model::from_parts(json).unwrap();
    assert_eq!(m.output_dim(), 5);
    assert_eq!(m.embed_text(&[0.5; 8]).unwrap().len(), 5);
}

fn train_synthetic_validated(cfg: &TrainConfig) -> anyhow::Result<ModelJson> {
    let (audio, labels, text) = synthetic(20, 7);
    let (val_audio, val_labels, _) = synthetic(5, 11);
    let validation = Some((&val_audio[..], &val_labels[..]));
    train(
        cfg,
        &data(&audio, &labels, &text, &[], validation),
        "f32",
        false,
    )
}

fn weights(json: &ModelJson) -> String {
    serde_json::to_string(&(&json.audio_input, &json.text_input_layer, &json.layers)).unwrap()
}

#[test]
fn early_stop_keeps_the_best_validation_epoch_and_its_weights() {
    let cfg = TrainConfig {
        epochs: 12,
        early_stop: true,
        learning_rate: 1e-2,
        ..config(TextInput::PerModality)
    };
    let json = train_synthetic_validated(&cfg).unwrap();
    let t = &json.training;
    let scores: Vec<EpochScore> = t["validation_per_epoch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| EpochScore {
            epoch: s["epoch"].as_u64().unwrap() as usize,
            audio_audio: s["audio_audio"].as_f64().unwrap(),
            text_audio: s["text_audio"].as_f64().unwrap(),
            audio_text: s["audio_text"].as_f64().unwrap(),
        })
        .collect();
    assert_eq!(scores.len(), 12);
    assert_eq!(t["epochs_run"], 12);
    let kept = t["epoch_kept"].as_u64().unwrap() as usize;
    assert_eq!(Some(kept), best_epoch(&scores).map(|s| s.epoch));
    // Scoring draws nothing from the generator: the kept weights are exactly those of a
    // training that stops at that epoch without validation.
    let plain = train_synthetic(&TrainConfig {
        epochs: kept,
        early_stop: false,
        ..cfg.clone()
    });
    assert_eq!(weights(&json), weights(&plain));
    // Without early stopping the last epoch's weights are kept (validation only observes).
    let last = train_synthetic_validated(&TrainConfig {
        early_stop: false,
        ..cfg.clone()
    })
    .unwrap();
    assert_eq!(last.training["epoch_kept"], 12);
    assert_eq!(
        weights(&last),
        weights(&train_synthetic(&TrainConfig {
            early_stop: false,
            ..cfg.clone()
        }))
    );
    // Patience ends the run that many epochs after the best one (or at the last epoch).
    let p = train_synthetic_validated(&TrainConfig { patience: 2, ..cfg }).unwrap();
    let run = p.training["epochs_run"].as_u64().unwrap() as usize;
    let kept = p.training["epoch_kept"].as_u64().unwrap() as usize;
    assert!(run == 12 || run == kept + 2, "run {run}, kept {kept}");
    assert!(kept <= run);
}

#[test]
fn early_stop_needs_validation_clips() {
    let (audio, labels, text) = synthetic(5, 7);
    let data = data(&audio, &labels, &text, &[], None);
    let cfg = TrainConfig {
        epochs: 1,
        early_stop: true,
        ..config(TextInput::PerModality)
    };
    let err = train(&cfg, &data, "f32", false).unwrap_err();
    assert!(err.to_string().contains("validation"), "{err}");
}

fn score(epoch: usize, ta: f64, at: f64) -> EpochScore {
    EpochScore {
        epoch,
        audio_audio: 0.0,
        text_audio: ta,
        audio_text: at,
    }
}

#[test]
fn best_epoch_is_the_first_maximum_and_patience_counts_from_it() {
    assert_eq!(best_epoch(&[]), None);
    let s = [
        score(1, 0.1, 0.1),
        score(2, 0.3, 0.2),
        score(3, 0.2, 0.3),
        score(4, 0.1, 0.1),
    ];
    // Epochs 2 and 3 tie on text→audio + audio→text: the earlier one wins.
    assert_eq!(best_epoch(&s).map(|b| b.epoch), Some(2));
    assert!(!should_stop(&s[..3], 2));
    assert!(should_stop(&s, 2));
    assert!(!should_stop(&s, 3));
    assert!(!should_stop(&s, 0));
}

#[test]
fn cosine_schedule_falls_from_the_rate_to_a_hundredth() {
    let cfg = TrainConfig {
        epochs: 50,
        learning_rate: 1e-3,
        lr_schedule: LrSchedule::Cosine,
        ..Default::default()
    };
    let lr: Vec<f64> = (0..50).map(|e| learning_rate_at(&cfg, e)).collect();
    assert!((lr[0] - 1e-3).abs() < 1e-12);
    assert!((lr[49] - 1e-5).abs() < 1e-12);
    assert!(lr.windows(2).all(|w| w[1] < w[0]));
    let constant = TrainConfig {
        lr_schedule: LrSchedule::Constant,
        ..cfg
    };
    assert!((0..50).all(|e| learning_rate_at(&constant, e) == 1e-3));
}

#[test]
fn pairs_are_half_positive_and_balanced_sampling_evens_out_classes() {
    // Class 0 has 90 clips, classes 1..=3 have 10, 5 and 1.
    let labels: Vec<usize> = [(0, 90), (1, 10), (2, 5), (3, 1)]
        .iter()
        .flat_map(|&(c, k)| std::iter::repeat_n(c, k))
        .collect();
    let n = labels.len();
    for sampling in [Sampling::PerClip, Sampling::Balanced] {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut per_class = [0usize; 4];
        let mut per_clip = vec![0usize; n];
        for _ in 0..50 {
            let pairs = epoch_pairs(&labels, 4, sampling, &mut rng);
            assert_eq!(pairs.len(), 2 * n);
            assert_eq!(pairs.iter().filter(|p| p.2 == 1.0).count(), n);
            for &(i, c, y) in &pairs {
                assert_eq!(y == 1.0, labels[i] == c, "{sampling:?}: {i} {c} {y}");
                per_clip[i] += 1;
                if y == 1.0 {
                    per_class[c] += 1;
                }
            }
        }
        match sampling {
            Sampling::PerClip => {
                assert!(per_clip.iter().all(|&k| k == 100));
                assert_eq!(per_class, [4500, 500, 250, 50]);
            }
            Sampling::Balanced => {
                // 50 epochs x 106 positives spread over 4 classes: 1325 each expected.
                assert!(
                    per_class.iter().all(|&k| (1200..1450).contains(&k)),
                    "{per_class:?}"
                );
                // The single clip of class 3 is drawn for every class-3 pair.
                assert_eq!(per_clip[n - 1], 2 * per_class[3]);
            }
        }
    }
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    let cfg = TrainConfig {
        epochs: 3,
        ..config(TextInput::PerModality)
    };
    let a = serde_json::to_string(&train_synthetic(&cfg)).unwrap();
    let b = serde_json::to_string(&train_synthetic(&cfg)).unwrap();
    assert_eq!(a, b);
    let c = serde_json::to_string(&train_synthetic(&TrainConfig { seed: 2, ..cfg })).unwrap();
    assert_ne!(a, c);
}

/// Audio→text and text→audio MAP@3 of a trained model on held-out synthetic clips of the
/// same classes, queried against the class texts.
fn held_out_maps(model: &Model) -> (f64, f64) {
    let (audio, labels, text) = synthetic(10, 99);
    let ea = model.embed_audio(&audio).unwrap();
    let et = model.embed_text(&text).unwrap();
    let names = ["a", "b", "c", "d"];
    let truth: Vec<&str> = labels.iter().map(|&c| names[c]).collect();
    let dim = model.output_dim();
    (
        map_at(&ea, &truth, &et, &names, dim, 25, 3, Metric::ExpL2),
        map_at(&et, &names, &ea, &truth, dim, 25, 3, Metric::ExpL2),
    )
}

#[test]
fn learns_a_joint_space_and_exports_what_inference_reads() {
    for ti in [TextInput::PerModality, TextInput::ZeroPad] {
        let json = train_synthetic(&config(ti));
        let (a2t, t2a) = held_out_maps(&Model::from_parts(json).unwrap());
        assert!(a2t > 0.9, "{ti:?}: audio->text MAP@3 {a2t}");
        assert!(t2a > 0.9, "{ti:?}: text->audio MAP@3 {t2a}");
    }
}

#[test]
fn losses_and_gradients_stay_finite_for_far_apart_pairs() {
    // Distances of ~1e5: exp(d) would overflow; every loss must stay finite, gradients too.
    for loss in Loss::ALL {
        for similarity in Similarity::ALL {
            let cfg = TrainConfig {
                loss,
                similarity,
                ..Default::default()
            };
            let a =
                Var::from_tensor(&Tensor::from_vec(vec![0.0f32; 8], (2, 4), &Device::Cpu).unwrap())
                    .unwrap();
            let t = Tensor::from_vec(vec![3e4f32; 8], (2, 4), &Device::Cpu).unwrap();
            let y = Tensor::from_vec(vec![1.0f32, 0.0], 2, &Device::Cpu).unwrap();
            let l = pair_loss(a.as_tensor(), &t, &y, &cfg).unwrap();
            assert!(
                l.to_scalar::<f32>().unwrap().is_finite(),
                "{loss:?} {similarity:?}"
            );
            let grads = l.backward().unwrap();
            let g = grads
                .get(a.as_tensor())
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            assert!(
                g.iter().all(|x| x.is_finite()),
                "{loss:?} {similarity:?}: {g:?}"
            );
        }
    }
}

#[test]
fn info_nce_is_low_when_clips_sit_on_their_class_text_and_high_when_swapped() {
    let dev = Device::Cpu;
    let t = Tensor::from_vec(vec![0f32, 0.0, 5.0, 0.0, 0.0, 5.0], (3, 2), &dev).unwrap();
    let a = Tensor::from_vec(vec![0.1f32, 0.0, 4.9, 0.1, 0.0, 5.1], (3, 2), &dev).unwrap();
    let scale = Tensor::from_vec(vec![2f32], 1, &dev).unwrap();
    let value = |labels: &[usize]| {
        info_nce(&a, &t, labels, &scale)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    };
    let right = value(&[0, 1, 2]);
    let swapped = value(&[1, 2, 0]);
    assert!(right < 0.01, "{right}");
    assert!(swapped > 5.0, "{swapped}");
    // Two clips of one class share the text→audio target: still near zero when both sit on it.
    let a2 = Tensor::from_vec(vec![0.1f32, 0.0, 0.0, 0.1, 0.0, 5.1], (3, 2), &dev).unwrap();
    let shared = info_nce(&a2, &t, &[0, 0, 2], &scale)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(shared < 0.4, "{shared}");
}

#[test]
fn infonce_learns_a_joint_space_and_learns_its_scale() {
    let cfg = TrainConfig {
        loss: Loss::InfoNce,
        ..config(TextInput::PerModality)
    };
    let json = train_synthetic(&cfg);
    let scale = json.training["infonce_scale"].as_f64().unwrap();
    assert!(scale.is_finite() && (scale - 10.0).abs() > 1e-3, "{scale}");
    let (a2t, t2a) = held_out_maps(&Model::from_parts(json).unwrap());
    assert!(a2t > 0.9, "audio->text MAP@3 {a2t}");
    assert!(t2a > 0.9, "text->audio MAP@3 {t2a}");
}

#[test]
fn every_loss_and_similarity_trains_without_diverging() {
    for loss in Loss::ALL {
        for similarity in Similarity::ALL {
            let cfg = TrainConfig {
                epochs: 2,
                loss,
                similarity,
                ..config(TextInput::PerModality)
            };
            let json = train_synthetic(&cfg);
            let losses = json.training["loss_per_epoch"].as_array().unwrap();
            assert!(
                losses.iter().all(|l| l.as_f64().unwrap().is_finite()),
                "{loss:?} {similarity:?}"
            );
        }
    }
}

#[test]
fn copies_train_in_place_of_their_clips_and_identical_ones_change_nothing() {
    let (audio, labels, text) = synthetic(20, 7);
    let cfg = TrainConfig {
        epochs: 2,
        loss: Loss::InfoNce,
        ..config(TextInput::PerModality)
    };
    let run = |copies: &[Vec<f32>]| {
        train(
            &cfg,
            &data(&audio, &labels, &text, copies, None),
            "f32",
            false,
        )
        .unwrap()
    };
    let plain = run(&[]);
    // Copies equal to their clips: whichever is drawn, the batch is the same, and drawing them
    // takes nothing from the generator of the weights, dropout and batches.
    let twins: Vec<Vec<f32>> = audio.chunks_exact(12).map(|r| [r, r].concat()).collect();
    let with_twins = run(&twins);
    assert_eq!(weights(&with_twins), weights(&plain));
    // The scaling is fitted on the clips alone, copies or not.
    assert_eq!(with_twins.audio.mean, plain.audio.mean);
    // Other copies are trained on, and the same seed draws them the same way.
    let shifted: Vec<Vec<f32>> = audio
        .chunks_exact(12)
        .map(|r| r.iter().map(|x| x + 0.5).collect())
        .collect();
    let a = run(&shifted);
    assert_ne!(weights(&a), weights(&plain));
    assert_eq!(weights(&a), weights(&run(&shifted)));
    assert_eq!(a.audio.mean, plain.audio.mean);
}
