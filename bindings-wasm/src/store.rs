//! Adapts a JS store object (async `load()` and compare-and-swap
//! `save(record, expectedGeneration)`) to the core's persist step.
//! `load()` may give a `StoreRecord`, its storage string, or null; a `save`
//! rejected with a `StoreConflictError` is the core's store conflict.

use js_sys::{Function, Promise, Reflect};
use mapsindoors_auth::{Error, StoreErrorKind, StoreRecord};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::errors::{invalid_input, is_conflict};
use crate::js::{Js, Prop, Thrown};
use crate::record::JsStoreRecord;

/// The caller's store: the object and its two methods.
#[derive(Clone)]
pub(crate) struct JsStore {
    this: JsValue,
    load: Function,
    save: Function,
}

/// What a store must have.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Methods {
    load: Prop<Js>,
    save: Prop<Js>,
}

impl JsStore {
    /// Checks `value` has `load` and `save` functions.
    pub(crate) fn new(value: JsValue) -> Result<Self, Error> {
        let methods: Methods = serde_wasm_bindgen::from_value(value.clone()).unwrap_or_default();
        let method = |m: Prop<Js>, must| {
            m.ok()
                .and_then(Js::function)
                .ok_or_else(|| invalid_input("store", must))
        };
        Ok(Self {
            load: method(methods.load, "must have an async `load` method")?,
            save: method(methods.save, "must have an async `save` method")?,
            this: value,
        })
    }

    /// The stored record, or `None` when the store is empty.
    pub(crate) async fn load(&self) -> Result<Option<StoreRecord>, Error> {
        let called = self.load.call0(&self.this);
        let value = settle(called).await.map_err(|e| {
            Error::store(
                StoreErrorKind::Io,
                format!("store.load() failed: {}", message(&e)),
            )
        })?;
        if value.is_null_or_undefined() {
            return Ok(None);
        }
        // A `StoreRecord` (of this or another copy of the package): its method.
        let text = value.as_string().or_else(|| {
            let f = Reflect::get(&value, &"toStorageString".into()).ok()?;
            f.dyn_ref::<Function>()?.call0(&value).ok()?.as_string()
        });
        let text = text.ok_or_else(|| {
            Error::store(
                StoreErrorKind::Corrupt,
                "load() must give a StoreRecord, its storage string, or null",
            )
        })?;
        StoreRecord::from_json(&text).map(Some)
    }

    /// Saves `record` if the store still holds generation `expected` (0: the
    /// store must be empty); resolves once the store says it is durable. A
    /// `StoreConflictError` from the store is a [`StoreErrorKind::Conflict`].
    pub(crate) async fn save(&self, record: StoreRecord, expected: u64) -> Result<(), Error> {
        let generation = record.generation;
        let js: JsValue = JsStoreRecord { inner: record }.into();
        let called = self.save.call2(&self.this, &js, &(expected as f64).into());
        match settle(called).await {
            Ok(_) => Ok(()),
            Err(e) if is_conflict(&e) => Err(Error::store(
                StoreErrorKind::Conflict,
                format!(
                    "another rotation changed the store (saving generation {generation} found another than {expected}); run again"
                ),
            )),
            Err(e) => Err(Error::store(
                StoreErrorKind::Io,
                format!("store.save() failed: {}", message(&e)),
            )),
        }
    }
}

/// Awaits what a store method gave (a Promise or a value); a throw or a
/// rejection is given back as is.
async fn settle(called: Result<JsValue, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&called?)).await
}

/// What a store's rejection says: its `message`, or itself if a string.
fn message(e: &JsValue) -> String {
    Thrown::read(e.clone())
        .message()
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "rejected".to_owned())
}
