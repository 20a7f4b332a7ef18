//! Validation and mixing of `audio::prepare`, and errors (never panics) of the feature path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use earshot_core::Error;
use earshot_core::{clip_vector, delta, FeatureExtractor, Frames};
use earshot_core::{mix_to_mono, prepare, resample, validate, TARGET_SR};

#[test]
fn empty_input_is_an_error() {
    assert_eq!(prepare(&[], 44100), Err(Error::Empty));
    assert_eq!(prepare(&[vec![]], 44100), Err(Error::Empty));
    assert_eq!(prepare(&[vec![], vec![]], 22050), Err(Error::Empty));
    assert_eq!(mix_to_mono(&[]), Err(Error::Empty));
    let fx = FeatureExtractor::default();
    assert_eq!(fx.mel_db(&[]), Err(Error::Empty));
    assert_eq!(fx.mfcc(&[]), Err(Error::Empty));
    assert_eq!(fx.clip_vector_of(&[]), Err(Error::Empty));
}

#[test]
fn non_finite_samples_are_counted() {
    let x = vec![
        vec![0.0, f32::NAN, 1.0, f32::INFINITY],
        vec![f32::NEG_INFINITY, 0.0, 0.0, 0.0],
    ];
    assert_eq!(prepare(&x, 44100), Err(Error::NonFinite(3)));
    assert_eq!(
        FeatureExtractor::default().mfcc(&[0.0, f32::NAN]),
        Err(Error::NonFinite(1))
    );
}

#[test]
fn sample_rate_bounds() {
    let x = vec![vec![0.1f32; 100]];
    for bad in [0u32, 999, 768_001, u32::MAX] {
        assert_eq!(prepare(&x, bad), Err(Error::SampleRate(bad)), "{bad}");
    }
    for good in [1000u32, 8000, 22050, 44100, 768_000] {
        let y = prepare(&x, good).unwrap();
        assert!(!y.is_empty(), "{good}");
    }
    assert!(resample(&[0.0; 4], 0, 22050).is_err());
    assert!(resample(&[0.0; 4], 22050, 0).is_err());
}

#[test]
fn ragged_channels_are_an_error() {
    let x = vec![vec![0.0f32; 10], vec![0.0f32; 9]];
    assert_eq!(prepare(&x, 44100), Err(Error::RaggedChannels));
    assert_eq!(mix_to_mono(&x), Err(Error::RaggedChannels));
    assert_eq!(
        validate(&[vec![0.0], vec![]], 44100),
        Err(Error::RaggedChannels)
    );
}

#[test]
fn one_sample_works() {
    let fx = FeatureExtractor::default();
    for sr in [TARGET_SR, 44100, 8000, 96000, 1000, 768_000] {
        let y = prepare(&[vec![0.5]], sr).unwrap();
        assert!(!y.is_empty(), "{sr}");
        let m = fx.mfcc(&y).unwrap();
        assert_eq!(m.n_rows, 100);
        assert!(m.data.iter().all(|v| v.is_finite()));
        let c = clip_vector(&m);
        assert_eq!(c.len(), 300);
        assert!(c.iter().all(|v| v.is_finite()));
    }
    assert_eq!(prepare(&[vec![0.5]], TARGET_SR).unwrap(), vec![0.5]);
}

#[test]
fn untouched_at_target_rate() {
    let x: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).sin()).collect();
    assert_eq!(prepare(std::slice::from_ref(&x), TARGET_SR).unwrap(), x);
}

#[test]
fn eight_channels_mix_to_the_mean() {
    let n = 500;
    let chans: Vec<Vec<f32>> = (0..8)
        .map(|c| {
            (0..n)
                .map(|i| (c as f32 + 1.0) * ((i % 7) as f32 - 3.0) / 40.0)
                .collect()
        })
        .collect();
    let mono = mix_to_mono(&chans).unwrap();
    for (i, &v) in mono.iter().enumerate() {
        let mean = chans.iter().map(|c| f64::from(c[i])).sum::<f64>() / 8.0;
        assert!((f64::from(v) - mean).abs() < 1e-7, "{i}");
    }
    assert_eq!(prepare(&chans, TARGET_SR).unwrap(), mono);
    // Opposite channels cancel.
    let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.1).sin()).collect();
    let b: Vec<f32> = a.iter().map(|v| -v).collect();
    assert!(mix_to_mono(&[a, b]).unwrap().iter().all(|&v| v == 0.0));
}

#[test]
fn prepare_resamples_to_the_target_rate() {
    let x = vec![vec![0.0f32; 44100], vec![0.0f32; 44100]];
    assert_eq!(prepare(&x, 44100).unwrap().len(), 22050);
    assert_eq!(prepare(&[vec![0.0f32; 48000]], 48000).unwrap().len(), 22050);
    assert_eq!(prepare(&[vec![0.0f32; 8001]], 8000).unwrap().len(), 22053);
}

#[test]
fn degenerate_frames_do_not_panic() {
    let empty = Frames {
        n_rows: 100,
        n_frames: 0,
        data: vec![],
    };
    assert_eq!(delta(&empty, 1).n_frames, 0);
    assert_eq!(clip_vector(&empty), vec![0.0; 300]);
    let bad = Frames {
        n_rows: 3,
        n_frames: 5,
        data: vec![1.0; 4],
    };
    assert_eq!(delta(&bad, 1).data.len(), 15);
    let one = Frames {
        n_rows: 2,
        n_frames: 1,
        data: vec![1.0, 2.0],
    };
    assert_eq!(delta(&one, 1).data, vec![0.0, 0.0]);
    assert_eq!(delta(&one, 0), one);
    assert_eq!(delta(&one, 9).data, vec![0.0, 0.0]);
    assert_eq!(clip_vector(&one).len(), 6);
}
