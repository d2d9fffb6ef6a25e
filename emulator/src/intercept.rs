//! The middleware in front of every API route: it applies the next matching fault and writes the
//! request log entry. Admin routes and CORS preflights pass straight through.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::App;
use crate::credentials_api::bearer;
use crate::fault::{FaultAction, StatusFault};
use crate::hostile;
use crate::request_log::{LogEntry, redact_query};
use crate::route::{self, Route};
use crate::server::ConnectionKill;
use crate::store::Principal;
use crate::token_request::{TokenRequest, is_form};

/// Bodies larger than this are refused with 413 (token requests are a few hundred bytes).
const BODY_LIMIT: usize = 64 * 1024;

/// Faults and logs one API request.
pub(crate) async fn intercept(State(app): State<App>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if request.method() == Method::OPTIONS || route::is_admin(&path) {
        return next.run(request).await;
    }
    let arrived = Instant::now();
    let route = Route::classify(request.method(), &path);
    let (parts, body) = request.into_parts();
    let seq = app.next_seq();
    let (body, too_large) = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Bytes::new(), true),
    };
    let mut entry = describe(&app, &parts, &body, route, seq, arrived);
    if too_large {
        return finish(&app, entry, plain_status(StatusCode::PAYLOAD_TOO_LARGE));
    }
    let fault = app.take_fault(route);
    entry.fault.clone_from(&fault);
    let kill = parts.extensions.get::<ConnectionKill>().cloned();
    let elsewhere = hostile::elsewhere_url(&parts);
    let echo = body.clone();
    let request = Request::from_parts(parts, Body::from(body));
    match fault {
        None => finish(&app, entry, next.run(request).await),
        Some(FaultAction::Status(fault)) => finish(&app, entry, status_response(&fault)),
        Some(FaultAction::DelayMs(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            finish(&app, entry, next.run(request).await)
        }
        Some(FaultAction::DropBefore) => drop_connection(&app, entry, kill).await,
        Some(FaultAction::DropAfter) => {
            let _committed = next.run(request).await;
            drop_connection(&app, entry, kill).await
        }
        Some(FaultAction::Redirect { code, location }) => finish(
            &app,
            entry,
            hostile::redirect(code, location.as_deref().unwrap_or(&elsewhere)),
        ),
        Some(FaultAction::Drip { interval_ms }) => finish(&app, entry, hostile::drip(interval_ms)),
        Some(FaultAction::Endless) => finish(&app, entry, hostile::endless()),
        Some(FaultAction::GzipBomb { mib }) => finish(&app, entry, hostile::gzip_bomb(mib)),
        Some(FaultAction::HeadersThenSilence) => {
            finish(&app, entry, hostile::headers_then_silence())
        }
        Some(FaultAction::HugeHeaders { kib }) => finish(&app, entry, hostile::huge_headers(kib)),
        Some(FaultAction::EchoForm { code }) => {
            finish(&app, entry, hostile::echo_form(code, &echo))
        }
        Some(FaultAction::ResetMidBody) => finish(&app, entry, hostile::reset_mid_body(kill)),
    }
}

fn finish(app: &App, mut entry: LogEntry, response: Response) -> Response {
    entry.status = Some(response.status().as_u16());
    app.record(entry);
    response
}

/// Logs the request as unanswered, asks the connection task to close the socket, and never
/// returns, so that no response can be written first.
async fn drop_connection(app: &App, entry: LogEntry, kill: Option<ConnectionKill>) -> Response {
    let Some(kill) = kill else {
        // Served outside the emulator's accept loop: there is no connection to drop.
        return finish(app, entry, plain_status(StatusCode::INTERNAL_SERVER_ERROR));
    };
    app.record(entry);
    kill.trigger();
    std::future::pending::<Response>().await
}

fn status_response(fault: &StatusFault) -> Response {
    let code = StatusCode::from_u16(fault.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let raw = fault
        .body_base64
        .as_deref()
        .and_then(|b| base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b).ok());
    let mut response = match (&fault.body, raw) {
        (_, Some(bytes)) => {
            let mut r = Response::new(Body::from(bytes));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r
        }
        (None, None) => plain_status(code),
        (Some(body), None) => {
            let content_type = if serde_json::from_str::<serde_json::Value>(body).is_ok() {
                "application/json; charset=utf-8"
            } else {
                "text/plain; charset=utf-8"
            };
            let mut r = Response::new(Body::from(body.clone()));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            r
        }
    };
    *response.status_mut() = code;
    if let Some(value) = fault
        .retry_after
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    for (name, value) in &fault.headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

fn plain_status(code: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}

/// The log entry for a request, before its outcome is known. Secrets, passwords and tokens are
/// read only to name who sent the request, never copied.
fn describe(
    app: &App,
    parts: &Parts,
    body: &Bytes,
    route: Route,
    seq: u64,
    arrived: Instant,
) -> LogEntry {
    let mut entry = LogEntry {
        seq,
        method: parts.method.to_string(),
        route,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(redact_query),
        status: None,
        grant_type: None,
        client_id: None,
        username: None,
        client_auth: None,
        fault: None,
        at_ms: app.elapsed_ms(arrived),
    };
    if route == Route::Token {
        let form: &[u8] = if is_form(&parts.headers) { body } else { &[] };
        let request = TokenRequest::parse(&parts.headers, form);
        entry.grant_type = request.get("grant_type").map(str::to_owned);
        entry.username = request.get("username").map(str::to_owned);
        if let Some(client) = request.client {
            entry.client_id = Some(client.client_id);
            entry.client_auth = Some(client.auth.as_str().to_owned());
        }
    } else if let Some(token) = bearer(&parts.headers) {
        let grant = app.store().grant(token, arrived);
        match grant.map(|g| g.principal) {
            Some(Principal::Client(id)) => entry.client_id = Some(id),
            Some(Principal::User(name)) => entry.username = Some(name),
            None => {}
        }
    }
    entry
}
