//! earshot — cross-modal audio search in the browser. First slice: analyse one query clip
//! (file, drop or microphone) with the core and show its waveform and mel spectrogram.

mod analysis;
mod app;
mod decode;
mod draw;
mod record;

/// Writes `msg` into the error element (used by the panic hook; works without Leptos).
fn show_fatal(msg: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(el)) = doc.query_selector("[data-testid=error]") {
        el.set_text_content(Some(msg));
        let _ = el.remove_attribute("hidden");
    }
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let payload = info.payload();
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown error".to_owned());
        show_fatal(&format!(
            "Something went wrong inside earshot ({detail}). Reload the page to continue."
        ));
    }));
}

fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set("ready", "1");
    }
}

fn main() {
    install_panic_hook();
    leptos::mount::mount_to_body(app::App);
    mark_ready();
}
