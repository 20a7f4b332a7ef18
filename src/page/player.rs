//! Playback of result previews through the page's one `<audio>` element.

use web_sys::HtmlAudioElement;

/// Start `url` from the beginning (replacing whatever plays).
pub fn play(audio: &HtmlAudioElement, url: &str) -> Result<(), String> {
    if audio.src() != url {
        audio.set_src(url);
    } else {
        audio.set_current_time(0.0);
    }
    // The promise rejects when the browser refuses (no user gesture yet) or the file is missing;
    // `error`/`pause` events update the page in both cases.
    let started = audio
        .play()
        .map_err(|_| "The browser refused to play the preview.".to_owned())?;
    // A newer play() or pause() interrupts this one: a normal outcome, not an uncaught error.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(started).await;
    });
    Ok(())
}

pub fn stop(audio: &HtmlAudioElement) {
    let _ = audio.pause();
    audio.set_current_time(0.0);
}
