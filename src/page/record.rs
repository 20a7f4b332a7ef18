//! Microphone recording: getUserMedia → (AnalyserNode level meter, MediaRecorder). Stopping
//! (by the caller or after [`MAX_SECONDS`]) hands the recorded blob to `on_done`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{
    request_animation_frame_with_handle, set_timeout_with_handle, AnimationFrameRequestHandle,
    TimeoutHandle,
};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AnalyserNode, AudioContext, Blob, BlobEvent, BlobPropertyBag, DomException, MediaRecorder,
    MediaStream, MediaStreamConstraints, MediaStreamTrack,
};

pub const MAX_SECONDS: u64 = 30;
/// A recording shorter than this is not searched: too little sound to say anything about.
pub const MIN_SECONDS: f64 = 0.5;

/// The message for a recording of `seconds` that is too short to search, if it is.
pub fn too_short(seconds: f64) -> Option<String> {
    (seconds < MIN_SECONDS).then(|| {
        format!(
            "The recording is too short ({:.1} s): record at least {MIN_SECONDS} s.",
            seconds.max(0.0)
        )
    })
}

/// "0:07 / 0:30": how long a recording has run, against the limit.
pub fn elapsed_text(seconds: f64) -> String {
    let mmss = |s: u64| format!("{}:{:02}", s / 60, s % 60);
    let s = if seconds.is_finite() {
        seconds.clamp(0.0, MAX_SECONDS as f64) as u64
    } else {
        0
    };
    format!("{} / {}", mmss(s), mmss(MAX_SECONDS))
}

type Done = Box<dyn FnOnce(Result<Blob, String>)>;

/// A running recording. Dropping it does not stop it: call [`Recorder::stop`].
#[derive(Clone)]
pub struct Recorder(Rc<Inner>);

struct Inner {
    stream: MediaStream,
    ctx: AudioContext,
    analyser: AnalyserNode,
    recorder: MediaRecorder,
    stopped: Cell<bool>,
    frame: RefCell<Option<AnimationFrameRequestHandle>>,
    timeout: RefCell<Option<TimeoutHandle>>,
    on_level: Box<dyn Fn(f64)>,
}

/// Level in 0..=1 from an RMS amplitude: -60 dBFS → 0, 0 dBFS → 1.
pub fn level_from_rms(rms: f32) -> f64 {
    if rms.is_nan() || rms <= 0.0 {
        return 0.0;
    }
    ((20.0 * f64::from(rms).log10() + 60.0) / 60.0).clamp(0.0, 1.0)
}

pub fn rms(x: &[f32]) -> f32 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
}

/// A sentence for a getUserMedia failure.
fn mic_error(err: &JsValue) -> String {
    let name = err.dyn_ref::<DomException>().map(|e| e.name());
    match name.as_deref() {
        Some("NotAllowedError") | Some("SecurityError") => {
            "Microphone access was denied. Allow the microphone for this page and try again."
                .to_owned()
        }
        Some("NotFoundError") | Some("OverconstrainedError") => {
            "No microphone was found. Connect one and try again.".to_owned()
        }
        Some("NotReadableError") | Some("AbortError") => {
            "The microphone could not be opened; another application may be using it.".to_owned()
        }
        _ => "Could not start the microphone.".to_owned(),
    }
}

fn setup_failed(_: JsValue) -> String {
    "Could not start recording: this browser cannot record audio here.".to_owned()
}

impl Recorder {
    /// Asks for the microphone and starts recording. `on_level` gets the meter value every
    /// animation frame; `on_done` gets the recording (or an error sentence) once, after stop.
    pub async fn start(
        on_level: impl Fn(f64) + 'static,
        on_done: impl FnOnce(Result<Blob, String>) + 'static,
    ) -> Result<Recorder, String> {
        let window = web_sys::window().ok_or_else(|| setup_failed(JsValue::NULL))?;
        let devices = window.navigator().media_devices().map_err(|_| {
            "Recording needs microphone support and a secure page (https or localhost).".to_owned()
        })?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&JsValue::TRUE);
        let promise = devices
            .get_user_media_with_constraints(&constraints)
            .map_err(|e| mic_error(&e))?;
        let stream: MediaStream = JsFuture::from(promise)
            .await
            .map_err(|e| mic_error(&e))?
            .dyn_into()
            .map_err(setup_failed)?;

        let stop_tracks = |stream: &MediaStream| {
            for t in stream.get_tracks().iter() {
                if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                    t.stop();
                }
            }
        };
        let built = (|| -> Result<_, JsValue> {
            let ctx = AudioContext::new()?;
            let source = ctx.create_media_stream_source(&stream)?;
            let analyser = ctx.create_analyser()?;
            analyser.set_fft_size(2048);
            source.connect_with_audio_node(&analyser)?;
            let _ = ctx.resume();
            let recorder = MediaRecorder::new_with_media_stream(&stream)?;
            Ok((ctx, analyser, recorder))
        })();
        let (ctx, analyser, recorder) = match built {
            Ok(v) => v,
            Err(e) => {
                stop_tracks(&stream);
                return Err(setup_failed(e));
            }
        };

        // Chunks arrive on dataavailable; the final blob is assembled on stop.
        let chunks = Rc::new(RefCell::new(Vec::<Blob>::new()));
        let on_data = {
            let chunks = chunks.clone();
            Closure::<dyn FnMut(BlobEvent)>::new(move |ev: BlobEvent| {
                if let Some(b) = ev.data() {
                    chunks.borrow_mut().push(b);
                }
            })
        };
        let done: Rc<RefCell<Option<Done>>> = Rc::new(RefCell::new(Some(Box::new(on_done))));
        let on_stop = {
            let recorder = recorder.clone();
            Closure::<dyn FnMut()>::new(move || {
                let parts = js_sys::Array::new();
                for b in chunks.borrow_mut().drain(..) {
                    parts.push(&b);
                }
                let opts = BlobPropertyBag::new();
                opts.set_type(&recorder.mime_type());
                let blob = Blob::new_with_blob_sequence_and_options(&parts, &opts)
                    .map_err(|_| "Could not assemble the recording.".to_owned());
                if let Some(f) = done.borrow_mut().take() {
                    f(blob);
                }
            })
        };
        recorder.set_ondataavailable(Some(on_data.as_ref().unchecked_ref()));
        recorder.set_onstop(Some(on_stop.as_ref().unchecked_ref()));
        // The recorder outlives this function and fires each handler at most a few times;
        // the two small closures are leaked once per recording.
        on_data.forget();
        on_stop.forget();
        if let Err(e) = recorder.start() {
            stop_tracks(&stream);
            let _ = ctx.close();
            return Err(setup_failed(e));
        }

        let rec = Recorder(Rc::new(Inner {
            stream,
            ctx,
            analyser,
            recorder,
            stopped: Cell::new(false),
            frame: RefCell::new(None),
            timeout: RefCell::new(None),
            on_level: Box::new(on_level),
        }));
        let weak = Rc::downgrade(&rec.0);
        let timeout = set_timeout_with_handle(
            move || {
                if let Some(inner) = weak.upgrade() {
                    Recorder(inner).stop();
                }
            },
            Duration::from_secs(MAX_SECONDS),
        )
        .ok();
        *rec.0.timeout.borrow_mut() = timeout;
        rec.schedule_meter();
        Ok(rec)
    }

    fn schedule_meter(&self) {
        let weak = Rc::downgrade(&self.0);
        let handle = request_animation_frame_with_handle(move || {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            if inner.stopped.get() {
                return;
            }
            let mut buf = vec![0.0f32; inner.analyser.fft_size() as usize];
            inner.analyser.get_float_time_domain_data(&mut buf);
            (inner.on_level)(level_from_rms(rms(&buf)));
            Recorder(inner).schedule_meter();
        })
        .ok();
        *self.0.frame.borrow_mut() = handle;
    }

    /// Stops recording (idempotent); `on_done` follows once the recorder has flushed.
    pub fn stop(&self) {
        let inner = &self.0;
        if inner.stopped.replace(true) {
            return;
        }
        if let Some(h) = inner.frame.borrow_mut().take() {
            h.cancel();
        }
        if let Some(h) = inner.timeout.borrow_mut().take() {
            h.clear();
        }
        (inner.on_level)(0.0);
        if inner.recorder.state() != web_sys::RecordingState::Inactive {
            let _ = inner.recorder.stop();
        }
        for t in inner.stream.get_tracks().iter() {
            if let Ok(t) = t.dyn_into::<MediaStreamTrack>() {
                t.stop();
            }
        }
        let _ = inner.ctx.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_under_half_a_second_are_refused() {
        let m = too_short(0.18).unwrap_or_default();
        assert_eq!(
            m,
            "The recording is too short (0.2 s): record at least 0.5 s."
        );
        assert!(too_short(0.5).is_none());
        assert!(too_short(12.0).is_none());
        assert!(too_short(-1.0).is_some());
    }

    #[test]
    fn elapsed_against_the_limit() {
        assert_eq!(elapsed_text(0.0), "0:00 / 0:30");
        assert_eq!(elapsed_text(7.9), "0:07 / 0:30");
        assert_eq!(elapsed_text(31.0), "0:30 / 0:30");
        assert_eq!(elapsed_text(f64::NAN), "0:00 / 0:30");
        assert_eq!(elapsed_text(-2.0), "0:00 / 0:30");
    }

    #[test]
    fn level_scale() {
        assert_eq!(level_from_rms(0.0), 0.0);
        assert_eq!(level_from_rms(1.0), 1.0);
        assert!(level_from_rms(0.001) < 1e-6);
        assert_eq!(level_from_rms(0.000_1), 0.0);
        assert!((level_from_rms(0.031_622_8) - 0.5).abs() < 1e-3);
        assert_eq!(rms(&[3.0, -3.0]), 3.0);
    }
}
