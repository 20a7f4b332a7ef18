#![allow(clippy::unwrap_used)]
use super::*;

fn layer(name: &str, rows: usize, cols: usize, seed: u32, dtype: &str) -> DenseJson {
    let w: Vec<f32> = (0..rows * cols)
        .map(|i| ((i as u32 + seed).wrapping_mul(2_654_435_761) >> 20) as f32 / 4096.0 - 0.5)
        .collect();
    let b: Vec<f32> = (0..rows).map(|i| 0.01 * i as f32 - 0.02).collect();
    DenseJson {
        name: name.into(),
        weight: pack_tensor(&[rows, cols], &w, dtype),
        bias: pack_tensor(&[rows], &b, "plain"),
    }
}

fn model_json(text_input: TextInput, dtype: &str) -> ModelJson {
    let (adim, tdim) = (6, 3);
    let (audio_input, text_input_layer, first_in) = match text_input {
        TextInput::ZeroPad => (None, None, adim),
        TextInput::PerModality => (
            Some(layer("audio_in", 5, adim, 1, dtype)),
            Some(layer("text_in", 5, tdim, 2, dtype)),
            5,
        ),
    };
    ModelJson {
        format: FORMAT.into(),
        version: VERSION,
        text_input,
        audio: AudioJson {
            feature: "mfcc".into(),
            dim: adim,
            mean: vec![0.5; adim],
            std: vec![2.0; adim],
            pca: None,
            weights: None,
        },
        text: TextJson {
            feature: "glove-6b-50d".into(),
            dim: tdim,
        },
        audio_input,
        text_input_layer,
        layers: vec![
            layer("l1", 4, first_in, 3, dtype),
            layer("out", 2, 4, 4, dtype),
        ],
        training: serde_json::Value::Null,
        calibration: None,
        text_prior: None,
    }
}

#[test]
fn calibration_is_optional_and_round_trips() {
    let j = model_json(TextInput::PerModality, "plain");
    let text = serde_json::to_string(&j).unwrap();
    assert!(!text.contains("calibration"), "absent when not fitted");
    assert!(Model::from_json(&text).unwrap().calibration.is_none());
    let mut j = j;
    let c = crate::rank::Calibration {
        text_audio: crate::rank::Logistic { a: 2.0, b: 0.5 },
        audio_audio: crate::rank::Logistic { a: 1.0, b: 0.25 },
        text_floor: None,
    };
    j.calibration = Some(c);
    let m = Model::from_json(&serde_json::to_string(&j).unwrap()).unwrap();
    assert_eq!(m.calibration, Some(c));
    j.calibration = Some(crate::rank::Calibration {
        text_audio: crate::rank::Logistic {
            a: f32::NAN,
            b: 0.5,
        },
        ..c
    });
    // NaN does not survive JSON; an infinite-free check still refuses what serde lets in.
    let mut v = serde_json::to_value(&j).unwrap();
    v["calibration"]["text_audio"]["a"] = serde_json::json!(1e39);
    assert!(Model::from_json(&v.to_string()).is_err());
}

#[test]
fn text_prior_is_optional_checked_and_round_trips() {
    let j = model_json(TextInput::PerModality, "plain");
    let text = serde_json::to_string(&j).unwrap();
    assert!(!text.contains("text_prior"), "absent when not fitted");
    assert!(Model::from_json(&text).unwrap().text_prior.is_none());
    let mut v = serde_json::to_value(&j).unwrap();
    v["text_prior"] = serde_json::json!({"weight": 0.9, "sharpness": 40.0,
                                         "words": {"Bird": ["warbler"]}});
    let m = Model::from_json(&v.to_string()).unwrap();
    let p = m.text_prior.unwrap();
    assert_eq!((p.weight, p.sharpness), (0.9, 40.0));
    assert_eq!(p.words["Bird"], vec!["warbler".to_string()]);
    // Without words it still loads (the labels are the anchors).
    v["text_prior"] = serde_json::json!({"weight": 1.0, "sharpness": 10.0});
    assert!(Model::from_json(&v.to_string())
        .unwrap()
        .text_prior
        .unwrap()
        .words
        .is_empty());
    v["text_prior"] = serde_json::json!({"weight": 1.5, "sharpness": 10.0});
    let e = Model::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("text_prior"), "{e}");
}

/// The forward pass written out by hand, for one input row.
fn reference(m: &ModelJson, x: &[f32], audio: bool) -> Vec<f32> {
    let apply = |d: &DenseJson, x: &[f32], relu: bool| -> Vec<f32> {
        let w = decode_tensor(&d.weight, "w").unwrap();
        let b = decode_tensor(&d.bias, "b").unwrap();
        (0..b.len())
            .map(|o| {
                let v = b[o] + (0..x.len()).map(|i| w[o * x.len() + i] * x[i]).sum::<f32>();
                if relu {
                    v.max(0.0)
                } else {
                    v
                }
            })
            .collect()
    };
    let mut h: Vec<f32> = if audio {
        x.iter()
            .zip(&m.audio.mean)
            .zip(&m.audio.std)
            .map(|((v, mu), s)| (v - mu) / s)
            .collect()
    } else {
        x.to_vec()
    };
    match (&m.audio_input, &m.text_input_layer) {
        (Some(a), Some(t)) => h = apply(if audio { a } else { t }, &h, true),
        _ => h.resize(m.audio.dim, 0.0),
    }
    for (i, l) in m.layers.iter().enumerate() {
        h = apply(l, &h, i + 1 < m.layers.len());
    }
    h
}

#[test]
fn forward_matches_the_written_out_network_for_both_text_inputs() {
    for ti in [TextInput::ZeroPad, TextInput::PerModality] {
        let j = model_json(ti, "plain");
        let m = Model::from_json(&serde_json::to_string(&j).unwrap()).unwrap();
        let audio = [0.3, -1.0, 2.0, 0.0, 5.0, -0.7, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let got = m.embed_audio(&audio).unwrap();
        assert_eq!(got.len(), 4);
        for (row, x) in audio.chunks(6).enumerate() {
            for (g, r) in got[row * 2..row * 2 + 2].iter().zip(reference(&j, x, true)) {
                assert!((g - r).abs() < 1e-5, "{ti:?} audio {g} vs {r}");
            }
        }
        let text = [0.6, 0.0, -0.8];
        let got = m.embed_text(&text).unwrap();
        for (g, r) in got.iter().zip(reference(&j, &text, false)) {
            assert!((g - r).abs() < 1e-5, "{ti:?} text {g} vs {r}");
        }
    }
}

#[test]
fn packed_tensors_decode_to_the_same_network() {
    let plain = Model::from_parts(model_json(TextInput::PerModality, "plain")).unwrap();
    let x = [0.3, -1.0, 2.0, 0.0, 5.0, -0.7];
    let want = plain.embed_audio(&x).unwrap();
    for (dtype, tol) in [("f32", 0.0), ("f16", 2e-3), ("i8", 2e-2)] {
        let j = serde_json::to_string(&model_json(TextInput::PerModality, dtype)).unwrap();
        assert!(j.contains(&format!("\"dtype\":\"{dtype}\"")));
        let got = Model::from_json(&j).unwrap().embed_audio(&x).unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() <= tol, "{dtype}: {g} vs {w}");
        }
    }
}

#[test]
fn similarity_is_exp_of_minus_l2() {
    assert_eq!(similarity(&[1.0, 2.0], &[1.0, 2.0]), 1.0);
    assert!((similarity(&[0.0, 0.0], &[3.0, 4.0]) - (-5.0f32).exp()).abs() < 1e-9);
}

#[test]
fn bad_models_are_clear_errors() {
    let base = || model_json(TextInput::PerModality, "plain");
    let err = |j: ModelJson| Model::from_parts(j).unwrap_err().to_string();
    let mut j = base();
    j.version = 7;
    assert!(err(j).contains("version 7"));
    let mut j = base();
    j.format = "onnx".into();
    assert!(err(j).contains("format"));
    let mut j = base();
    j.layers[1] = layer("out", 2, 3, 4, "plain"); // expects 4 inputs
    assert!(err(j).contains("layer out"));
    let mut j = base();
    j.audio.std[2] = 0.0;
    assert!(err(j).contains("scaling"));
    let mut j = base();
    j.layers[0].weight.values.as_mut().unwrap()[3] = f32::NAN;
    assert!(err(j).contains("non-finite"));
    let mut j = base();
    j.layers[0].weight.values.as_mut().unwrap().pop();
    assert!(err(j).contains("values but shape"));
    let mut j = base();
    j.text_input_layer = None;
    assert!(err(j).contains("per-modality"));
    let mut j = model_json(TextInput::PerModality, "f16");
    j.layers[0].weight.data = Some("!!not base64".into());
    assert!(err(j).contains("base64"));
    let text = serde_json::to_string(&base()).unwrap();
    assert!(Model::from_json(&text[..text.len() / 2])
        .unwrap_err()
        .to_string()
        .contains("not valid model JSON"));
    assert!(Model::from_json("").is_err());
}

#[test]
fn bad_inputs_are_errors() {
    let m = Model::from_parts(model_json(TextInput::ZeroPad, "plain")).unwrap();
    assert!(m.embed_audio(&[]).is_err());
    assert!(m.embed_audio(&[1.0; 5]).is_err());
    assert!(m.embed_audio(&[f32::NAN; 6]).is_err());
    assert!(m.embed_text(&[1.0; 4]).is_err());
    assert_eq!(m.embed_text(&[1.0; 6]).unwrap().len(), 4);
}

/// A CNN model: raw 512-d vectors through a stored projection to the model's 6 inputs.
fn walnet_json() -> ModelJson {
    let mut j = model_json(TextInput::PerModality, "plain");
    j.audio.feature = "walnet-pca6".into();
    j.audio.weights = Some("walnet.safetensors".into());
    let comps: Vec<f32> = (0..6 * WALNET_DIM)
        .map(|i| {
            if i % WALNET_DIM == i / WALNET_DIM * 7 {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    j.audio.pca = Some(PcaJson {
        from: WALNET_DIM,
        mean: (0..WALNET_DIM).map(|i| i as f32 / 100.0).collect(),
        components: pack_tensor(&[6, WALNET_DIM], &comps, "f32"),
    });
    j
}

#[test]
fn a_cnn_model_projects_raw_vectors_with_its_stored_pca() {
    let m = Model::from_parts(walnet_json()).unwrap();
    assert_eq!(m.audio_kind().unwrap(), AudioKind::Walnet);
    assert_eq!((m.raw_audio_dim(), m.audio_dim()), (WALNET_DIM, 6));
    assert_eq!(m.audio_weights.as_deref(), Some("walnet.safetensors"));
    // Component r picks raw value 7r, minus the mean (7r / 100).
    let raw: Vec<f32> = (0..2 * WALNET_DIM).map(|i| (i % 50) as f32).collect();
    let x = m.reduce(&raw).unwrap();
    assert_eq!(x.len(), 12);
    for (row, chunk) in x.chunks(6).enumerate() {
        for (r, v) in chunk.iter().enumerate() {
            let want = raw[row * WALNET_DIM + 7 * r] - 7.0 * r as f32 / 100.0;
            assert!((v - want).abs() < 1e-5, "{row} {r}: {v} vs {want}");
        }
    }
    assert!(m.reduce(&raw[1..]).is_err());
    // The stored model survives a round trip through its JSON.
    let again = Model::from_json(&serde_json::to_string(&walnet_json()).unwrap()).unwrap();
    assert_eq!(again.reduce(&raw).unwrap(), x);
    // MFCC models take their vectors as they are.
    let mfcc = Model::from_parts(model_json(TextInput::PerModality, "plain")).unwrap();
    assert_eq!(mfcc.audio_kind().unwrap(), AudioKind::Mfcc);
    assert_eq!(mfcc.reduce(&[1.0; 6]).unwrap(), vec![1.0; 6]);
}

#[test]
fn bad_feature_settings_are_clear_errors() {
    let err = |j: ModelJson| Model::from_parts(j).unwrap_err().to_string();
    let mut j = walnet_json();
    j.audio.weights = None;
    assert!(err(j).contains("need a weights file"));
    let mut j = walnet_json();
    j.audio.pca = None;
    assert!(err(j).contains("512-d, the model takes 6"));
    let mut j = walnet_json();
    if let Some(p) = j.audio.pca.as_mut() {
        p.mean.pop();
    }
    assert!(err(j).contains("audio projection"));
    let mut j = walnet_json();
    if let Some(p) = j.audio.pca.as_mut() {
        p.components.shape = vec![5, WALNET_DIM];
    }
    assert!(err(j).contains("audio projection"));
    let mut j = model_json(TextInput::PerModality, "plain");
    j.audio.pca = walnet_json().audio.pca;
    assert!(err(j).contains("mfcc features take no projection"));
    let mut j = model_json(TextInput::PerModality, "plain");
    j.audio.feature = "openl3".into();
    let m = Model::from_parts(j).unwrap();
    assert!(m
        .audio_kind()
        .unwrap_err()
        .to_string()
        .contains("\"openl3\" is not one"));
}
