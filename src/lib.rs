//! earshot in the browser: the plain-Rust parts shared by the page (`src/main.rs`) and its search
//! worker (`src/bin/earshot-worker/`). No web types here, so all of it is tested natively.
//!
//! Data flows one way: the page decodes audio → the worker computes features, embeds and
//! searches ([`service`]) → the page shows the ranked results.

pub mod analysis;
pub mod batch;
pub mod export;
pub mod layout;
pub mod library;
pub mod offline;
pub mod preview;
pub mod protocol;
pub mod service;
pub mod session;
