//! Dropped folders: the entries of a drop (taken while the drop event lasts, as browsers require)
//! walked recursively into their files, in name order.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, File, FileSystemDirectoryEntry, FileSystemDirectoryReader, FileSystemEntry,
    FileSystemFileEntry,
};

/// The dropped entries, or `None` when none of them is a folder (plain files are read as before).
pub fn dropped_folders(dt: &DataTransfer) -> Option<Vec<FileSystemEntry>> {
    let items = dt.items();
    let entries: Vec<FileSystemEntry> = (0..items.length())
        .filter_map(|i| items.get(i))
        .filter(|item| item.kind() == "file")
        .filter_map(|item| item.webkit_get_as_entry().ok().flatten())
        .collect();
    entries
        .iter()
        .any(FileSystemEntry::is_directory)
        .then_some(entries)
}

/// A callback-style call turned into a future: `start(resolve, reject)`.
async fn callback(start: impl FnOnce(&Function, &Function)) -> Result<JsValue, JsValue> {
    let mut start = Some(start);
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(start) = start.take() {
            start(&resolve, &reject);
        }
    });
    JsFuture::from(promise).await
}

async fn read_batch(reader: &FileSystemDirectoryReader) -> Result<Vec<FileSystemEntry>, JsValue> {
    let batch = callback(|ok, err| {
        if let Err(e) = reader.read_entries_with_callback_and_callback(ok, err) {
            let _ = err.call1(&JsValue::NULL, &e);
        }
    })
    .await?;
    // Unchecked: Chromium names these classes differently (`DirectoryEntry`, `FileEntry`), so
    // an `instanceof FileSystemEntry` check would reject every one of them.
    Ok(batch
        .dyn_into::<Array>()
        .map(|a| a.iter().map(JsCast::unchecked_into).collect())
        .unwrap_or_default())
}

async fn file_of(entry: &FileSystemFileEntry) -> Result<File, JsValue> {
    callback(|ok, err| entry.file_with_callback_and_callback(ok, err))
        .await?
        .dyn_into()
}

/// Every file under `entries` (folders walked depth-first; each folder's entries in name order).
/// Unreadable entries are returned by path in the second list.
pub async fn files_under(entries: Vec<FileSystemEntry>) -> (Vec<File>, Vec<String>) {
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    let mut stack: Vec<FileSystemEntry> = entries.into_iter().rev().collect();
    while let Some(entry) = stack.pop() {
        if entry.is_directory() {
            let dir: FileSystemDirectoryEntry = entry.clone().unchecked_into();
            let reader = dir.create_reader();
            let mut children = Vec::new();
            // readEntries returns a folder in batches (100 in Chromium) until an empty one.
            loop {
                match read_batch(&reader).await {
                    Ok(batch) if batch.is_empty() => break,
                    Ok(batch) => children.extend(batch),
                    Err(_) => {
                        unreadable.push(entry.full_path());
                        break;
                    }
                }
            }
            children.sort_by_key(FileSystemEntry::name);
            stack.extend(children.into_iter().rev());
        } else {
            let file_entry: FileSystemFileEntry = entry.clone().unchecked_into();
            match file_of(&file_entry).await {
                Ok(f) => files.push(f),
                Err(_) => unreadable.push(entry.full_path()),
            }
        }
    }
    (files, unreadable)
}
