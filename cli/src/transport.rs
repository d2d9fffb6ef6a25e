//! The HTTP transport: core [`HttpRequest`]s sent with ureq (rustls, proxy
//! from the environment), answers mapped to [`HttpResponse`] or a
//! [`TransportError`] kind. No protocol logic; bodies and headers never logged.
//! Policy (issue 11): redirects are never followed, one deadline covers the
//! whole request (connect to last body byte), and the body is read at most
//! `MAX_BODY_BYTES + 1` bytes while streaming. ureq is built without its gzip
//! feature: nothing is decompressed (no `Accept-Encoding` is sent), so a gzip
//! bomb is only its compressed bytes, under the same cap.

use mapsindoors_auth::response::MAX_BODY_BYTES;
use mapsindoors_auth::{HttpRequest, HttpResponse, Method, TransportError, TransportErrorKind};
use std::io::Read;
use std::time::Duration;

/// A ureq agent configured for the auth API.
pub struct Transport {
    agent: ureq::Agent,
}

impl Transport {
    /// An agent with this connect and per-request timeout.
    #[must_use]
    pub fn new(timeout: Duration) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout))
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            // Never follow a redirect: the 3xx goes to the core, which refuses
            // it naming only the Location's host (issue 11). A followed DELETE
            // became a GET elsewhere whose 200 counted as "deleted".
            .max_redirects(0)
            .proxy(ureq::Proxy::try_from_env())
            // A fresh connection per request: a pooled one the server closed
            // would turn a POST into an ambiguous failure.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .user_agent(concat!("mapsindoors-auth-cli/", env!("CARGO_PKG_VERSION")))
            .build();
        Self {
            agent: agent.into(),
        }
    }

    /// Sends a request; any status is a response.
    pub fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let url = request.url.as_str();
        let result = match request.method {
            Method::Get => with_headers(self.agent.get(url), request).call(),
            Method::Delete => with_headers(self.agent.delete(url), request).call(),
            Method::Post => {
                with_headers(self.agent.post(url), request).send(request.body.as_slice())
            }
            other => {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    format!("unsupported method {other}"),
                ));
            }
        };
        let mut response = result.map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                value
                    .to_str()
                    .ok()
                    .map(|v| (name.as_str().to_owned(), v.to_owned()))
            })
            .collect();
        let mut body = Vec::new();
        let cap = u64::try_from(MAX_BODY_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        response
            .body_mut()
            .as_reader()
            .take(cap)
            .read_to_end(&mut body)
            .map_err(|e| {
                // ureq hands its own error (the whole-request deadline, say) through io.
                let kind = match e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                    Some(inner) => kind_of(inner),
                    None if e.kind() == std::io::ErrorKind::TimedOut => TransportErrorKind::Timeout,
                    None => TransportErrorKind::Interrupted,
                };
                TransportError::new(kind, format!("reading the response body: {e}"))
            })?;
        Ok(HttpResponse::new(status, headers, body))
    }
}

fn with_headers<B>(
    mut builder: ureq::RequestBuilder<B>,
    request: &HttpRequest,
) -> ureq::RequestBuilder<B> {
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
}

/// ureq's error as a core transport error. Messages name no header or body.
fn map_error(e: ureq::Error) -> TransportError {
    TransportError::new(kind_of(&e), e.to_string())
}

/// The core's transport error kind of a ureq error.
fn kind_of(e: &ureq::Error) -> TransportErrorKind {
    use TransportErrorKind::{Connect, Interrupted, Other, Timeout};
    match e {
        ureq::Error::Timeout(_) => Timeout,
        ureq::Error::ConnectionFailed
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectProxyFailed(_) => Connect,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => Connect,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::AddrNotAvailable
            | std::io::ErrorKind::NetworkUnreachable
            | std::io::ErrorKind::HostUnreachable => Connect,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Timeout,
            _ => Interrupted,
        },
        ureq::Error::Protocol(_) | ureq::Error::BodyStalled => Interrupted,
        _ => Other,
    }
}
