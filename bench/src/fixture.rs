//! The inputs every operation gets, made once before any measurement: the
//! core's config and credentials, the peer's client, and the canned bodies
//! (a JWT-sized token response, a list of 50 secrets with 7-digit fractions).

use crate::peer;
use mapsindoors_auth::{ClientSecret, Config, Credentials, HttpResponse};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The base URL both sides talk to.
pub const BASE_URL: &str = "https://auth.mapsindoors.com";
/// The token endpoint under it, as the peer is configured.
pub const TOKEN_URL: &str = "https://auth.mapsindoors.com/connect/token";
/// A made-up client id.
pub const CLIENT_ID: &str = "bench-client";
/// A made-up secret with characters the form encoding must escape.
pub const CLIENT_SECRET: &str = "s3cr3t+with/special=chars&more";
/// The token response's media type.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";
/// Secrets in the listed body.
pub const LIST_LEN: usize = 50;

/// Everything the operations read.
pub struct Fixture {
    /// The core's config for [`BASE_URL`].
    pub config: Config,
    /// The core's client credentials.
    pub credentials: Credentials,
    /// The peer's client, configured to send the same form.
    pub client: peer::Client,
    /// The token response body.
    pub token_body: Vec<u8>,
    /// The token response as the core is handed it.
    pub token_response: HttpResponse,
    /// The list response body.
    pub list_body: Vec<u8>,
    /// The list response as the core is handed it.
    pub list_response: HttpResponse,
    /// "Now" for expiry, in Unix milliseconds (time is an input).
    pub now_ms: u64,
    /// The same instant for the peer.
    pub now: SystemTime,
}

impl Fixture {
    /// Builds the inputs.
    ///
    /// # Errors
    /// When the core or the peer refuses the configuration.
    pub fn new() -> Result<Self, String> {
        let config = Config::new(BASE_URL).map_err(|e| format!("core config: {e}"))?;
        let credentials = Credentials::client(CLIENT_ID, ClientSecret::new(CLIENT_SECRET))
            .map_err(|e| format!("core credentials: {e}"))?;
        let now_ms = 1_716_819_996_998;
        let token_body = token_body().into_bytes();
        let list_body = list_body().into_bytes();
        Ok(Self {
            config,
            credentials,
            client: peer::client()?,
            token_response: json_response(&token_body),
            token_body,
            list_response: json_response(&list_body),
            list_body,
            now_ms,
            now: UNIX_EPOCH + Duration::from_millis(now_ms),
        })
    }
}

/// A 200 response with a JSON body, as a transport hands it to the core.
pub fn json_response(body: &[u8]) -> HttpResponse {
    HttpResponse::new(
        200,
        vec![("Content-Type".to_owned(), JSON_UTF8.to_owned())],
        body.to_vec(),
    )
}

/// A token response shaped like the server's: an RS256 JWT of ~860 characters.
fn token_body() -> String {
    let mut chars = Base64Url(0x2545_f491_4f6c_dd1d);
    let token = format!(
        "eyJhbGciOiJSUzI1NiIsImtpZCI6IkE{}.{}.{}",
        chars.take(70),
        chars.take(440),
        chars.take(342)
    );
    format!(
        r#"{{"access_token":"{token}","expires_in":3600,"token_type":"Bearer","scope":"client-api"}}"#
    )
}

/// 50 secrets as `GET api/clientcredentials` lists them; every seventh has
/// no description.
fn list_body() -> String {
    let items: Vec<String> = (0..LIST_LEN)
        .map(|i| {
            let description = if i % 7 == 3 {
                "null".to_owned()
            } else {
                format!(r#""rotation {i} of {CLIENT_ID}""#)
            };
            format!(
                r#"{{"id":"6655{:019x}","description":{description},"client_id":"{CLIENT_ID}","createdAt":"2024-05-{:02}T{:02}:{:02}:{:02}.{:07}Z"}}"#,
                i * 7919 + 11,
                1 + i % 28,
                i % 24,
                (i * 7) % 60,
                (i * 13) % 60,
                (i * 1_234_567 + 89) % 10_000_000,
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// A deterministic run of base64url characters (xorshift).
struct Base64Url(u64);

impl Base64Url {
    fn take(&mut self, n: usize) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        (0..n)
            .map(|_| {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                let index = usize::try_from(self.0 % 64).unwrap_or(0);
                char::from(ALPHABET.get(index).copied().unwrap_or(b'A'))
            })
            .collect()
    }
}
