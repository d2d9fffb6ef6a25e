//! Adapts a JS store object (async `load()` and compare-and-swap
//! `save(record, expectedGeneration)`) to the core's persist step.
//! `load()` may give a `StoreRecord`, its storage string, or null; a `save`
//! rejected with a `StoreConflictError` is the core's store conflict.

use js_sys::{Array, Function, Promise, Reflect};
use mapsindoors_auth::{Error, StoreErrorKind, StoreRecord};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::errors::is_conflict;
use crate::record::JsStoreRecord;

/// The caller's store.
#[derive(Clone)]
pub(crate) struct JsStore(JsValue);

impl JsStore {
    /// Checks `value` has `load` and `save` functions.
    pub(crate) fn new(value: JsValue) -> Result<Self, Error> {
        for name in ["load", "save"] {
            if !Reflect::get(&value, &name.into()).is_ok_and(|f| f.is_function()) {
                return Err(crate::errors::invalid_input(
                    "store",
                    &format!("must have an async `{name}` method"),
                ));
            }
        }
        Ok(Self(value))
    }

    /// Calls `store[name](...args)` and awaits it; a rejection is given back as is.
    async fn call(&self, name: &str, args: &Array) -> Result<JsValue, JsValue> {
        let f = Reflect::get(&self.0, &name.into())?;
        let called = Reflect::apply(f.unchecked_ref::<Function>(), &self.0, args)?;
        JsFuture::from(Promise::resolve(&called)).await
    }

    /// The stored record, or `None` when the store is empty.
    pub(crate) async fn load(&self) -> Result<Option<StoreRecord>, Error> {
        let value = self.call("load", &Array::new()).await.map_err(|e| {
            Error::store(
                StoreErrorKind::Io,
                format!("store.load() failed: {}", message(&e)),
            )
        })?;
        if value.is_null_or_undefined() {
            return Ok(None);
        }
        let text = value.as_string().or_else(|| {
            let f = Reflect::get(&value, &"toStorageString".into()).ok()?;
            Reflect::apply(f.dyn_ref::<Function>()?, &value, &Array::new())
                .ok()?
                .as_string()
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
        let args = Array::of2(&js, &(expected as f64).into());
        match self.call("save", &args).await {
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

fn message(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "rejected".to_owned())
}
