//! `/connect/token`: the client credentials and password grants, answered as IdentityServer4 does,
//! errors included (RFC 6749 JSON, status 400). Request parsing is in `token_request.rs`.

use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use crate::app::App;
use crate::store::{AuthenticatedClient, Grant, Principal};
use crate::token_request::{TokenRequest, is_form};

const JSON_UTF8: &str = "application/json; charset=UTF-8";
/// IdentityServer4's `SetNoCache()`.
const NO_CACHE: &str = "no-store, no-cache, max-age=0";

#[derive(Serialize)]
struct TokenResponse<'a> {
    access_token: &'a str,
    expires_in: u64,
    token_type: &'static str,
    scope: &'a str,
}

#[derive(Serialize)]
struct ErrorResponse<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'a str>,
}

/// Handles any method on `/connect/token`.
pub(crate) async fn handle(
    State(app): State<App>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // IdentityServer4 TokenEndpoint: anything but a form POST is an invalid request.
    if method != Method::POST || !is_form(&headers) {
        return error("invalid_request", None);
    }
    let request = TokenRequest::parse(&headers, &body);
    let now = Instant::now();
    let Some(presented) = &request.client else {
        return error("invalid_client", None);
    };
    let propagation = app.propagation();
    let client = app.store().authenticate_client(
        &presented.client_id,
        presented.secret.as_deref(),
        propagation,
        now,
    );
    let Some(client) = client else {
        return error("invalid_client", None);
    };
    let Some(grant_type) = request.get("grant_type") else {
        return error("unsupported_grant_type", None);
    };
    match grant_type {
        "client_credentials" => client_credentials(&app, &request, client, now),
        "password" => password(&app, &request, client, now),
        "refresh_token" => match request.get("refresh_token") {
            None => error("invalid_request", None),
            Some(_) => error("invalid_grant", None),
        },
        "authorization_code" | "urn:ietf:params:oauth:grant-type:device_code" => {
            error("unauthorized_client", None)
        }
        _ => error("unsupported_grant_type", None),
    }
}

fn client_credentials(
    app: &App,
    request: &TokenRequest,
    client: AuthenticatedClient,
    now: Instant,
) -> Response {
    let AuthenticatedClient::Confidential {
        client_id,
        customer_id,
        scopes,
    } = client
    else {
        return error("unauthorized_client", None);
    };
    let Some(scope) = granted_scope(request, &scopes) else {
        return error("invalid_scope", None);
    };
    let grant = Grant {
        principal: Principal::Client(client_id),
        customers: [customer_id].into_iter().collect(),
    };
    issue(app, grant, &scope, now)
}

fn password(
    app: &App,
    request: &TokenRequest,
    client: AuthenticatedClient,
    now: Instant,
) -> Response {
    let AuthenticatedClient::Public = client else {
        return error("unauthorized_client", None);
    };
    let Some(scope) = granted_scope(request, &[crate::DEFAULT_SCOPE.to_owned()]) else {
        return error("invalid_scope", None);
    };
    let Some(username) = request.get("username") else {
        return error("invalid_grant", None);
    };
    let password = request.get("password").unwrap_or_default();
    let customers = app.store().authenticate_user(username, password);
    let Some(customers) = customers else {
        return error("invalid_grant", Some("invalid_username_or_password"));
    };
    let grant = Grant {
        principal: Principal::User(username.to_owned()),
        customers,
    };
    issue(app, grant, &scope, now)
}

/// The requested scopes if all are allowed (`None` if one is not), else all allowed scopes.
fn granted_scope(request: &TokenRequest, allowed: &[String]) -> Option<String> {
    match request.get("scope") {
        None => Some(allowed.join(" ")),
        Some(requested) => {
            let mut granted: Vec<&str> = Vec::new();
            for s in requested.split_whitespace() {
                if !allowed.iter().any(|a| a == s) {
                    return None;
                }
                if !granted.contains(&s) {
                    granted.push(s);
                }
            }
            Some(granted.join(" "))
        }
    }
}

fn issue(app: &App, grant: Grant, scope: &str, now: Instant) -> Response {
    let token = app.store().issue_token(grant, app.token_lifetime, now);
    let body = TokenResponse {
        access_token: &token,
        expires_in: app.token_lifetime.as_secs(),
        token_type: "Bearer",
        scope,
    };
    json(StatusCode::OK, &body)
}

/// An RFC 6749 §5.2 error, with the status IdentityServer4 uses for all of them: 400.
pub(crate) fn error(code: &str, description: Option<&str>) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &ErrorResponse {
            error: code,
            error_description: description,
        },
    )
}

fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
