//! earshot — cross-modal audio search in the browser: the page (Leptos, `src/page/`). Features,
//! the model and the search run in a worker (`src/bin/earshot-worker/`); what both share is the
//! library (`src/lib.rs`). `body[data-ready]` is set once the worker has loaded the model,
//! vocabulary and index and the user's library has been read.

mod page;

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

fn main() {
    install_panic_hook();
    leptos::mount::mount_to_body(page::app::App);
}
