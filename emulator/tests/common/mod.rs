//! Helpers shared by the integration tests: an emulator per test, a ureq agent that does not turn
//! statuses into errors, and a raw socket client to observe dropped connections.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use base64::Engine as _;
use mapsindoors_auth_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME, Emulator, EmulatorConfig,
    PASSWORD_CLIENT_ID,
};

/// A demo emulator on its own thread.
pub fn emulator() -> Emulator {
    Emulator::start_background(EmulatorConfig::default()).unwrap()
}

/// What a test looks at in a response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

fn reply(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = result.expect("transport error");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response.body_mut().read_to_string().unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

/// POSTs a form to the token endpoint, with an optional `Authorization` header.
pub fn token_request(emu: &Emulator, authorization: Option<&str>, form: &[(&str, &str)]) -> Reply {
    let mut request = agent().post(emu.token_url());
    if let Some(a) = authorization {
        request = request.header("Authorization", a);
    }
    reply(request.send_form(form.iter().copied()))
}

/// `Basic base64(urlencode(id):urlencode(secret))`.
pub fn basic(client_id: &str, secret: &str) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let raw = format!("{}:{}", enc(client_id), enc(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

/// A client credentials token, or a panic.
pub fn client_token(emu: &Emulator, client_id: &str, secret: &str) -> String {
    let r = token_request(
        emu,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"].as_str().unwrap().to_owned()
}

/// The demo client's token.
pub fn demo_token(emu: &Emulator) -> String {
    client_token(emu, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
}

/// The demo user's token.
pub fn user_token(emu: &Emulator) -> String {
    let r = token_request(
        emu,
        None,
        &[
            ("grant_type", "password"),
            ("client_id", PASSWORD_CLIENT_ID),
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["access_token"].as_str().unwrap().to_owned()
}

/// A call to the secrets API: `method` GET, POST or DELETE, `query` appended after `?`.
pub fn api(emu: &Emulator, method: &str, query: &str, bearer: Option<&str>) -> Reply {
    let url = format!("{}?{query}", emu.credentials_url());
    request(
        method,
        &url,
        bearer.map(|t| format!("Bearer {t}")).as_deref(),
    )
}

/// Any request with an optional `Authorization` header and no body.
pub fn request(method: &str, url: &str, authorization: Option<&str>) -> Reply {
    let a = agent();
    let auth = authorization.unwrap_or_default();
    let result = match method {
        "GET" => {
            let r = a.get(url);
            if auth.is_empty() {
                r.call()
            } else {
                r.header("Authorization", auth).call()
            }
        }
        "DELETE" => {
            let r = a.delete(url);
            if auth.is_empty() {
                r.call()
            } else {
                r.header("Authorization", auth).call()
            }
        }
        "POST" => {
            let r = a.post(url);
            if auth.is_empty() {
                r.send_empty()
            } else {
                r.header("Authorization", auth).send_empty()
            }
        }
        other => panic!("unsupported method {other}"),
    };
    reply(result)
}

/// POSTs a JSON body (admin routes).
pub fn post_json(url: &str, body: &str) -> Reply {
    reply(
        agent()
            .post(url)
            .header("Content-Type", "application/json")
            .send(body),
    )
}

/// What a raw socket saw.
#[derive(Debug)]
pub enum Raw {
    /// The server answered (the bytes received).
    Answered(String),
    /// The connection was closed or reset without a single byte of response.
    Dropped,
}

/// Sends raw HTTP/1.1 bytes and reads until the server closes.
pub fn raw(addr: SocketAddr, request: &str) -> Raw {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut received = Vec::new();
    match stream.read_to_end(&mut received) {
        Ok(_) if received.is_empty() => Raw::Dropped,
        Ok(_) => Raw::Answered(String::from_utf8_lossy(&received).into_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset && received.is_empty() => {
            Raw::Dropped
        }
        Err(e) => panic!(
            "unexpected socket error {e:?} after {} bytes",
            received.len()
        ),
    }
}

/// A raw client credentials token request with `Connection: close`.
pub fn raw_token_request(emu: &Emulator) -> String {
    let body = format!(
        "grant_type=client_credentials&client_id={DEMO_CLIENT_ID}&client_secret={DEMO_CLIENT_SECRET}"
    );
    format!(
        "POST /connect/token HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        emu.addr(),
        body.len()
    )
}

/// A raw request to the secrets API with `Connection: close`.
pub fn raw_api_request(emu: &Emulator, method: &str, query: &str, token: &str) -> String {
    format!(
        "{method} /api/clientcredentials?{query} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        emu.addr()
    )
}
