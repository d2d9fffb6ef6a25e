//! `/api/clientcredentials`: list, create and delete a customer's client secrets behind a bearer
//! token, answered as the ASP.NET controller does (401, 400 problem details, 403, 404).

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;
use serde::Serialize;

use crate::app::App;
use crate::dotnet_time::Precision;
use crate::secret::mint_trace_id;
use crate::store::{CreateError, Grant};
use crate::token_request::is_form;

const JSON_UTF8: &str = "application/json; charset=utf-8";
const PROBLEM_JSON_UTF8: &str = "application/problem+json; charset=utf-8";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Created<'a> {
    id: &'a str,
    description: &'a str,
    created_at: &'a str,
    secret: &'a str,
}

/// `GET /api/clientcredentials?customerId=X`.
pub(crate) async fn list(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    let (_, customer_id) = match authorize(&app, &headers, &uri, &[]) {
        Ok(ok) => ok,
        Err(refusal) => return refusal.into_response(&app),
    };
    match app.store().list(&customer_id, Precision::Millis) {
        Some(views) => json(StatusCode::OK, &views),
        None => status(StatusCode::FORBIDDEN),
    }
}

/// `POST /api/clientcredentials?customerId=X&description=Y`; the body is ignored.
///
/// The client the secret is for may be named by `clientId` in the query or `client_id` in a
/// form body (as the documentation's example shows); both must agree.
pub(crate) async fn create(
    State(app): State<App>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let (grant, customer_id) = match authorize(&app, &headers, &uri, &[]) {
        Ok(ok) => ok,
        Err(refusal) => return refusal.into_response(&app),
    };
    let description = query_param(&uri, "description").unwrap_or_default();
    let in_query = query_param(&uri, "clientId");
    let in_form = is_form(&headers)
        .then(|| {
            form_urlencoded::parse(&body)
                .find(|(k, _)| k.eq_ignore_ascii_case("client_id"))
                .map(|(_, v)| v.into_owned())
        })
        .flatten()
        .filter(|v| !v.is_empty());
    let named = match (in_query, in_form) {
        (Some(q), Some(f)) if q != f => {
            return problem(
                StatusCode::BAD_REQUEST,
                "clientId and client_id name different clients.",
                None,
            );
        }
        (q, f) => q.or(f),
    };
    let created = app.store().create(
        &customer_id,
        &grant.principal,
        named.as_deref(),
        description,
        SystemTime::now(),
        Instant::now(),
    );
    match created {
        Ok(c) => json(
            StatusCode::OK,
            &Created {
                id: &c.id,
                description: &c.description,
                created_at: &c.created_at,
                secret: &c.secret,
            },
        ),
        Err(CreateError::NoClient) => problem(
            StatusCode::BAD_REQUEST,
            "The customer has no client to add a secret to.",
            None,
        ),
        Err(CreateError::WrongClient) => problem(
            StatusCode::BAD_REQUEST,
            "The named client is not one this login may add a secret to.",
            None,
        ),
    }
}

/// `DELETE /api/clientcredentials?customerId=X&id=Z`.
pub(crate) async fn delete(State(app): State<App>, headers: HeaderMap, uri: Uri) -> Response {
    let (_, customer_id) = match authorize(&app, &headers, &uri, &["id"]) {
        Ok(ok) => ok,
        Err(refusal) => return refusal.into_response(&app),
    };
    let id = query_param(&uri, "id").unwrap_or_default();
    if app.store().delete(&customer_id, &id) {
        status(StatusCode::OK)
    } else {
        problem(StatusCode::NOT_FOUND, "Not Found", None)
    }
}

/// Why a request to the secrets API is refused.
enum Refusal {
    /// Missing, unknown or expired bearer token.
    Unauthorized,
    /// Required query parameters are missing.
    Missing(Vec<&'static str>),
    /// The token may not manage that customer.
    Forbidden,
}

impl Refusal {
    fn into_response(self, app: &App) -> Response {
        match self {
            Refusal::Unauthorized => unauthorized(app.bearer_json_body()),
            Refusal::Missing(names) => validation_problem(&names),
            Refusal::Forbidden => status(StatusCode::FORBIDDEN),
        }
    }
}

/// The bearer token's grant and the `customerId`, or the refusal: 401 for a missing, unknown or
/// expired token, 400 for a missing required parameter, 403 for a customer the token may not manage
/// (unknown customers included, so their existence does not leak).
fn authorize(
    app: &App,
    headers: &HeaderMap,
    uri: &Uri,
    required: &[&'static str],
) -> Result<(Grant, String), Refusal> {
    let grant = bearer(headers).and_then(|token| app.store().grant(token, Instant::now()));
    let Some(grant) = grant else {
        return Err(Refusal::Unauthorized);
    };
    let customer_id = query_param(uri, "customerId");
    let missing: Vec<&'static str> = std::iter::once("customerId")
        .filter(|_| customer_id.is_none())
        .chain(
            required
                .iter()
                .copied()
                .filter(|name| query_param(uri, name).is_none()),
        )
        .collect();
    let Some(customer_id) = customer_id.filter(|_| missing.is_empty()) else {
        return Err(Refusal::Missing(missing));
    };
    if !grant.customers.contains(&customer_id) {
        return Err(Refusal::Forbidden);
    }
    Ok((grant, customer_id))
}

/// The token of `Authorization: Bearer <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A query parameter as ASP.NET binds it: name case-insensitive, first value, empty means absent.
fn query_param(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

/// As ASP.NET's JWT bearer handler answers: 401 with `WWW-Authenticate`,
/// and, when told to (`/_emulator/bearer-errors`), a JSON error body too,
/// as some deployments add.
fn unauthorized(json_body: bool) -> Response {
    let mut response = if json_body {
        json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({
                "error": "invalid_token",
                "error_description": "The access token is expired or revoked",
            }),
        )
    } else {
        status(StatusCode::UNAUTHORIZED)
    };
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(
            "Bearer error=\"invalid_token\", error_description=\"The access token is expired or revoked\"",
        ),
    );
    response
}

fn status(code: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}

fn json(code: StatusCode, body: &impl Serialize) -> Response {
    let mut response = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *response.status_mut() = code;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}

/// ASP.NET's automatic 400 for missing required parameters.
fn validation_problem(missing: &[&str]) -> Response {
    let errors = missing
        .iter()
        .map(|name| (*name, vec![format!("The {name} field is required.")]))
        .collect();
    problem(
        StatusCode::BAD_REQUEST,
        "One or more validation errors occurred.",
        Some(errors),
    )
}

/// An RFC 7807 problem details body, shaped like ASP.NET Core's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Problem<'a> {
    r#type: String,
    title: &'a str,
    status: u16,
    trace_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<BTreeMap<&'a str, Vec<String>>>,
}

fn problem<'a>(
    code: StatusCode,
    title: &'a str,
    errors: Option<BTreeMap<&'a str, Vec<String>>>,
) -> Response {
    let section = match code {
        StatusCode::NOT_FOUND => "6.5.4",
        _ => "6.5.1",
    };
    let body = Problem {
        r#type: format!("https://tools.ietf.org/html/rfc7231#section-{section}"),
        title,
        status: code.as_u16(),
        trace_id: mint_trace_id(),
        errors,
    };
    let mut response = json(code, &body);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_JSON_UTF8),
    );
    response
}
