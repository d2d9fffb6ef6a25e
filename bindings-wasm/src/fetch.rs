//! The package's HTTP: the host's `fetch` through gloo-net, with the core's
//! policy. [`transport`](crate::transport) puts the deadline around it.
//!
//! - A redirect is never followed (`redirect: "manual"`): Node hands the 3xx
//!   with its `Location` to the core, which refuses it naming the Location's
//!   host. A browser hides both (an `opaqueredirect`, status 0): the core gets
//!   a `300` whose `Location` has no readable host and refuses it the same way
//!   (`unexpected_response`, never retried, "a redirect to an unreadable host
//!   refused"), not as a transport error it would retry.
//! - The caller's `AbortSignal` ends the request, headers and body alike,
//!   closing the connection.
//! - The body is read through its stream, never past `MAX_BODY_BYTES + 1`
//!   bytes, which the core then refuses as over its cap.
//!
//! A failure is a [`TransportError`] whose message names only the error's
//! code or name, never its message (which may quote a header).

use gloo_net::http::{Request, Response};
use js_sys::{Promise, Reflect, Uint8Array};
use mapsindoors_auth::response::MAX_BODY_BYTES;
use mapsindoors_auth::{HttpRequest, HttpResponse, TransportError, TransportErrorKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, ReadableStream, ReadableStreamDefaultReader, ReadableStreamReadResult,
    RequestInit, RequestRedirect, ResponseType,
};

use crate::js::Thrown;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, as gloo-net calls it (for Node: see [`send`]).
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_request(request: &web_sys::Request) -> Promise;
}

/// Sends `request` through the host's fetch; `signal` aborts it.
pub(crate) async fn fetch(
    request: &HttpRequest,
    signal: &AbortSignal,
) -> Result<HttpResponse, TransportError> {
    let response = send(build(request, signal)?).await?;
    // A browser hides a redirect's code and Location: a 3xx to a host nobody can read.
    if response.type_() == ResponseType::Opaqueredirect {
        let location = vec![("location".to_owned(), "hidden://".to_owned())];
        return Ok(HttpResponse::new(300, location, Vec::new()));
    }
    let headers = response.headers().entries().collect();
    let body = read_capped(response.body()).await?;
    Ok(HttpResponse::new(response.status(), headers, body))
}

/// The gloo-net request: never follows a redirect, aborted by `signal`.
/// Built as a `web_sys::Request` and wrapped, not with gloo-net's builder:
/// that one re-parses the URL to append a query, and throws through the
/// wasm on a header the host refuses. Here the URL goes to fetch as the core
/// wrote it, and a refused header is an error.
fn build(request: &HttpRequest, signal: &AbortSignal) -> Result<Request, TransportError> {
    let failed = |e: JsValue| {
        TransportError::new(
            TransportErrorKind::Other,
            format!("the request could not be made ({})", code(e)),
        )
    };
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_redirect(RequestRedirect::Manual);
    init.set_signal(Some(signal));
    let headers = Headers::new().map_err(failed)?;
    for (name, value) in &request.headers {
        headers.set(name, value).map_err(failed)?;
    }
    init.set_headers(&headers);
    if !request.body.is_empty() {
        init.set_body(&Uint8Array::from(request.body.as_slice()));
    }
    web_sys::Request::new_with_str_and_init(&request.url, &init)
        .map(Request::from)
        .map_err(failed)
}

/// gloo-net's `send`. Under Node the same global `fetch` is called directly:
/// gloo-net keeps only a rejection's name and message, and only Node's
/// `cause.code` tells a header overflow (`interrupted`) from a refused
/// connection (`connect`, retried). Browsers give no cause to keep.
async fn send(request: Request) -> Result<Response, TransportError> {
    if !in_node() {
        return request.send().await.map_err(|e| refused(gloo_name(&e)));
    }
    let request: web_sys::Request = request.into();
    let answer = JsFuture::from(fetch_request(&request))
        .await
        .map_err(|e| refused(&code(e)))?;
    answer
        .dyn_into::<web_sys::Response>()
        .map(Response::from)
        .map_err(|_| TransportError::new(TransportErrorKind::Other, "fetch gave no Response"))
}

/// No answer: a header overflow (Node) is `interrupted`, the rest `connect`.
fn refused(code: &str) -> TransportError {
    if code == "UND_ERR_HEADERS_OVERFLOW" {
        return TransportError::new(
            TransportErrorKind::Interrupted,
            format!("the answer's headers are too large ({code})"),
        );
    }
    TransportError::new(
        TransportErrorKind::Connect,
        format!("fetch failed ({code}); is the server up and does it allow this origin (CORS)?"),
    )
}

/// Whether the host is Node (`process.versions.node`).
fn in_node() -> bool {
    let get = |v: &JsValue, key: &str| Reflect::get(v, &key.into()).ok().filter(JsValue::is_object);
    get(&js_sys::global(), "process")
        .and_then(|p| get(&p, "versions"))
        .and_then(|v| Reflect::get(&v, &"node".into()).ok())
        .is_some_and(|n| n.is_string())
}

/// A gloo-net error's JS name (`TypeError`, `AbortError`, ...).
fn gloo_name(e: &gloo_net::Error) -> &str {
    match e {
        gloo_net::Error::JsError(e) => &e.name,
        _ => "Error",
    }
}

/// The body, read chunk by chunk and never past `MAX_BODY_BYTES + 1` bytes.
async fn read_capped(body: Option<ReadableStream>) -> Result<Vec<u8>, TransportError> {
    let Some(stream) = body else {
        return Ok(Vec::new());
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut out = Vec::new();
    while out.len() <= MAX_BODY_BYTES {
        let read = JsFuture::from(reader.read()).await.map_err(|e| {
            TransportError::new(
                TransportErrorKind::Interrupted,
                format!("reading the body failed ({})", code(e)),
            )
        })?;
        let read: ReadableStreamReadResult = read.unchecked_into();
        if read.get_done().unwrap_or(true) {
            break;
        }
        let Ok(chunk) = read.get_value().dyn_into::<Uint8Array>() else {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "the body stream gave something other than bytes",
            ));
        };
        let room = MAX_BODY_BYTES + 1 - out.len();
        let take = (chunk.length() as usize).min(room);
        out.extend_from_slice(&chunk.subarray(0, take as u32).to_vec());
    }
    Ok(out)
}

/// What a rejected fetch or read says: Node's `cause.code`, else its name.
fn code(rejection: JsValue) -> String {
    let mut thrown = Thrown::read(rejection);
    thrown
        .code()
        .or_else(|| thrown.name())
        .unwrap_or_else(|| "Error".to_owned())
}
