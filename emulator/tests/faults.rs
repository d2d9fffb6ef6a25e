//! Fault injection over real sockets: status (with counts and `Retry-After`), delay, dropped
//! connections before and after the work, and the propagation delay of new secrets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use mapsindoors_auth_emulator::*;

fn cc_auth() -> String {
    basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
}

fn get_token(emu: &Emulator) -> Reply {
    token_request(
        emu,
        Some(&cc_auth()),
        &[("grant_type", "client_credentials")],
    )
}

#[test]
fn status_fault_applies_count_times_then_stops() {
    let emu = emulator();
    emu.inject(FaultRule::status(FaultRoute::Token, 503, 2));
    assert_eq!(get_token(&emu).status, 503);
    assert_eq!(emu.pending_faults()[0].count, 1);
    let r = get_token(&emu);
    assert_eq!(r.status, 503);
    assert!(r.body.is_empty());
    assert!(emu.pending_faults().is_empty());
    assert_eq!(get_token(&emu).status, 200);
    let log = emu.log();
    assert_eq!(
        log.iter().map(|e| e.status).collect::<Vec<_>>(),
        [Some(503), Some(503), Some(200)]
    );
    assert!(matches!(&log[0].fault, Some(FaultAction::Status(s)) if s.code == 503));
    assert_eq!(log[2].fault, None);
}

#[test]
fn retry_after_and_body() {
    let emu = emulator();
    emu.inject(
        FaultRule::retry_after(FaultRoute::Token, 429, "2", 1)
            .with_body(r#"{"message":"slow down"}"#),
    );
    emu.inject(
        FaultRule::retry_after(FaultRoute::Token, 503, "Wed, 21 Oct 2015 07:28:00 GMT", 1)
            .with_body("busy"),
    );
    let r = get_token(&emu);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("2"));
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(r.json()["message"], "slow down");
    let r = get_token(&emu);
    assert_eq!(r.status, 503);
    assert_eq!(
        r.header("retry-after"),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.body, "busy");
    // Browsers may read it: CORS exposes Retry-After.
    let r = agent()
        .get(format!("{}?customerId=x", emu.credentials_url()))
        .header("Origin", "http://page.example")
        .call()
        .unwrap();
    let exposed = r
        .headers()
        .get("access-control-expose-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        exposed.contains("retry-after") && exposed.contains("www-authenticate"),
        "{exposed}"
    );
}

#[test]
fn status_fault_does_nothing() {
    let emu = emulator();
    let token = demo_token(&emu);
    emu.inject(FaultRule::status(FaultRoute::Create, 500, 1));
    let r = api(&emu, "POST", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 500);
    assert_eq!(emu.secrets(DEMO_CUSTOMER_ID).len(), 1);
}

#[test]
fn rules_apply_in_order_of_injection_and_by_route() {
    let emu = emulator();
    let token = demo_token(&emu);
    emu.inject(FaultRule::status(FaultRoute::List, 502, 1));
    emu.inject(FaultRule::status(FaultRoute::Any, 503, 1));
    // The token route skips the list rule and takes the `any` one.
    assert_eq!(get_token(&emu).status, 503);
    assert_eq!(
        api(&emu, "GET", "customerId=demo-customer", Some(&token)).status,
        502
    );
    assert_eq!(
        api(&emu, "GET", "customerId=demo-customer", Some(&token)).status,
        200
    );
    emu.inject(FaultRule::status(FaultRoute::Any, 503, 5));
    emu.clear_faults();
    assert_eq!(get_token(&emu).status, 200);
}

#[test]
fn delay_then_proceed() {
    let emu = emulator();
    emu.inject(FaultRule::delay(FaultRoute::Token, 300, 1));
    let start = Instant::now();
    let r = get_token(&emu);
    let took = start.elapsed();
    assert_eq!(r.status, 200);
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert_eq!(emu.log()[0].fault, Some(FaultAction::DelayMs(300)));
    // Used up: the next request is not delayed.
    assert_eq!(get_token(&emu).status, 200);
    assert_eq!(emu.log()[1].fault, None);
}

#[test]
fn drop_before_sends_nothing_and_changes_nothing() {
    let emu = emulator();
    let token = demo_token(&emu);
    emu.inject(FaultRule::drop_before(FaultRoute::Create, 1));
    let request = raw_api_request(
        &emu,
        "POST",
        "customerId=demo-customer&description=dropped",
        &token,
    );
    assert!(matches!(raw(emu.addr(), &request), Raw::Dropped));
    assert_eq!(
        emu.secrets(DEMO_CUSTOMER_ID).len(),
        1,
        "drop_before must not create"
    );
    let entry = emu.log().into_iter().last().unwrap();
    assert_eq!(entry.status, None);
    assert_eq!(entry.route, Route::Create);
    assert_eq!(entry.fault, Some(FaultAction::DropBefore));
    // The next request is served normally.
    assert!(
        matches!(raw(emu.addr(), &request), Raw::Answered(text) if text.starts_with("HTTP/1.1 200"))
    );
    assert_eq!(emu.secrets(DEMO_CUSTOMER_ID).len(), 2);
}

#[test]
fn drop_before_on_the_token_endpoint() {
    let emu = emulator();
    emu.inject(FaultRule::drop_before(FaultRoute::Token, 1));
    assert!(matches!(
        raw(emu.addr(), &raw_token_request(&emu)),
        Raw::Dropped
    ));
    // ureq sees a transport error, not a status.
    emu.inject(FaultRule::drop_before(FaultRoute::Token, 1));
    let result = agent()
        .post(emu.token_url())
        .header("Authorization", &cc_auth())
        .send_form([("grant_type", "client_credentials")]);
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn drop_after_commits_the_change_but_sends_nothing() {
    let emu = emulator();
    let token = demo_token(&emu);
    emu.inject(FaultRule::drop_after(FaultRoute::Create, 1));
    let request = raw_api_request(
        &emu,
        "POST",
        "customerId=demo-customer&description=committed",
        &token,
    );
    assert!(matches!(raw(emu.addr(), &request), Raw::Dropped));
    let secrets = emu.secrets(DEMO_CUSTOMER_ID);
    assert_eq!(secrets.len(), 2, "drop_after must create");
    assert!(secrets.iter().any(|s| s.description == "committed"));
    assert_eq!(emu.log().last().unwrap().status, None);

    emu.inject(FaultRule::drop_after(FaultRoute::Delete, 1));
    let request = raw_api_request(
        &emu,
        "DELETE",
        &format!("customerId=demo-customer&id={DEMO_SECRET_ID}"),
        &token,
    );
    assert!(matches!(raw(emu.addr(), &request), Raw::Dropped));
    assert!(
        !emu.secret_is_valid(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET),
        "drop_after must delete"
    );
}

#[test]
fn drop_after_on_the_token_endpoint_issues_a_token() {
    let emu = emulator();
    emu.inject(FaultRule::drop_after(FaultRoute::Token, 1));
    assert!(matches!(
        raw(emu.addr(), &raw_token_request(&emu)),
        Raw::Dropped
    ));
    let entry = &emu.log()[0];
    assert_eq!(
        (entry.status, entry.fault.clone()),
        (None, Some(FaultAction::DropAfter))
    );
}

#[test]
fn a_kept_alive_connection_is_dropped_too() {
    // Two requests on one keep-alive connection; the second one is dropped after the first
    // one was answered.
    use std::io::{Read as _, Write as _};
    let emu = emulator();
    let token = demo_token(&emu);
    let mut stream = std::net::TcpStream::connect(emu.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let keep_alive = format!(
        "GET /api/clientcredentials?customerId=demo-customer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    stream.write_all(keep_alive.as_bytes()).unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    emu.inject(FaultRule::drop_before(FaultRoute::List, 1));
    stream.write_all(keep_alive.as_bytes()).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest)),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
    }
}

#[test]
fn propagation_delay_rejects_then_accepts() {
    let emu = emulator();
    emu.set_propagation_delay(Duration::from_millis(400));
    let token = demo_token(&emu); // seeded secrets are not affected
    let created = api(&emu, "POST", "customerId=demo-customer", Some(&token)).json();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let auth = basic(DEMO_CLIENT_ID, &secret);
    let r = token_request(&emu, Some(&auth), &[("grant_type", "client_credentials")]);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_client");
    // Valid as far as the store goes; only propagation holds it back.
    assert!(emu.secret_is_valid(DEMO_CLIENT_ID, &secret));
    std::thread::sleep(Duration::from_millis(450));
    let r = token_request(&emu, Some(&auth), &[("grant_type", "client_credentials")]);
    assert_eq!(r.status, 200, "{r:?}");
}
