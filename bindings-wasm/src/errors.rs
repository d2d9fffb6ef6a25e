//! Maps every core [`Error`] to a JS `Error` subclass (from `js/errors.js`),
//! once, here. The message is the core's `Display`, which never holds a secret.

use js_sys::{Object, Reflect};
use mapsindoors_auth::{Error, RetryAfter};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(code: &str, message: &str, fields: &Object) -> JsValue;
    #[wasm_bindgen(js_name = isConflict)]
    fn is_conflict_js(error: &JsValue) -> bool;
}

/// Whether a store's rejection is a `StoreConflictError` (a generation mismatch).
pub(crate) fn is_conflict(error: &JsValue) -> bool {
    is_conflict_js(error)
}

/// The JS error object for a core error.
pub(crate) fn to_js(error: &Error) -> JsValue {
    let fields = Object::new();
    put(&fields, "status", error.status().map(f64::from));
    match error.retry_after() {
        Some(RetryAfter::Seconds(s)) => put(&fields, "retryAfter", Some(s as f64)),
        Some(RetryAfter::At(at)) => put(&fields, "retryAfterAt", Some(at as f64)),
        None => {}
    }
    if let Some(oauth) = error.oauth() {
        put_str(&fields, "oauthError", Some(&oauth.code));
        put_str(&fields, "oauthDescription", oauth.description.as_deref());
    }
    match error {
        Error::InvalidInput { field, .. } => put_str(&fields, "detail", Some(field)),
        Error::Transport(t) => put_str(&fields, "detail", Some(t.kind.as_str())),
        Error::Store { kind, .. } => put_str(&fields, "detail", Some(&kind.to_string())),
        Error::RotationIncomplete { stage, cause } => {
            put_str(&fields, "detail", Some(stage));
            let _ = Reflect::set(&fields, &"cause".into(), &to_js(cause));
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

fn put(obj: &Object, key: &str, value: Option<f64>) {
    if let Some(v) = value {
        let _ = Reflect::set(obj, &key.into(), &JsValue::from_f64(v));
    }
}

fn put_str(obj: &Object, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        let _ = Reflect::set(obj, &key.into(), &JsValue::from_str(v));
    }
}
