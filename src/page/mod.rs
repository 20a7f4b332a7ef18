//! The page: [`app`] lays out the components of [`view`] over the [`shell`] (the session in a
//! signal, and the browser's handles); the rest is browser glue (the worker client, decoding in
//! the browser, recording, drawing, playback, dropped folders, the indexing pool, the service
//! worker).

pub mod app;
pub mod client;
pub mod decode;
pub mod dom;
pub mod draw;
pub mod folder;
pub mod player;
pub mod pool;
pub mod record;
pub mod shell;
pub mod sw;
pub mod view;
