//! The page's components, one per part of the page. Each gets the [`crate::page::shell::Shell`] by
//! context, reads the session through it and calls its actions; none holds logic of its own.

pub mod library;
pub mod library_item;
pub mod map;
pub mod query_panel;
pub mod results;
pub mod search_bar;
