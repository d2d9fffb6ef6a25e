//! Moves the core's plain [`HttpRequest`] values over HTTP: the host's
//! `fetch` (through gloo-net), or a JS function the caller passed as
//! `transport`. A failed fetch is a [`TransportError`] of kind `connect`;
//! no answer within `timeoutMs` is one of kind `timeout`.

use std::future::poll_fn;
use std::pin::pin;
use std::task::Poll;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use mapsindoors_auth::{
    HttpRequest, HttpResponse, Method, Purpose, TransportError, TransportErrorKind,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

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
    /// Sends `request`, giving up after `timeout_ms`.
    pub(crate) async fn send(
        &self,
        request: &HttpRequest,
        purpose: Purpose,
        timeout_ms: u64,
    ) -> Result<HttpResponse, TransportError> {
        let mut sent = pin!(async {
            match self {
                Transport::Fetch => fetch(request).await,
                Transport::Custom(f) => custom(f, request, purpose).await,
            }
        });
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

async fn fetch(request: &HttpRequest) -> Result<HttpResponse, TransportError> {
    use gloo_net::http::{Method as M, RequestBuilder};
    let method = match request.method {
        Method::Post => M::POST,
        Method::Delete => M::DELETE,
        _ => M::GET,
    };
    let mut builder = RequestBuilder::new(&request.url).method(method);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let built = if request.body.is_empty() {
        builder.build()
    } else {
        builder.body(Uint8Array::from(request.body.as_slice()))
    };
    let built = built.map_err(|e| {
        TransportError::new(
            TransportErrorKind::Other,
            format!("cannot build the request: {e}"),
        )
    })?;
    let response = built.send().await.map_err(|e| {
        TransportError::new(
            TransportErrorKind::Connect,
            format!("fetch failed ({e}); is the server up and does it allow this origin (CORS)?"),
        )
    })?;
    let status = response.status();
    let headers = response.headers().entries().collect();
    let body = response.binary().await.map_err(|e| {
        TransportError::new(
            TransportErrorKind::Interrupted,
            format!("reading the body failed: {e}"),
        )
    })?;
    Ok(HttpResponse::new(status, headers, body))
}

async fn custom(
    f: &Function,
    request: &HttpRequest,
    purpose: Purpose,
) -> Result<HttpResponse, TransportError> {
    let js_request = Object::new();
    let headers = Array::new();
    for (name, value) in &request.headers {
        headers.push(&Array::of2(&name.into(), &value.into()));
    }
    let _ = Reflect::set(
        &js_request,
        &"method".into(),
        &request.method.as_str().into(),
    );
    let _ = Reflect::set(&js_request, &"url".into(), &request.url.as_str().into());
    let _ = Reflect::set(&js_request, &"headers".into(), &headers);
    let body = String::from_utf8_lossy(&request.body).into_owned();
    let _ = Reflect::set(&js_request, &"body".into(), &body.into());
    let _ = Reflect::set(&js_request, &"purpose".into(), &purpose.as_str().into());
    let outcome = match f.call1(&JsValue::NULL, &js_request) {
        Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
        Err(e) => Err(e),
    };
    let value = outcome.map_err(thrown)?;
    let status = Reflect::get(&value, &"status".into())
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
        read_headers(&Reflect::get(&value, &"headers".into()).unwrap_or(JsValue::UNDEFINED));
    let body = Reflect::get(&value, &"body".into())
        .ok()
        .and_then(|b| b.as_string())
        .unwrap_or_default();
    Ok(HttpResponse::new(status as u16, headers, body.into_bytes()))
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
