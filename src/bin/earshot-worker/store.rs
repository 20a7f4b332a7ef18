//! The library in IndexedDB (through the `idb` crate): the store `sounds`, each record
//! `{meta: JSON text, embedding: Float32Array}` under an auto-increment key, and the store `audio`
//! with the kept sound files (Blobs) under the same keys. Additions are one transaction per
//! batch, so a failure (a full quota) leaves the earlier library untouched.

use earshot_web::library::Meta;
use idb::{
    Database, DatabaseEvent, Factory, ObjectStore, ObjectStoreParams, Transaction, TransactionMode,
};
use js_sys::{Float32Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

pub const DB_NAME: &str = "earshot-library";
/// Schema version. 1: store `sounds` (out-of-line auto-increment keys); 2: store `audio` (the
/// kept sound files, keyed like `sounds`).
pub const DB_VERSION: u32 = 2;
const STORE: &str = "sounds";
const AUDIO: &str = "audio";

/// A sentence for an IndexedDB failure; a full quota and a blocked database get their own.
fn reason(e: &idb::Error) -> String {
    let text = format!("{e}");
    if text.contains("QuotaExceeded") || text.to_ascii_lowercase().contains("quota") {
        "The browser's storage for this page is full, so nothing was added; the library is as it was. Free some space (or delete sounds) and try again.".into()
    } else {
        format!("The library storage failed ({text}); the library is as it was.")
    }
}

pub async fn open() -> Result<Database, String> {
    let unavailable = |why: String| earshot_web::library::unavailable(&why);
    let factory = Factory::new().map_err(|e| unavailable(e.to_string()))?;
    let mut request = factory
        .open(DB_NAME, Some(DB_VERSION))
        .map_err(|e| unavailable(e.to_string()))?;
    request.on_upgrade_needed(|event| {
        let Ok(db) = event.database() else {
            return;
        };
        let old = event.old_version().unwrap_or(0);
        let has = |name: &str| db.store_names().iter().any(|n| n == name);
        if old < 1 && !has(STORE) {
            let mut params = ObjectStoreParams::new();
            params.auto_increment(true);
            let _ = db.create_object_store(STORE, params);
        }
        // 1 → 2: sounds stay as they are (no audio kept for them).
        if old < 2 && !has(AUDIO) {
            let _ = db.create_object_store(AUDIO, ObjectStoreParams::new());
        }
        // Later versions migrate here, step by step from `old`.
    });
    request.await.map_err(|e| unavailable(e.to_string()))
}

fn record(meta: &Meta, embedding: &[f32]) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(
        &o,
        &"meta".into(),
        &earshot_web::protocol::encode(meta).into(),
    );
    let _ = Reflect::set(&o, &"embedding".into(), &Float32Array::from(embedding));
    o.into()
}

/// Every stored sound, in key order.
pub async fn load_all(db: &Database) -> Result<Vec<(Meta, Vec<f32>)>, String> {
    let (_tx, store) = sounds(db, TransactionMode::ReadOnly)?;
    let keys = store
        .get_all_keys(None, None)
        .map_err(|e| reason(&e))?
        .await
        .map_err(|e| reason(&e))?;
    let values = store
        .get_all(None, None)
        .map_err(|e| reason(&e))?
        .await
        .map_err(|e| reason(&e))?;
    let mut out = Vec::with_capacity(values.len());
    for (k, v) in keys.iter().zip(values) {
        let meta = Reflect::get(&v, &"meta".into())
            .ok()
            .and_then(|m| m.as_string())
            .and_then(|m| serde_json::from_str::<Meta>(&m).ok());
        let emb = Reflect::get(&v, &"embedding".into())
            .ok()
            .and_then(|e| e.dyn_into::<Float32Array>().ok());
        // A record this version cannot read is skipped, not fatal.
        if let (Some(mut meta), Some(emb), Some(key)) = (meta, emb, k.as_f64()) {
            meta.key = key as u64;
            out.push((meta, emb.to_vec()));
        }
    }
    Ok(out)
}

/// A transaction on the sounds store, and the store.
fn sounds(db: &Database, mode: TransactionMode) -> Result<(Transaction, ObjectStore), String> {
    let tx = db.transaction(&[STORE], mode).map_err(|e| reason(&e))?;
    let store = tx.object_store(STORE).map_err(|e| reason(&e))?;
    Ok((tx, store))
}

/// A read-write transaction on both stores: (transaction, sounds, audio).
fn both(db: &Database) -> Result<(Transaction, ObjectStore, ObjectStore), String> {
    let tx = db
        .transaction(&[STORE, AUDIO], TransactionMode::ReadWrite)
        .map_err(|e| reason(&e))?;
    let sounds = tx.object_store(STORE).map_err(|e| reason(&e))?;
    let audio = tx.object_store(AUDIO).map_err(|e| reason(&e))?;
    Ok((tx, sounds, audio))
}

/// Sound `key`'s kept audio file, if any.
pub async fn audio(db: &Database, key: u64) -> Result<Option<Blob>, String> {
    let tx = db
        .transaction(&[AUDIO], TransactionMode::ReadOnly)
        .map_err(|e| reason(&e))?;
    let store = tx.object_store(AUDIO).map_err(|e| reason(&e))?;
    let value = store
        .get(JsValue::from(key as f64))
        .map_err(|e| reason(&e))?
        .await
        .map_err(|e| reason(&e))?;
    Ok(value.and_then(|v| v.dyn_into::<Blob>().ok()))
}

/// Commits `tx`; an aborted transaction (a full quota) is an error, and nothing was written.
async fn commit(tx: Transaction) -> Result<(), String> {
    let done = tx
        .commit()
        .map_err(|e| reason(&e))?
        .await
        .map_err(|e| reason(&e))?;
    if done.is_committed() {
        Ok(())
    } else {
        Err(reason(&idb::Error::AddFailed(
            "QuotaExceededError: the transaction was aborted".into(),
        )))
    }
}

/// Adds `items` (with their audio files where kept) in one transaction; returns their keys. On
/// failure nothing is written.
pub async fn add_all(
    db: &Database,
    items: &[(Meta, Vec<f32>, Option<Blob>)],
) -> Result<Vec<u64>, String> {
    let (tx, store, audio) = both(db)?;
    let mut requests = Vec::with_capacity(items.len());
    for (meta, emb, _) in items {
        requests.push(
            store
                .add(&record(meta, emb), None)
                .map_err(|e| reason(&e))?,
        );
    }
    let mut keys = Vec::with_capacity(items.len());
    for r in requests {
        match r.await {
            Ok(k) => keys.push(k.as_f64().unwrap_or(0.0) as u64),
            Err(e) => {
                let _ = tx.abort();
                return Err(reason(&e));
            }
        }
    }
    // The files go in under the keys just given, in the same transaction.
    let mut puts = Vec::new();
    for ((_, _, blob), key) in items.iter().zip(&keys) {
        if let Some(blob) = blob {
            puts.push(
                audio
                    .put(blob, Some(&JsValue::from(*key as f64)))
                    .map_err(|e| reason(&e))?,
            );
        }
    }
    for p in puts {
        if let Err(e) = p.await {
            let _ = tx.abort();
            return Err(reason(&e));
        }
    }
    commit(tx).await?;
    Ok(keys)
}

/// Replaces sound `key`'s record (same embedding, new metadata).
pub async fn put(db: &Database, meta: &Meta, embedding: &[f32]) -> Result<(), String> {
    let (tx, store) = sounds(db, TransactionMode::ReadWrite)?;
    store
        .put(
            &record(meta, embedding),
            Some(&JsValue::from(meta.key as f64)),
        )
        .map_err(|e| reason(&e))?
        .await
        .map_err(|e| reason(&e))?;
    commit(tx).await
}

/// Deletes sound `key` and its audio.
pub async fn delete(db: &Database, key: u64) -> Result<(), String> {
    let (tx, store, audio) = both(db)?;
    for s in [&store, &audio] {
        s.delete(JsValue::from(key as f64))
            .map_err(|e| reason(&e))?
            .await
            .map_err(|e| reason(&e))?;
    }
    commit(tx).await
}

pub async fn clear(db: &Database) -> Result<(), String> {
    let (tx, store, audio) = both(db)?;
    for s in [&store, &audio] {
        s.clear()
            .map_err(|e| reason(&e))?
            .await
            .map_err(|e| reason(&e))?;
    }
    commit(tx).await
}
