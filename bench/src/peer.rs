//! The peer's side of each operation: oauth2-rs (default features off) for
//! the token endpoint, and `serde_json` + `time` for the list of secrets.

use crate::fixture::{CLIENT_ID, CLIENT_SECRET, Fixture, JSON_UTF8, TOKEN_URL};
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::http::header::CONTENT_TYPE;
use oauth2::http::{HeaderValue, Response};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse,
    RequestTokenError, TokenResponse, TokenUrl,
};
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::time::SystemTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An oauth2-rs client with only the token endpoint set.
pub type Client =
    BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The peer's client: credentials in the form body, as the core sends them.
///
/// # Errors
/// When oauth2-rs refuses the token URL.
pub fn client() -> Result<Client, String> {
    let token_url =
        TokenUrl::new(TOKEN_URL.to_owned()).map_err(|e| format!("oauth2 token URL: {e}"))?;
    Ok(BasicClient::new(ClientId::new(CLIENT_ID.to_owned()))
        .set_client_secret(ClientSecret::new(CLIENT_SECRET.to_owned()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(token_url))
}

/// What the capturing HTTP client "fails" with: the request it was given.
#[derive(Debug)]
pub struct Captured(pub HttpRequest);

impl fmt::Display for Captured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("request captured, not sent")
    }
}

impl std::error::Error for Captured {}

/// Operation 1: `exchange_client_credentials()` with a sync HTTP client that keeps
/// the request instead of sending it.
pub fn build(f: &Fixture) -> Option<HttpRequest> {
    // The request moves back unboxed: a Box would add an allocation to the peer's cost.
    #[allow(clippy::result_large_err)]
    let capture = |request: HttpRequest| Err::<HttpResponse, _>(Captured(request));
    match f.client.exchange_client_credentials().request(&capture) {
        Err(RequestTokenError::Request(Captured(request))) => Some(request),
        _ => None,
    }
}

/// Operation 2: `serde_json` into a `BasicTokenResponse`, then `expires_in()` from "now".
///
/// # Errors
/// As `serde_json`.
pub fn parse_token_expiry(
    f: &Fixture,
) -> Result<(BasicTokenResponse, Option<SystemTime>), serde_json::Error> {
    let token: BasicTokenResponse = serde_json::from_slice(&f.token_body)?;
    let expires_at = token.expires_in().and_then(|d| f.now.checked_add(d));
    Ok((token, expires_at))
}

/// Operation 3: `request()` with a sync HTTP client answering with the canned response.
///
/// # Errors
/// As oauth2-rs.
pub fn round_trip(
    f: &Fixture,
) -> Result<
    BasicTokenResponse,
    RequestTokenError<oauth2::http::Error, oauth2::basic::BasicErrorResponse>,
> {
    let canned = |request: HttpRequest| {
        drop(std::hint::black_box(request));
        Response::builder()
            .status(200)
            .header(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))
            .body(f.token_body.clone())
    };
    f.client.exchange_client_credentials().request(&canned)
}

/// A listed secret, the baseline's way: owned strings and a parsed time.
#[derive(Debug, serde::Deserialize)]
pub struct Secret {
    /// The secret's id.
    pub id: String,
    /// Its description.
    pub description: Option<String>,
    /// Its client.
    pub client_id: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(rename = "createdAt", deserialize_with = "rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Operation 4: `serde_json` + `time` into [`Secret`]s.
///
/// # Errors
/// As `serde_json`.
pub fn list(f: &Fixture) -> Result<Vec<Secret>, serde_json::Error> {
    serde_json::from_slice(&f.list_body)
}

fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
    struct Rfc3339Text;
    impl Visitor<'_> for Rfc3339Text {
        type Value = OffsetDateTime;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an RFC 3339 timestamp")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<OffsetDateTime, E> {
            OffsetDateTime::parse(text, &Rfc3339).map_err(E::custom)
        }
    }
    d.deserialize_str(Rfc3339Text)
}
