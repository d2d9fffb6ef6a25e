//! Maps every core [`Error`] to a JS `Error` subclass (from `js/errors.js`),
//! once, here. The message is the core's `Display`, which never holds a
//! secret. One meaning per field: `code` (the kind), `status`, `retryAfter`,
//! `retryAfterAt`, `oauthError`, `oauthDescription`, `stage` (and `cause`),
//! `storeKind`, `transportKind`, `field`.

use mapsindoors_auth::{Error, ErrorKind, RetryAfter};
use wasm_bindgen::prelude::*;

use crate::values::Fields;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(code: &str, message: &str, fields: &JsValue) -> JsValue;
    /// Whether a store's rejection is a `StoreConflictError` (a generation mismatch).
    #[wasm_bindgen(js_name = isConflict)]
    pub(crate) fn is_conflict(error: &JsValue) -> bool;
}

/// The core's error kinds (`ErrorKind::ALL`), one JS error class each.
#[wasm_bindgen(js_name = errorKinds)]
pub fn error_kinds() -> Vec<String> {
    ErrorKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect()
}

/// The JS error object for a core error.
pub(crate) fn to_js(error: &Error) -> JsValue {
    let (seconds, at) = match error.retry_after() {
        Some(RetryAfter::Seconds(s)) => (Some(s as f64), None),
        Some(RetryAfter::At(at)) => (None, Some(at as f64)),
        None => (None, None),
    };
    let oauth = error.oauth();
    let description = oauth.and_then(|o| o.description.as_deref());
    let fields = Fields::new()
        .opt("status", error.status())
        .opt("retryAfter", seconds)
        .opt("retryAfterAt", at)
        .opt("oauthError", oauth.map(|o| o.code.as_str()))
        .opt("oauthDescription", description);
    let fields = match error {
        Error::InvalidInput { field, .. } => fields.set("field", field.as_str()),
        Error::Transport(t) => fields.set("transportKind", t.kind.as_str()),
        Error::Store { kind, .. } => fields.set("storeKind", kind.to_string()),
        Error::RotationIncomplete { stage, cause } => fields
            .set("stage", stage.as_str())
            .set("cause", to_js(cause)),
        _ => fields,
    };
    make_error(error.kind().as_str(), &error.to_string(), &fields.into())
}

/// A binding-side misuse (bad options), as the core's `invalid_input`.
pub(crate) fn invalid_input(field: &str, reason: &str) -> Error {
    Error::InvalidInput {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}
