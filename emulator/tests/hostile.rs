//! The hostile faults over raw sockets: what a client would see on the wire.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use mapsindoors_auth_emulator::*;

const CANARY: &str = "CANARY-hostile-form-secret";

/// Sends a raw request; returns the stream positioned after the headers, the
/// status, the headers and whatever body bytes came with them.
fn send(emu: &Emulator, raw: &str) -> (TcpStream, u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(emu.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "closed inside the headers");
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let status = head[9..12].parse().unwrap();
    (s, status, head, Vec::new())
}

fn token_post(emu: &Emulator) -> String {
    let form =
        format!("grant_type=client_credentials&client_id={DEMO_CLIENT_ID}&client_secret={CANARY}");
    format!(
        "POST /connect/token HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
        emu.addr(),
        form.len()
    )
}

fn list_get(emu: &Emulator) -> String {
    format!(
        "GET /api/clientcredentials?customerId={DEMO_CUSTOMER_ID} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer x\r\n\r\n",
        emu.addr()
    )
}

fn inject(emu: &Emulator, route: FaultRoute, action: FaultAction) {
    emu.inject(FaultRule::new(route, action, 1));
}

#[test]
fn a_redirect_points_at_a_second_origin_that_records_what_reaches_it() {
    let emu = emulator();
    inject(
        &emu,
        FaultRoute::Token,
        FaultAction::Redirect {
            code: 307,
            location: None,
        },
    );
    let (_s, status, head, _) = send(&emu, &token_post(&emu));
    assert_eq!(status, 307);
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap()
        .to_owned();
    let port = emu.addr().port();
    assert!(
        location.starts_with(&format!("http://localhost:{port}/_emulator/elsewhere/")),
        "{location}"
    );
    assert!(emu.elsewhere().is_empty());
    // A client that follows re-sends the form to the other origin: recorded.
    let path = location.split_once(&format!("{port}")).unwrap().1;
    let form = format!("client_secret={CANARY}");
    let raw = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAuthorization: Bearer t\r\nContent-Length: {}\r\n\r\n{form}",
        form.len()
    );
    let (_s, status, _, _) = send(&emu, &raw);
    assert_eq!(status, 200);
    let hits = emu.elsewhere();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].credentials && hits[0].authorization);
    assert_eq!(hits[0].method, "POST");
}

#[test]
fn the_fault_json_names_each_hostile_action() {
    for json in [
        r#"{"route":"token","action":{"redirect":{"code":308,"location":"https://evil.example/x"}}}"#,
        r#"{"route":"list","action":{"drip":{"interval_ms":100}}}"#,
        r#"{"route":"list","action":"endless"}"#,
        r#"{"route":"token","action":{"gzip_bomb":{"mib":10}}}"#,
        r#"{"route":"delete","action":"headers_then_silence"}"#,
        r#"{"route":"list","action":{"huge_headers":{"kib":64}}}"#,
        r#"{"route":"token","action":{"echo_form":{"code":500}}}"#,
        r#"{"route":"any","action":"reset_mid_body"}"#,
        r#"{"route":"list","action":{"status":{"code":200,"body_base64":"/w=="}}}"#,
    ] {
        let rule: FaultRule = serde_json::from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(
            serde_json::to_value(&rule).unwrap()["route"],
            serde_json::from_str::<serde_json::Value>(json).unwrap()["route"]
        );
    }
}

#[test]
fn a_drip_sends_a_byte_at_a_time_and_never_ends() {
    let emu = emulator();
    inject(
        &emu,
        FaultRoute::List,
        FaultAction::Drip { interval_ms: 100 },
    );
    let (mut s, status, _, _) = send(&emu, &list_get(&emu));
    assert_eq!(status, 200);
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let start = Instant::now();
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    while start.elapsed() < Duration::from_millis(550) {
        if let Ok(n) = s.read(&mut chunk) {
            assert!(n > 0, "the drip ended");
            got.extend_from_slice(&chunk[..n]);
        }
    }
    // Chunked framing around each byte; a handful of bytes in half a second.
    assert!(got.len() < 200, "{} bytes", got.len());
    assert!(got.windows(1).any(|w| w == b"{"));
}

#[test]
fn an_endless_body_keeps_coming() {
    let emu = emulator();
    inject(&emu, FaultRoute::List, FaultAction::Endless);
    let (mut s, status, _, _) = send(&emu, &list_get(&emu));
    assert_eq!(status, 200);
    let mut total = 0;
    let mut chunk = vec![0u8; 64 * 1024];
    while total < 4 << 20 {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0);
        total += n;
    }
}

#[test]
fn a_gzip_bomb_is_small_on_the_wire_and_huge_inflated() {
    let emu = emulator();
    inject(&emu, FaultRoute::Token, FaultAction::GzipBomb { mib: 256 });
    let (mut s, status, head, _) = send(&emu, &token_post(&emu));
    assert_eq!(status, 200);
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(length < 1 << 20, "{length} bytes on the wire");
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).unwrap();
    let mut inflated = 0u64;
    let mut d = flate2::read::GzDecoder::new(&body[..]);
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = d.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        inflated += n as u64;
    }
    assert!(inflated > 256 << 20);
}

#[test]
fn headers_then_silence_promises_a_body_that_never_comes() {
    let emu = emulator();
    inject(&emu, FaultRoute::Delete, FaultAction::HeadersThenSilence);
    let raw = format!(
        "DELETE /api/clientcredentials?customerId={DEMO_CUSTOMER_ID}&id=x HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer x\r\n\r\n",
        emu.addr()
    );
    let (mut s, status, _, _) = send(&emu, &raw);
    assert_eq!(status, 200);
    s.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut chunk = [0u8; 16];
    assert!(s.read(&mut chunk).is_err(), "a body byte arrived");
}

#[test]
fn huge_headers_are_sent() {
    let emu = emulator();
    inject(&emu, FaultRoute::List, FaultAction::HugeHeaders { kib: 64 });
    let (_s, status, head, _) = send(&emu, &list_get(&emu));
    assert_eq!(status, 200);
    assert!(head.len() > 64 * 1024);
}

#[test]
fn echo_form_sends_the_posted_secret_back() {
    let emu = emulator();
    inject(&emu, FaultRoute::Token, FaultAction::EchoForm { code: 500 });
    let (mut s, status, _, _) = send(&emu, &token_post(&emu));
    assert_eq!(status, 500);
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    assert!(body.contains(CANARY), "{body}");
}

#[test]
fn a_reset_mid_body_cuts_the_promised_length() {
    let emu = emulator();
    inject(&emu, FaultRoute::Token, FaultAction::ResetMidBody);
    let (mut s, status, _, _) = send(&emu, &token_post(&emu));
    assert_eq!(status, 200);
    let mut body = Vec::new();
    let _ = s.read_to_end(&mut body);
    assert!(body.len() < 200, "{} of the 200 promised bytes", body.len());
    assert!(body.starts_with(b"{\"access_token\":\"half"));
}

#[test]
fn a_status_body_may_be_any_bytes() {
    let emu = emulator();
    emu.inject(FaultRule::new(
        FaultRoute::List,
        FaultAction::Status(StatusFault {
            code: 200,
            body: None,
            body_base64: Some("/w==".into()),
            retry_after: None,
            headers: Vec::new(),
        }),
        1,
    ));
    let (mut s, status, head, _) = send(&emu, &list_get(&emu));
    assert_eq!(status, 200);
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).unwrap();
    assert_eq!(body, vec![0xff]);
}
