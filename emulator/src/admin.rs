//! The `/_emulator/` control routes: faults, propagation delay, request log, secrets, reset.
//! They are never faulted nor logged; JSON bodies are accepted whatever the `Content-Type`.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::{any, get, post};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::fault::FaultRule;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Propagation {
    ms: u64,
}

#[derive(Serialize)]
struct AdminError {
    error: String,
}

/// The admin routes, to be merged into the main router.
pub(crate) fn router() -> Router<App> {
    Router::new()
        .route(
            "/_emulator/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/_emulator/propagation",
            get(propagation).post(set_propagation),
        )
        .route("/_emulator/log", get(log).delete(clear_log))
        .route("/_emulator/secrets", get(secrets))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/revoke-tokens", post(revoke_tokens))
        .route("/_emulator/bearer-errors", post(set_bearer_errors))
        .route("/_emulator/elsewhere", get(crate::hostile::hits))
        .route("/_emulator/elsewhere/{*rest}", any(crate::hostile::record))
}

/// Revokes every issued access token, as a server-side revocation would.
async fn revoke_tokens(State(app): State<App>) -> Response {
    app.revoke_tokens();
    empty(StatusCode::NO_CONTENT)
}

/// `{"json_body": true}`: a refused bearer token's 401 also carries
/// `{"error":"invalid_token",...}` (some deployments add it); `false`: headers only.
async fn set_bearer_errors(State(app): State<App>, body: Bytes) -> Response {
    match serde_json::from_slice::<BearerErrors>(&body) {
        Ok(b) => {
            app.set_bearer_json_body(b.json_body);
            json(StatusCode::OK, &b)
        }
        Err(e) => bad_request(e.to_string()),
    }
}

#[derive(Serialize, Deserialize)]
struct BearerErrors {
    json_body: bool,
}

async fn faults(State(app): State<App>) -> Response {
    json(StatusCode::OK, &app.pending_faults())
}

/// Queues one rule; answers the pending rules.
async fn add_fault(State(app): State<App>, body: Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(e) => return bad_request(e.to_string()),
    };
    if let Err(e) = rule.validate() {
        return bad_request(e);
    }
    app.inject(rule);
    json(StatusCode::OK, &app.pending_faults())
}

async fn clear_faults(State(app): State<App>) -> Response {
    app.clear_faults();
    empty(StatusCode::NO_CONTENT)
}

async fn propagation(State(app): State<App>) -> Response {
    let ms = u64::try_from(app.propagation().as_millis()).unwrap_or(u64::MAX);
    json(StatusCode::OK, &Propagation { ms })
}

async fn set_propagation(State(app): State<App>, body: Bytes) -> Response {
    match serde_json::from_slice::<Propagation>(&body) {
        Ok(p) => {
            app.set_propagation(Duration::from_millis(p.ms));
            json(StatusCode::OK, &p)
        }
        Err(e) => bad_request(e.to_string()),
    }
}

async fn log(State(app): State<App>) -> Response {
    json(StatusCode::OK, &app.log())
}

async fn clear_log(State(app): State<App>) -> Response {
    app.clear_log();
    empty(StatusCode::NO_CONTENT)
}

/// `?customerId=X`: the customer's secrets (never the secrets themselves) at full precision.
async fn secrets(State(app): State<App>, uri: Uri) -> Response {
    let customer_id = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("customerId"))
        .map(|(_, v)| v.into_owned());
    let Some(customer_id) = customer_id else {
        return bad_request("customerId is required".into());
    };
    match app.secrets(&customer_id) {
        Some(views) => json(StatusCode::OK, &views),
        None => json(
            StatusCode::NOT_FOUND,
            &AdminError {
                error: format!("unknown customer {customer_id:?}"),
            },
        ),
    }
}

async fn reset(State(app): State<App>) -> Response {
    app.reset();
    empty(StatusCode::NO_CONTENT)
}

fn bad_request(error: String) -> Response {
    json(StatusCode::BAD_REQUEST, &AdminError { error })
}

fn empty(code: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}

fn json(code: StatusCode, body: &impl Serialize) -> Response {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *response.status_mut() = code;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
