//! Moves the core's plain [`HttpRequest`] values over HTTP: the host's
//! `fetch` through gloo-net ([`fetch`](crate::fetch): never follows a
//! redirect, body capped while streaming), or a JS function the caller
//! passed as `transport`. One deadline, `timeoutMs`, covers each whole
//! exchange: no complete answer by then is a [`TransportError`] of kind
//! `timeout`; a failed fetch is one of kind `connect`.

use std::borrow::Cow;
use std::future::poll_fn;
use std::pin::{Pin, pin};
use std::task::Poll;

use js_sys::{Function, Promise};
use mapsindoors_auth::{HttpRequest, HttpResponse, Purpose, TransportError, TransportErrorKind};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

use crate::fetch::fetch;
use crate::js::{Prop, Thrown, to_js};
use crate::platform::timer;

/// How requests leave the client.
#[derive(Clone)]
pub(crate) enum Transport {
    /// The global `fetch`, through gloo-net.
    Fetch,
    /// `(request) => Promise<response>`, supplied by the caller.
    Custom(Function),
}

impl Transport {
    /// Sends `request` with one deadline, `timeout_ms`, for the whole
    /// exchange, raced against a timer. The host's fetch is then aborted
    /// (also after a capped body), closing its connection.
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        purpose: Purpose,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        match self {
            Transport::Fetch => {
                let abort = AbortController::new().map_err(|_| {
                    TransportError::new(TransportErrorKind::Other, "no AbortController")
                })?;
                let signal = abort.signal();
                let sent =
                    within(timeout_ms, "complete answer", pin!(fetch(request, &signal))).await;
                // Ends whatever is still open: a capped body, a dripping server.
                abort.abort();
                sent
            }
            Transport::Custom(f) => {
                within(timeout_ms, "answer", pin!(custom(f, request, purpose))).await
            }
        }
    }
}

/// `exchange`, unless `timeout_ms` passes first (then it is dropped): a
/// timeout saying no `what` came within it. Not generic: one copy serves
/// both transports.
async fn within(
    timeout_ms: u64,
    what: &str,
    mut sent: Pin<&mut dyn Future<Output = Result<HttpResponse, TransportError>>>,
) -> Result<HttpResponse, TransportError> {
    let mut timer = pin!(timer(timeout_ms));
    poll_fn(|cx| match sent.as_mut().poll(cx) {
        Poll::Ready(r) => Poll::Ready(r),
        Poll::Pending => timer.as_mut().poll(cx).map(|()| {
            Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!("no {what} within {timeout_ms} ms"),
            ))
        }),
    })
    .await
}

/// What a custom transport is given.
#[derive(Serialize)]
struct TransportRequest<'a> {
    method: &'a str,
    url: &'a str,
    headers: &'a [(String, String)],
    body: Cow<'a, str>,
    purpose: &'a str,
}

/// What a custom transport resolves with; what is missing or of the wrong
/// type reads as nothing.
#[derive(Deserialize, Default)]
#[serde(default)]
struct TransportResponse {
    status: Prop<f64>,
    headers: Prop<Headers>,
    body: Prop<String>,
}

async fn custom(
    f: &Function,
    request: &HttpRequest,
    purpose: Purpose,
) -> Result<HttpResponse, TransportError> {
    let js_request = to_js(&TransportRequest {
        method: request.method.as_str(),
        url: &request.url,
        headers: &request.headers,
        body: String::from_utf8_lossy(&request.body),
        purpose: purpose.as_str(),
    });
    let outcome = match f.call1(&JsValue::NULL, &js_request) {
        Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
        Err(e) => Err(e),
    };
    let value = outcome.map_err(thrown)?;
    let answer: TransportResponse = serde_wasm_bindgen::from_value(value).unwrap_or_default();
    let status = answer.status.ok().unwrap_or(0.0);
    if !(100.0..=999.0).contains(&status) {
        return Err(TransportError::new(
            TransportErrorKind::Other,
            "transport returned no valid `status`",
        ));
    }
    let headers = answer.headers.ok().map(|h| h.0).unwrap_or_default();
    let body = answer.body.ok().unwrap_or_default();
    Ok(HttpResponse::new(status as u16, headers, body.into_bytes()))
}

/// A transport function threw or rejected: its `kind` (`connect`, `timeout`,
/// `interrupted`) if it set one, else `connect`.
fn thrown(error: JsValue) -> TransportError {
    let mut thrown = Thrown::read(error);
    let kind = thrown.kind().map_or(TransportErrorKind::Connect, |k| {
        TransportErrorKind::from_name(&k)
    });
    let message = thrown
        .message()
        .unwrap_or_else(|| "the transport function failed".to_owned());
    TransportError::new(kind, message)
}

/// A response's headers: `[[name, value], ...]` or `{name: value}`; a pair
/// or value that is not strings is skipped.
struct Headers(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HeadersVisitor)
    }
}

struct HeadersVisitor;

impl<'de> Visitor<'de> for HeadersVisitor {
    type Value = Headers;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("header pairs or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Headers, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = seq.next_element::<Prop<(String, String)>>()? {
            pairs.extend(pair.ok());
        }
        Ok(Headers(pairs))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
        let mut pairs = Vec::new();
        while let Some((name, value)) = map.next_entry::<String, Prop<String>>()? {
            pairs.extend(value.ok().map(|v| (name, v)));
        }
        Ok(Headers(pairs))
    }
}
