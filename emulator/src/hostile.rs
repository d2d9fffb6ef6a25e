//! The hostile answers of the fault API (issue: a hostile-server suite): a
//! redirect to a second origin that records what reaches it, a drip, an
//! endless body, a gzip bomb, headers then silence, huge headers, a body
//! that echoes the posted form, and a reset in mid-body. Every binding's
//! hostile tests drive these over `/_emulator/faults`.
//!
//! The second origin is this same listener under another host name
//! (`localhost` instead of `127.0.0.1`: another origin to a browser and
//! another host to a client): `/_emulator/elsewhere/...` answers 200 to
//! anything and records it; `GET /_emulator/elsewhere` lists the records.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use futures_util::stream;
use serde::{Deserialize, Serialize};

use crate::app::{App, lock};
use crate::server::ConnectionKill;

/// What reached the second origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElsewhereHit {
    /// The method.
    pub method: String,
    /// The path under `/_emulator/elsewhere`.
    pub path: String,
    /// Whether an `Authorization` header came along.
    pub authorization: bool,
    /// The body's length.
    pub body_bytes: usize,
    /// Whether the body held a `client_secret=` or `password=` field.
    pub credentials: bool,
}

/// Where a redirect fault sends the client by default: the second origin.
pub(crate) fn elsewhere_url(parts: &Parts) -> String {
    let port = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map_or("80", |(_, p)| p)
        .to_owned();
    format!("http://localhost:{port}/_emulator/elsewhere/steal?from=emulator")
}

/// `ANY /_emulator/elsewhere/{*rest}`: records the hit, answers 200 "ok"
/// (a client that followed would take it as success).
pub(crate) async fn record(State(app): State<App>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    lock(&app.elsewhere).push(ElsewhereHit {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path()
            .trim_start_matches("/_emulator/elsewhere")
            .to_owned(),
        authorization: parts.headers.contains_key(header::AUTHORIZATION),
        body_bytes: body.len(),
        credentials: text.contains("client_secret=") || text.contains("password="),
    });
    let mut r = Response::new(Body::from(
        r#"{"access_token":"stolen","token_type":"Bearer","expires_in":3600}"#,
    ));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `GET /_emulator/elsewhere`: every hit so far.
pub(crate) async fn hits(State(app): State<App>) -> Response {
    let hits = lock(&app.elsewhere).clone();
    let mut r = Response::new(Body::from(serde_json::to_vec(&hits).unwrap_or_default()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn with_type(mut r: Response, status: StatusCode, content_type: &'static str) -> Response {
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A 3xx to `target`.
pub(crate) fn redirect(code: u16, target: &str) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::TEMPORARY_REDIRECT);
    let mut r = Response::new(Body::from("moved"));
    *r.status_mut() = code;
    if let Ok(v) = HeaderValue::from_str(target) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// 200, then one byte every `interval_ms`, forever.
pub(crate) fn drip(interval_ms: u64) -> Response {
    let interval = Duration::from_millis(interval_ms.max(1));
    let body = stream::unfold(true, move |first| async move {
        if !first {
            tokio::time::sleep(interval).await;
        }
        let byte = if first { "{" } else { " " };
        Some((
            Ok::<_, Infallible>(Bytes::from_static(byte.as_bytes())),
            false,
        ))
    });
    with_type(
        Response::new(Body::from_stream(body)),
        StatusCode::OK,
        "application/json",
    )
}

/// 200 with a body that never ends, as fast as the client reads.
pub(crate) fn endless() -> Response {
    let chunk = Bytes::from(vec![b' '; 64 * 1024]);
    let body = stream::repeat_with(move || Ok::<_, Infallible>(chunk.clone()));
    with_type(
        Response::new(Body::from_stream(body)),
        StatusCode::OK,
        "application/json",
    )
}

/// 200, `Content-Encoding: gzip`: a small body that inflates to `mib` MiB.
pub(crate) fn gzip_bomb(mib: u32) -> Response {
    let bytes = gzip_of_spaces(mib.min(4096));
    let mut r = with_type(
        Response::new(Body::from(bytes)),
        StatusCode::OK,
        "application/json",
    );
    r.headers_mut()
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    r
}

/// A gzip member inflating to `{` and `mib` MiB of spaces, built in
/// milliseconds: one MiB of spaces deflated once after a full flush (so it
/// refers to nothing before it), that block repeated, then an empty final
/// block, as parallel gzip writers join their pieces.
fn gzip_of_spaces(mib: u32) -> Vec<u8> {
    fn deflate(input: &[u8], flush: flate2::FlushCompress) -> Vec<u8> {
        let mut c = flate2::Compress::new(flate2::Compression::best(), false);
        let mut out = Vec::with_capacity(64 * 1024);
        let _ = c.compress_vec(input, &mut out, flush);
        out
    }
    let spaces = vec![b' '; 1 << 20];
    let block = deflate(&spaces, flate2::FlushCompress::Full);
    let mut crc = flate2::Crc::new();
    crc.update(b"{");
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(deflate(b"{", flate2::FlushCompress::Full));
    for _ in 0..mib {
        out.extend_from_slice(&block);
        crc.update(&spaces);
    }
    out.extend(deflate(&[], flate2::FlushCompress::Finish));
    out.extend(crc.sum().to_le_bytes());
    out.extend(crc.amount().to_le_bytes());
    out
}

/// 200 headers promising a body that never comes.
pub(crate) fn headers_then_silence() -> Response {
    let body = stream::pending::<Result<Bytes, Infallible>>();
    let mut r = with_type(
        Response::new(Body::from_stream(body)),
        StatusCode::OK,
        "application/json",
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("100"));
    r
}

/// 200 with one header of `kib` KiB.
pub(crate) fn huge_headers(kib: u32) -> Response {
    let filler = "a".repeat(usize::try_from(kib.min(4096)).unwrap_or(0) * 1024);
    let mut r = with_type(
        Response::new(Body::from("{}")),
        StatusCode::OK,
        "application/json",
    );
    if let Ok(v) = HeaderValue::from_str(&filler) {
        r.headers_mut().insert("x-filler", v);
    }
    r
}

/// `code` with a text body that echoes the request body (the posted form,
/// secret and all), as a careless server's error page would.
pub(crate) fn echo_form(code: u16, request_body: &Bytes) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut text = b"could not process: ".to_vec();
    text.extend_from_slice(request_body);
    with_type(Response::new(Body::from(text)), code, "text/plain")
}

/// 200 and half a JSON body, then the connection is reset.
pub(crate) fn reset_mid_body(kill: Option<ConnectionKill>) -> Response {
    let first = stream::once(async {
        Ok::<_, Infallible>(Bytes::from_static(b"{\"access_token\":\"half"))
    });
    let reset = stream::once(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if let Some(kill) = kill {
            kill.trigger();
        }
        std::future::pending::<Result<Bytes, Infallible>>().await
    });
    let mut r = with_type(
        Response::new(Body::from_stream(futures_util::StreamExt::chain(
            first, reset,
        ))),
        StatusCode::OK,
        "application/json",
    );
    r.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("200"));
    r
}
