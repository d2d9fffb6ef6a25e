//! HTTP at the boundary: the request the client hands the app's transport
//! ([`HttpRequest`], opaque because its body and `Authorization` header hold
//! credentials; it says what it is for and how long to wait), the response
//! handed back ([`HttpResponse`]), and the foreign [`HttpTransport`] trait
//! the app implements.

use crate::error::TransportError;
use crate::long;
use mapsindoors_auth::Purpose;
use std::fmt;

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// The header name.
    pub name: String,
    /// The header value.
    pub value: String,
}

/// A request to send. Its body and `Authorization` header may hold a secret
/// or a token, so it is an opaque object whose `toString` shows neither.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct HttpRequest {
    pub(crate) inner: mapsindoors_auth::HttpRequest,
    pub(crate) purpose: Purpose,
    pub(crate) timeout_ms: u64,
}

#[uniffi::export]
impl HttpRequest {
    /// `GET`, `POST` or `DELETE`.
    pub fn method(&self) -> String {
        self.inner.method.as_str().to_owned()
    }

    /// The absolute URL, query included.
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// The headers, in order. The `Authorization` value is a credential: never log it.
    pub fn headers(&self) -> Vec<HttpHeader> {
        // EXPOSE: the transport must send the Authorization header.
        let headers = self.inner.headers.clone();
        headers
            .into_iter()
            .map(|(name, value)| HttpHeader { name, value })
            .collect()
    }

    /// The body bytes (empty for none). May hold a secret: never log it.
    pub fn body(&self) -> Vec<u8> {
        // EXPOSE: the transport must send the body.
        self.inner.body.clone()
    }

    /// What the request is for, as the core names it: `login`, `verify`,
    /// `list`, `create`, `delete`, `delete_old`, `delete_orphan` or
    /// `delete_abandoned`.
    pub fn purpose(&self) -> String {
        self.purpose.as_str().to_owned()
    }

    /// How long to wait for the whole response, in milliseconds (the
    /// client's `timeoutMs`); throw `TransportException.Timeout` after it.
    pub fn timeout_ms(&self) -> i64 {
        long(self.timeout_ms)
    }
}

impl fmt::Display for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HttpRequest({} {} for {}, {} headers, body [{} bytes redacted])",
            self.inner.method,
            self.inner.url,
            self.purpose.as_str(),
            self.inner.headers.len(),
            self.inner.body.len()
        )
    }
}

/// A response of any status, as received.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The status code (100 to 999).
    pub status: i32,
    /// The headers, in order.
    pub headers: Vec<HttpHeader>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "HttpResponse({}, body [{} bytes redacted])",
            self.status,
            self.body.len()
        )
    }
}

impl TryFrom<HttpResponse> for mapsindoors_auth::HttpResponse {
    type Error = TransportError;

    /// A status outside 100..=999 is no HTTP response: the transport is at fault.
    fn try_from(r: HttpResponse) -> Result<Self, TransportError> {
        let status = u16::try_from(r.status)
            .ok()
            .filter(|s| (100..=999).contains(s))
            .ok_or_else(|| TransportError::Other {
                detail: format!("the transport returned HTTP status {}", r.status),
            })?;
        let headers = r.headers.into_iter().map(|h| (h.name, h.value)).collect();
        Ok(mapsindoors_auth::HttpResponse::new(status, headers, r.body))
    }
}

/// The app's HTTP client. Send the request as given (method, URL, headers,
/// body), follow no redirects, give up after `request.timeoutMs()`, and
/// return the response whatever its status. Throw [`TransportError`] only
/// when no response arrived.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends one request.
    async fn send(
        &self,
        request: std::sync::Arc<HttpRequest>,
    ) -> Result<HttpResponse, TransportError>;
}
