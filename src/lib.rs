//! earshot in the browser: what the page (`src/main.rs`) and its search worker
//! (`src/bin/earshot-worker/`) share. All of it is plain Rust tested natively, but for
//! [`envelope`], the message format of both threads (JS values in, Rust values out).
//!
//! The three places: the page (`src/main.rs`, `src/page/`: components over [`session`]),
//! the worker (`src/bin/earshot-worker/`: message glue, fetching, IndexedDB, over [`worker`]),
//! and this library. Data flows one way: the page decodes audio → the worker computes features,
//! embeds and searches ([`service`]) → the page shows the ranked results.

pub mod analysis;
pub mod batch;
pub mod envelope;
pub mod export;
pub mod layout;
pub mod library;
pub mod map;
pub mod offline;
pub mod preview;
pub mod protocol;
pub mod service;
pub mod session;
pub mod waveform;
pub mod worker;
