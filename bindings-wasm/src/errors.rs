//! Maps every core [`Error`] to a JS `Error` subclass (from `js/errors.js`),
//! once, here. The message is the core's `Display`, which never holds a
//! secret. One meaning per field: `code` (the kind), `status`, `retryAfter`,
//! `retryAfterAt`, `oauthError`, `oauthDescription`, `stage` (and `cause`),
//! `storeKind`, `transportKind`, `field`.

use js_sys::{Object, Reflect};
use mapsindoors_auth::{Error, ErrorKind, RetryAfter};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(code: &str, message: &str, fields: &Object) -> JsValue;
    #[wasm_bindgen(js_name = isConflict)]
    fn is_conflict_js(error: &JsValue) -> bool;
}

/// The core's error kinds (`ErrorKind::ALL`), one JS error class each.
#[wasm_bindgen(js_name = errorKinds)]
pub fn error_kinds() -> Vec<String> {
    ErrorKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect()
}

/// Whether a store's rejection is a `StoreConflictError` (a generation mismatch).
pub(crate) fn is_conflict(error: &JsValue) -> bool {
    is_conflict_js(error)
}

/// The JS error object for a core error.
pub(crate) fn to_js(error: &Error) -> JsValue {
    let fields = Object::new();
    let put = |key: &str, value: JsValue| {
        let _ = Reflect::set(&fields, &key.into(), &value);
    };
    if let Some(status) = error.status() {
        put("status", status.into());
    }
    match error.retry_after() {
        Some(RetryAfter::Seconds(s)) => put("retryAfter", (s as f64).into()),
        Some(RetryAfter::At(at)) => put("retryAfterAt", (at as f64).into()),
        None => {}
    }
    if let Some(oauth) = error.oauth() {
        put("oauthError", oauth.code.as_str().into());
        if let Some(d) = &oauth.description {
            put("oauthDescription", d.as_str().into());
        }
    }
    match error {
        Error::InvalidInput { field, .. } => put("field", field.as_str().into()),
        Error::Transport(t) => put("transportKind", t.kind.as_str().into()),
        Error::Store { kind, .. } => put("storeKind", kind.to_string().into()),
        Error::RotationIncomplete { stage, cause } => {
            put("stage", stage.as_str().into());
            put("cause", to_js(cause));
        }
        _ => {}
    }
    make_error(error.kind().as_str(), &error.to_string(), &fields)
}

/// A binding-side misuse (bad options), as the core's `invalid_input`.
pub(crate) fn invalid_input(field: &str, reason: &str) -> Error {
    Error::InvalidInput {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}
