//! Moves the core's plain [`HttpRequest`] values over HTTP: the host's
//! `fetch` (`js/fetch.js`: never follows a redirect, one deadline for headers
//! and body, body capped while streaming), or a JS function the caller passed
//! as `transport`. A failed fetch is a [`TransportError`] of kind `connect`;
//! no complete answer within `timeoutMs` is one of kind `timeout`.

use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use mapsindoors_auth::response::MAX_BODY_BYTES;
use mapsindoors_auth::{HttpRequest, HttpResponse, Purpose, TransportError, TransportErrorKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::platform::timer;

/// How requests leave the client.
#[derive(Clone)]
pub(crate) enum Transport {
    /// The global `fetch`, through `js/fetch.js`.
    Fetch,
    /// `(request) => Promise<response>`, supplied by the caller.
    Custom(Function),
}

impl Transport {
    /// Sends `request` with one deadline, `timeout_ms`, for the whole
    /// exchange. The host's fetch enforces it itself (aborting the request);
    /// a custom transport is raced against a timer.
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        purpose: Purpose,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        let f = match self {
            Transport::Fetch => return fetch(request, timeout_ms).await,
            Transport::Custom(f) => f,
        };
        let mut sent = pin!(custom(f, request, purpose));
        let mut timer = pin!(timer(timeout_ms));
        poll_fn(|cx| match sent.as_mut().poll(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => timer.as_mut().poll(cx).map(|()| {
                Err(TransportError::new(
                    TransportErrorKind::Timeout,
                    format!("no answer within {timeout_ms} ms"),
                ))
            }),
        })
        .await
    }
}

#[wasm_bindgen(module = "/js/fetch.js")]
extern "C" {
    /// `send(method, url, headers, body, timeoutMs, maxBody)` in `js/fetch.js`.
    #[wasm_bindgen(js_name = send, catch)]
    async fn fetch_js(
        method: &str,
        url: &str,
        headers: &Array,
        body: &Uint8Array,
        timeout_ms: f64,
        max_body: f64,
    ) -> Result<JsValue, JsValue>;
}

/// The host's `fetch` (`js/fetch.js`) with the core's policy:
/// - a redirect is never followed (`redirect: "manual"`): Node hands the 3xx
///   with its `Location` to the core, which refuses it naming the Location's
///   host. A browser hides both (an `opaqueredirect`, status 0): fetch.js
///   hands the core a `300` whose `Location` has no readable host, so the
///   core refuses it the same way (`unexpected_response`, never retried,
///   "a redirect to an unreadable host refused"), not as a transport error
///   it would retry;
/// - one deadline, `timeout_ms`, covers the headers and the whole body: it
///   aborts the request, closing the connection;
/// - the body is read through its stream, never past `MAX_BODY_BYTES + 1`
///   bytes, which the core then refuses as over its cap.
///
/// It throws `{kind, message}`; a message never quotes a header or body.
async fn fetch(request: &HttpRequest, timeout_ms: u64) -> Result<HttpResponse, TransportError> {
    let value = fetch_js(
        request.method.as_str(),
        &request.url,
        &header_pairs(request),
        &Uint8Array::from(request.body.as_slice()),
        timeout_ms as f64,
        MAX_BODY_BYTES as f64,
    )
    .await
    .map_err(thrown)?;
    let body = Reflect::get(&value, &"body".into()).unwrap_or(JsValue::UNDEFINED);
    let body = body
        .dyn_into::<Uint8Array>()
        .map(|b| b.to_vec())
        .unwrap_or_default();
    response(&value, body)
}

fn header_pairs(request: &HttpRequest) -> Array {
    let headers = Array::new();
    for (name, value) in &request.headers {
        headers.push(&Array::of2(&name.into(), &value.into()));
    }
    headers
}

async fn custom(
    f: &Function,
    request: &HttpRequest,
    purpose: Purpose,
) -> Result<HttpResponse, TransportError> {
    let js_request = Object::new();
    let _ = Reflect::set(
        &js_request,
        &"method".into(),
        &request.method.as_str().into(),
    );
    let _ = Reflect::set(&js_request, &"url".into(), &request.url.as_str().into());
    let _ = Reflect::set(&js_request, &"headers".into(), &header_pairs(request));
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let _ = Reflect::set(&js_request, &"body".into(), &body.into());
    let _ = Reflect::set(&js_request, &"purpose".into(), &purpose.as_str().into());
    let outcome = match f.call1(&JsValue::NULL, &js_request) {
        Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
        Err(e) => Err(e),
    };
    let value = outcome.map_err(thrown)?;
    let body = Reflect::get(&value, &"body".into())
        .ok()
        .and_then(|b| b.as_string())
        .unwrap_or_default();
    response(&value, body.into_bytes())
}

/// `{status, headers}` of a transport's answer, with its body already read.
fn response(value: &JsValue, body: Vec<u8>) -> Result<HttpResponse, TransportError> {
    let status = Reflect::get(value, &"status".into())
        .ok()
        .and_then(|s| s.as_f64())
        .unwrap_or(0.0);
    if !(100.0..=999.0).contains(&status) {
        return Err(TransportError::new(
            TransportErrorKind::Other,
            "transport returned no valid `status`",
        ));
    }
    let headers =
        read_headers(&Reflect::get(value, &"headers".into()).unwrap_or(JsValue::UNDEFINED));
    Ok(HttpResponse::new(status as u16, headers, body))
}

/// `[[name, value], ...]` or `{name: value}`.
fn read_headers(value: &JsValue) -> Vec<(String, String)> {
    let pairs: Array = if Array::is_array(value) {
        value.clone().unchecked_into()
    } else if value.is_object() {
        Object::entries(value.unchecked_ref())
    } else {
        Array::new()
    };
    pairs
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// A transport function threw or rejected: its `kind` (`connect`, `timeout`,
/// `interrupted`) if it set one, else `connect`.
fn thrown(error: JsValue) -> TransportError {
    let kind = Reflect::get(&error, &"kind".into())
        .ok()
        .and_then(|k| k.as_string());
    let kind = kind.map_or(TransportErrorKind::Connect, |k| {
        TransportErrorKind::from_name(&k)
    });
    let message = Reflect::get(&error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the transport function failed".to_owned());
    TransportError::new(kind, message)
}
