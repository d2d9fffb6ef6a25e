//! Adapts a JS store object (async `load()` and `save(record)`) to the core's
//! persist step. `load()` may give a `StoreRecord`, its storage string, or null.

use js_sys::{Function, Promise, Reflect};
use mapsindoors_auth::{Error, StoreErrorKind, StoreRecord};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::record::JsStoreRecord;

/// The caller's store.
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

    async fn call(&self, name: &str, arg: Option<&JsValue>) -> Result<JsValue, Error> {
        let f: Function = Reflect::get(&self.0, &name.into())
            .ok()
            .and_then(|f| f.dyn_into().ok())
            .ok_or_else(|| {
                Error::store(
                    StoreErrorKind::Io,
                    format!("store.{name} is not a function"),
                )
            })?;
        let called = match arg {
            Some(a) => f.call1(&self.0, a),
            None => f.call0(&self.0),
        };
        let outcome = match called {
            Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
            Err(e) => Err(e),
        };
        outcome.map_err(|e| {
            Error::store(
                StoreErrorKind::Io,
                format!("store.{name}() failed: {}", message(&e)),
            )
        })
    }

    /// The stored record, or `None` when the store is empty.
    pub(crate) async fn load(&self) -> Result<Option<StoreRecord>, Error> {
        let value = self.call("load", None).await?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        let text = match value.as_string() {
            Some(t) => t,
            None => {
                let to_storage = Reflect::get(&value, &"toStorageString".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<Function>().ok());
                to_storage
                    .and_then(|f| f.call0(&value).ok())
                    .and_then(|t| t.as_string())
                    .ok_or_else(|| {
                        Error::store(
                            StoreErrorKind::Corrupt,
                            "load() must give a StoreRecord, its storage string, or null",
                        )
                    })?
            }
        };
        StoreRecord::from_json(&text).map(Some)
    }

    /// Saves a record; resolves once the store says it is durable.
    pub(crate) async fn save(&self, record: StoreRecord) -> Result<(), Error> {
        let js: JsValue = JsStoreRecord { inner: record }.into();
        self.call("save", Some(&js)).await.map(|_| ())
    }
}

fn message(e: &JsValue) -> String {
    Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "rejected".to_owned())
}
