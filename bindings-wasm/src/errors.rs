//! Maps every core [`Error`] to a JS `Error` subclass (from `js/errors.js`),
//! once, here. The message is the core's `Display`, which never holds a
//! secret. One meaning per field: `code` (the kind), `status`, `retryAfter`,
//! `retryAfterAt`, `oauthError`, `oauthDescription`, `stage` (and `cause`),
//! `storeKind`, `transportKind`, `field`.

use mapsindoors_auth::{Error, ErrorKind, RetryAfter};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::js::{Js, to_js as plain};

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

/// The fields of a JS error besides `code` and `message` (`null` when they
/// do not apply).
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct Fields<'a> {
    status: Option<u16>,
    retry_after: Option<f64>,
    retry_after_at: Option<f64>,
    oauth_error: Option<&'a str>,
    oauth_description: Option<&'a str>,
    field: Option<&'a str>,
    transport_kind: Option<&'a str>,
    store_kind: Option<String>,
    stage: Option<&'a str>,
    cause: Option<Js>,
}

/// The JS error object for a core error.
pub(crate) fn to_js(error: &Error) -> JsValue {
    let (retry_after, retry_after_at) = match error.retry_after() {
        Some(RetryAfter::Seconds(s)) => (Some(s as f64), None),
        Some(RetryAfter::At(at)) => (None, Some(at as f64)),
        None => (None, None),
    };
    let oauth = error.oauth();
    let mut fields = Fields {
        status: error.status(),
        retry_after,
        retry_after_at,
        oauth_error: oauth.map(|o| o.code.as_str()),
        oauth_description: oauth.and_then(|o| o.description.as_deref()),
        ..Fields::default()
    };
    match error {
        Error::InvalidInput { field, .. } => fields.field = Some(field),
        Error::Transport(t) => fields.transport_kind = Some(t.kind.as_str()),
        Error::Store { kind, .. } => fields.store_kind = Some(kind.to_string()),
        Error::RotationIncomplete { stage, cause } => {
            fields.stage = Some(stage.as_str());
            fields.cause = Some(Js(to_js(cause)));
        }
        _ => {}
    }
    make_error(error.kind().as_str(), &error.to_string(), &plain(&fields))
}

/// A binding-side misuse (bad options), as the core's `invalid_input`.
pub(crate) fn invalid_input(field: &str, reason: &str) -> Error {
    Error::InvalidInput {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
}
