//! Small helpers over the browser's document, shared by the page's components.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::set_timeout_with_handle;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, HtmlElement};

/// The absolute URL of the shipped assets (`pkg/` next to the page).
pub fn assets_base() -> String {
    let href = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    web_sys::Url::new_with_base("pkg/", &href)
        .map(|u| u.href())
        .unwrap_or_else(|_| "pkg/".to_owned())
}

/// `body[data-ready]`: the worker has loaded the model, vocabulary and index.
pub fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set("ready", "1");
    }
}

pub fn focus_selector(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// Offer `text` as a file download.
pub fn download(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let failed = |_| "The browser refused to save the export.".to_owned();
    let parts = js_sys::Array::of1(&text.into());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(failed)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("No document.")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(failed)?.unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // Revoke after the browser has started the download.
    let _ = set_timeout_with_handle(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        Duration::from_secs(10),
    );
    Ok(())
}

pub fn files_of(list: &web_sys::FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Whether a key went to a text field (page shortcuts leave it alone).
pub fn is_typing_target(ev: &ev::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
        .unwrap_or(false)
}

/// Whether a drag carries files (from the file system), not something dragged within the page.
pub fn carries_files(ev: &web_sys::DragEvent) -> bool {
    ev.data_transfer().is_some_and(|dt| {
        let types = dt.types();
        types
            .iter()
            .any(|t| t.as_string().as_deref() == Some("Files"))
    })
}

/// Scrolls the first element matching `selector` into view (a click on the map shows the results
/// it found).
pub fn scroll_into_view(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
    {
        el.scroll_into_view();
    }
}
