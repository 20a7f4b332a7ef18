//! The worker's library requests: IndexedDB first, then the in-memory copy the searches use, so
//! the two never disagree (a failed write changes neither).

use std::rc::Rc;

use earshot_core::{library_json_with_audio, parse_library_with_audio, Kept};
use earshot_web::library::{Meta, GONE};
use earshot_web::protocol::{Request, Response};
use idb::Database;
use js_sys::Array;
use wasm_bindgen::JsCast;
use web_sys::Blob;

use earshot_web::envelope::floats as channels_of;

use crate::{database_handle, fail, keep_database, post, post_values, store, with_service};

async fn database() -> Result<Rc<Database>, String> {
    if let Some(db) = database_handle() {
        return Ok(db);
    }
    let db = Rc::new(store::open().await?);
    keep_database(db.clone());
    Ok(db)
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn state(id: u32, added: usize) {
    if let Some(s) = with_service(|s| s.library_state(added)) {
        post(id, &Response::Library(s));
    }
}

/// The library file with the kept file of every sound that has one, read from storage.
async fn export_with_audio() -> Result<String, String> {
    let db = database().await?;
    let Some((dim, sounds)) = with_service(|s| {
        let l = &s.library;
        let sounds: Vec<(Meta, Vec<f32>)> = l
            .metas()
            .iter()
            .enumerate()
            .map(|(i, m)| (m.clone(), l.stored_vector(i).to_vec()))
            .collect();
        (l.dim(), sounds)
    }) else {
        return Err("The search worker is not ready yet; try again.".into());
    };
    let mut kept = Vec::with_capacity(sounds.len());
    for (meta, _) in &sounds {
        let file = if meta.audio {
            match store::audio(&db, meta.key).await? {
                Some(blob) => Some(kept_of(&blob).await?),
                None => None,
            }
        } else {
            None
        };
        kept.push(file);
    }
    Ok(library_json_with_audio(
        dim,
        sounds
            .iter()
            .zip(&kept)
            .map(|((m, v), k)| (m, v.as_slice(), k.as_ref())),
    ))
}

/// A stored Blob's type and bytes.
async fn kept_of(blob: &Blob) -> Result<Kept, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| "A kept sound file could not be read for the export.".to_owned())?;
    Ok(Kept {
        mime: blob.type_(),
        bytes: js_sys::Uint8Array::new(&buffer).to_vec(),
    })
}

/// A Blob of an imported sound's kept file.
fn blob_of(kept: &Kept) -> Option<Blob> {
    let bytes = js_sys::Uint8Array::from(kept.bytes.as_slice());
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(&kept.mime);
    Blob::new_with_u8_array_sequence_and_options(&js_sys::Array::of1(&bytes), &opts).ok()
}

/// Stores `items` (one transaction), then adds them to the searched library.
async fn add(id: u32, items: Vec<(Meta, Vec<f32>, Option<Blob>)>) {
    let db = match database().await {
        Ok(db) => db,
        Err(m) => return fail(id, m),
    };
    match store::add_all(&db, &items).await {
        Ok(keys) => {
            let n = items.len();
            with_service(|s| {
                for ((mut meta, emb, _), key) in items.into_iter().zip(keys) {
                    meta.key = key;
                    let point = s.tag_point(&meta);
                    if s.library.insert(meta, &emb).is_ok() {
                        s.library.set_tag_point(key, point);
                    }
                }
            });
            state(id, n);
        }
        Err(m) => fail(id, m),
    }
}

pub async fn handle(id: u32, req: Request, arrays: Array, dim: usize) {
    match req {
        Request::LibraryOpen => {
            let loaded = match database().await {
                Ok(db) => store::load_all(&db).await,
                Err(m) => Err(m),
            };
            match loaded {
                Ok(items) => {
                    with_service(|s| {
                        s.library.clear();
                        for (meta, emb) in items {
                            let (key, point) = (meta.key, s.tag_point(&meta));
                            // Sounds embedded by another model are kept as stale: found by
                            // name and tags until they are embedded again.
                            if s.library.insert(meta, &emb).is_ok() {
                                s.library.set_tag_point(key, point);
                            }
                        }
                    });
                    state(id, 0);
                }
                Err(m) => fail(id, m),
            }
        }
        Request::LibraryAdd { metas } => {
            // One embedding per sound, then the audio files of those that keep theirs.
            let embeddings = channels_of(&arrays);
            let mut files = arrays
                .iter()
                .filter_map(|a| a.dyn_into::<Blob>().ok())
                .collect::<Vec<_>>()
                .into_iter();
            let kept = metas.iter().filter(|m| m.audio).count();
            if embeddings.len() != metas.len()
                || embeddings.iter().any(|e| e.len() != dim)
                || files.len() != kept
            {
                return fail(
                    id,
                    "Could not add the sounds: their embeddings are damaged.".into(),
                );
            }
            let added = now_ms();
            let items = metas
                .into_iter()
                .zip(embeddings)
                .map(|(m, e)| {
                    let mut m = m.cleaned();
                    m.added = added;
                    let file = if m.audio { files.next() } else { None };
                    (m, e, file)
                })
                .collect();
            add(id, items).await;
        }
        Request::LibraryImport { json } => match with_service(|s| s.library.model().to_owned())
            .map(|model| parse_library_with_audio(&json, &model, dim))
            .unwrap_or_else(|| Err("The search worker is not ready yet; try again.".into()))
        {
            Ok(items) => {
                let items = items
                    .into_iter()
                    .map(|(mut m, e, kept)| {
                        let blob = kept.and_then(|k| blob_of(&k));
                        // A file the browser would not take back is a fingerprint.
                        m.audio = blob.is_some();
                        (m, e, blob)
                    })
                    .collect();
                add(id, items).await
            }
            Err(m) => fail(id, m),
        },
        Request::LibraryAudio { key } => {
            let found = match database().await {
                Ok(db) => store::audio(&db, key).await,
                Err(m) => Err(m),
            };
            match found {
                Ok(Some(blob)) => post_values(id, &Response::LibraryAudio { key }, &[blob.into()]),
                Ok(None) => fail(
                    id,
                    "Only the fingerprint of that sound was kept, not its audio.".into(),
                ),
                Err(m) => fail(id, m),
            }
        }
        Request::LibraryFile { key } => {
            let found = match database().await {
                Ok(db) => store::audio(&db, key).await.ok().flatten(),
                Err(_) => None,
            };
            // No file (a fingerprint, or storage failing): nothing to drag, and nothing to say.
            let values: Vec<wasm_bindgen::JsValue> = found.into_iter().map(Into::into).collect();
            post_values(id, &Response::LibraryFile { key }, &values);
        }
        Request::LibraryDelete { key } => {
            let done = match database().await {
                Ok(db) => store::delete(&db, key).await,
                Err(m) => Err(m),
            };
            match done {
                Ok(()) => {
                    with_service(|s| s.library.remove(key));
                    state(id, 0);
                }
                Err(m) => fail(id, m),
            }
        }
        Request::LibraryUpdate { key, name, tags } => {
            // The new metadata is checked in memory first, written, then kept.
            let prepared = with_service(|s| {
                let pos = s.library.position(key)?;
                let mut meta = s.library.metas()[pos].clone();
                meta.name = name;
                meta.tags = tags;
                let meta = meta.cleaned();
                let point = s.tag_point(&meta);
                Some((meta, s.library.stored_vector(pos).to_vec(), point))
            })
            .flatten();
            let Some((meta, emb, point)) = prepared else {
                return fail(id, GONE.into());
            };
            if meta.name.is_empty() {
                return fail(id, "A sound needs a name.".into());
            }
            let written = match database().await {
                Ok(db) => store::put(&db, &meta, &emb).await,
                Err(m) => Err(m),
            };
            match written {
                Ok(()) => {
                    with_service(|s| s.library.update(key, meta.name, meta.tags, point));
                    state(id, 0);
                }
                Err(m) => fail(id, m),
            }
        }
        Request::LibraryClear => {
            let done = match database().await {
                Ok(db) => store::clear(&db).await,
                Err(m) => Err(m),
            };
            match done {
                Ok(()) => {
                    with_service(|s| s.library.clear());
                    state(id, 0);
                }
                Err(m) => fail(id, m),
            }
        }
        Request::LibraryStale => {
            let stale: Vec<Meta> = with_service(|s| {
                (0..s.library.len())
                    .filter(|&i| s.library.is_stale(i) && s.library.metas()[i].audio)
                    .map(|i| s.library.metas()[i].clone())
                    .collect()
            })
            .unwrap_or_default();
            let db = match database().await {
                Ok(db) => db,
                Err(m) => return fail(id, m),
            };
            let mut metas = Vec::new();
            let mut blobs = Vec::new();
            for meta in stale {
                // A sound whose audio cannot be read stays stale (found by name and tags).
                if let Ok(Some(blob)) = store::audio(&db, meta.key).await {
                    metas.push(meta);
                    blobs.push(blob.into());
                }
            }
            post_values(id, &Response::Stale { metas }, &blobs);
        }
        Request::LibraryReembed { metas } => {
            let embeddings = channels_of(&arrays);
            if embeddings.len() != metas.len() || embeddings.iter().any(|e| e.len() != dim) {
                return fail(
                    id,
                    "Could not update your library: the new embeddings are damaged.".into(),
                );
            }
            let db = match database().await {
                Ok(db) => db,
                Err(m) => return fail(id, m),
            };
            for (meta, emb) in metas.into_iter().zip(embeddings) {
                // Written first, then searched: a failed write leaves the sound stale.
                let current = with_service(|s| s.library.position(meta.key).is_some());
                if current != Some(true) {
                    continue;
                }
                if let Err(m) = store::put(&db, &meta, &emb).await {
                    return fail(id, m);
                }
                with_service(|s| {
                    let point = s.tag_point(&meta);
                    let key = meta.key;
                    if s.library.replace(key, meta, &emb).is_ok() {
                        s.library.set_tag_point(key, point);
                    }
                });
            }
            state(id, 0);
        }
        Request::LibraryExport { audio: false } => {
            if let Some(json) = with_service(|s| s.library.export_json()) {
                post(id, &Response::Exported { json });
            }
        }
        Request::LibraryExport { audio: true } => match export_with_audio().await {
            Ok(json) => post(id, &Response::Exported { json }),
            Err(m) => fail(id, m),
        },
        _ => {}
    }
}
