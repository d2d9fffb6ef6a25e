//! Reading a token request the way IdentityServer4 does: form parameters and client credentials
//! (HTTP Basic first, then the form body). Parsing only; validation is in `token_endpoint.rs`.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, header};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How a client presented its credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuth {
    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Form,
}

impl ClientAuth {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ClientAuth::Basic => "basic",
            ClientAuth::Form => "form",
        }
    }
}

/// The client id and, if any, the secret a request presented.
pub(crate) struct PresentedClient {
    pub(crate) client_id: String,
    pub(crate) secret: Option<String>,
    pub(crate) auth: ClientAuth,
}

/// A parsed token request.
pub(crate) struct TokenRequest {
    /// Lowercased names (ASP.NET form keys are case-insensitive); repeated values joined by `,`
    /// as `NameValueCollection.Get` does.
    params: BTreeMap<String, String>,
    pub(crate) client: Option<PresentedClient>,
}

/// Whether the body is `application/x-www-form-urlencoded` (parameters such as a charset allowed).
pub(crate) fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| {
            t.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

impl TokenRequest {
    /// Parses `body` as a form and finds the client credentials.
    pub(crate) fn parse(headers: &HeaderMap, body: &[u8]) -> Self {
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in form_urlencoded::parse(body) {
            params
                .entry(k.to_lowercase())
                .and_modify(|joined| {
                    joined.push(',');
                    joined.push_str(&v);
                })
                .or_insert_with(|| v.into_owned());
        }
        let mut request = TokenRequest {
            params,
            client: None,
        };
        request.client = basic_credentials(headers).or_else(|| request.form_credentials());
        request
    }

    /// A parameter, `None` when absent or blank (IdentityServer4's `IsMissing`).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn form_credentials(&self) -> Option<PresentedClient> {
        let client_id = self.get("client_id")?.to_owned();
        let secret = self.get("client_secret").map(str::to_owned);
        Some(PresentedClient {
            client_id,
            secret,
            auth: ClientAuth::Form,
        })
    }
}

/// Credentials from `Authorization: Basic`; `None` when absent or malformed, so that the form
/// body is tried next.
fn basic_credentials(headers: &HeaderMap) -> Option<PresentedClient> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let client_id = unescape(id);
    if client_id.trim().is_empty() {
        return None;
    }
    let secret = Some(unescape(secret)).filter(|s| !s.trim().is_empty());
    Some(PresentedClient {
        client_id,
        secret,
        auth: ClientAuth::Basic,
    })
}

/// `Uri.UnescapeDataString(value.Replace("+", "%20"))`.
fn unescape(value: &str) -> String {
    let spaced = value.replace('+', "%20");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use axum::http::HeaderValue;

    fn basic(raw: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode(raw));
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(&v).unwrap());
        h
    }

    #[test]
    fn basic_wins_over_the_form_and_is_url_decoded() {
        let r = TokenRequest::parse(&basic("my%20id:a%2Bb+c"), b"client_id=form&client_secret=x");
        let c = r.client.unwrap();
        assert_eq!(
            (c.client_id.as_str(), c.secret.as_deref(), c.auth),
            ("my id", Some("a+b c"), ClientAuth::Basic)
        );
    }

    #[test]
    fn malformed_basic_falls_back_to_the_form() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        let c = TokenRequest::parse(&h, b"client_id=form&client_secret=x")
            .client
            .unwrap();
        assert_eq!((c.client_id.as_str(), c.auth), ("form", ClientAuth::Form));
        let c = TokenRequest::parse(&basic("nocolon"), b"client_id=form")
            .client
            .unwrap();
        assert_eq!(
            (c.client_id.as_str(), c.secret, c.auth),
            ("form", None, ClientAuth::Form)
        );
    }

    #[test]
    fn keys_are_case_insensitive_and_blank_is_missing() {
        let r = TokenRequest::parse(
            &HeaderMap::new(),
            b"Grant_Type=password&username=+&scope=a&scope=b",
        );
        assert_eq!(r.get("grant_type"), Some("password"));
        assert_eq!(r.get("username"), None);
        assert_eq!(r.get("scope"), Some("a,b"));
        assert!(r.client.is_none());
    }

    #[test]
    fn form_content_type_detection() {
        let mut h = HeaderMap::new();
        assert!(!is_form(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("Application/X-WWW-Form-Urlencoded; charset=utf-8"),
        );
        assert!(is_form(&h));
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert!(!is_form(&h));
    }
}
