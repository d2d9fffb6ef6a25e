//! The `/_emulator/` routes, the request log and its redaction, hashed-only storage, and CORS.
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

fn admin(emu: &Emulator, path: &str) -> String {
    format!("{}/_emulator/{path}", emu.base_url())
}

#[test]
fn faults_over_http() {
    let emu = emulator();
    let r = post_json(
        &admin(&emu, "faults"),
        r#"{"route":"token","action":{"status":{"code":503,"retry_after":"1"}},"count":2}"#,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()[0]["count"], 2);
    let r = post_json(
        &admin(&emu, "faults"),
        r#"{"route":"list","action":{"delay_ms":10}}"#,
    );
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    assert_eq!(r.json()[1]["count"], 1);
    // curl -d sends a form content type: accepted all the same.
    let r = agent()
        .post(admin(&emu, "faults"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(r#"{"route":"delete","action":"drop_after"}"#)
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(emu.pending_faults().len(), 3);
    let r = request("GET", &admin(&emu, "faults"), None);
    assert_eq!(r.json()[2]["action"], "drop_after");

    let r = token_request(
        &emu,
        Some(&basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!((r.status, r.header("retry-after")), (503, Some("1")));

    let r = request("DELETE", &admin(&emu, "faults"), None);
    assert_eq!(r.status, 204);
    assert!(emu.pending_faults().is_empty());

    for bad in [
        r#"{"route":"token","action":{"status":{"code":42}}}"#,
        r#"{"route":"token","action":"explode"}"#,
        r#"{"route":"nowhere","action":"drop_before"}"#,
        r#"{"route":"token","action":"drop_before","count":0}"#,
        "not json",
    ] {
        let r = post_json(&admin(&emu, "faults"), bad);
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"].is_string());
    }
    assert!(emu.pending_faults().is_empty());
}

#[test]
fn propagation_over_http() {
    let emu = emulator();
    let r = post_json(&admin(&emu, "propagation"), r#"{"ms":1500}"#);
    assert_eq!((r.status, r.json()["ms"].as_u64()), (200, Some(1500)));
    assert_eq!(emu.propagation_delay(), Duration::from_millis(1500));
    assert_eq!(
        request("GET", &admin(&emu, "propagation"), None).json()["ms"],
        1500
    );
    assert_eq!(
        post_json(&admin(&emu, "propagation"), r#"{"ms":-1}"#).status,
        400
    );
}

#[test]
fn secrets_log_and_reset_over_http() {
    let emu = emulator();
    let token = demo_token(&emu);
    let created = api(
        &emu,
        "POST",
        "customerId=demo-customer&description=extra",
        Some(&token),
    )
    .json();
    let r = request(
        "GET",
        &admin(&emu, "secrets?customerId=demo-customer"),
        None,
    );
    assert_eq!(r.status, 200);
    let list = r.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["id"], created["id"]);
    assert_eq!(list[1]["createdAt"], created["createdAt"], "full precision");
    assert!(!r.body.contains(created["secret"].as_str().unwrap()));
    assert_eq!(
        request("GET", &admin(&emu, "secrets?customerId=nope"), None).status,
        404
    );
    assert_eq!(request("GET", &admin(&emu, "secrets"), None).status, 400);

    let log = request("GET", &admin(&emu, "log"), None).json();
    assert_eq!(
        log.as_array().unwrap().len(),
        2,
        "admin requests are not logged: {log}"
    );
    assert_eq!(log[0]["route"], "token");
    assert_eq!(log[1]["route"], "create");
    assert_eq!(log[1]["client_id"], DEMO_CLIENT_ID);
    assert_eq!(request("DELETE", &admin(&emu, "log"), None).status, 204);
    assert!(emu.log().is_empty());

    emu.inject(FaultRule::status(FaultRoute::Any, 500, 3));
    let r = request("POST", &admin(&emu, "reset"), None);
    assert_eq!(r.status, 204);
    assert_eq!(emu.secrets(DEMO_CUSTOMER_ID).len(), 1);
    assert!(emu.pending_faults().is_empty());
    // Issued tokens are forgotten too.
    assert_eq!(
        api(&emu, "GET", "customerId=demo-customer", Some(&token)).status,
        401
    );
    // Sequence numbers keep counting.
    assert!(emu.log()[0].seq > 2);
}

#[test]
fn log_entries_describe_requests() {
    let emu = emulator();
    let token = demo_token(&emu);
    api(&emu, "GET", "customerId=demo-customer", Some(&token));
    api(
        &emu,
        "DELETE",
        "customerId=demo-customer&id=nope",
        Some(&token),
    );
    let log = emu.log();
    assert_eq!(log.len(), 3);
    assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    let list = &log[1];
    assert_eq!(list.method, "GET");
    assert_eq!(list.route, Route::List);
    assert_eq!(list.path, "/api/clientcredentials");
    assert_eq!(list.query.as_deref(), Some("customerId=demo-customer"));
    assert_eq!(list.status, Some(200));
    assert_eq!(list.client_id.as_deref(), Some(DEMO_CLIENT_ID));
    assert_eq!(list.client_auth, None);
    assert_eq!(log[2].status, Some(404));
    assert!(log[0].at_ms <= log[2].at_ms);
    let json = serde_json::to_value(&log[0]).unwrap();
    for key in [
        "seq",
        "method",
        "route",
        "path",
        "query",
        "status",
        "grant_type",
        "client_id",
        "username",
        "client_auth",
        "fault",
        "at_ms",
    ] {
        assert!(json.get(key).is_some(), "{key} missing from {json}");
    }
}

/// A canary secret, a password and tokens must appear nowhere: not in the log, not in the
/// admin routes, not in the `Debug` of the emulator's state.
#[test]
fn secrets_passwords_and_tokens_are_never_kept_in_clear() {
    let emu = emulator();
    let token = demo_token(&emu);
    let user = user_token(&emu);
    let canary = api(
        &emu,
        "POST",
        "customerId=demo-customer&description=canary",
        Some(&token),
    )
    .json()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    // Send secrets in the places a careless client might: query string, form, Basic.
    let q = format!(
        "{}?client_secret={canary}&password={DEMO_PASSWORD}&token={token}",
        emu.token_url()
    );
    agent()
        .post(q)
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", canary.as_str()),
        ])
        .unwrap();
    token_request(
        &emu,
        Some(&basic(DEMO_CLIENT_ID, &canary)),
        &[("grant_type", "client_credentials")],
    );
    api(
        &emu,
        "GET",
        &format!("customerId=demo-customer&access_token={token}"),
        Some(&token),
    );

    let log_json = serde_json::to_string(&emu.log()).unwrap();
    let http_log = request("GET", &admin(&emu, "log"), None).body;
    let admin_secrets = request(
        "GET",
        &admin(&emu, "secrets?customerId=demo-customer"),
        None,
    )
    .body;
    let debug = format!("{emu:?}");
    assert!(
        debug.contains("sha256:"),
        "the state shows digests: {debug}"
    );
    for (name, text) in [
        ("log", &log_json),
        ("http log", &http_log),
        ("admin secrets", &admin_secrets),
        ("debug", &debug),
    ] {
        for (what, value) in [
            ("canary", canary.as_str()),
            ("seeded secret", DEMO_CLIENT_SECRET),
            ("password", DEMO_PASSWORD),
            ("client token", token.as_str()),
            ("user token", user.as_str()),
        ] {
            assert!(!text.contains(value), "{what} found in {name}");
        }
    }
    assert!(log_json.contains("client_secret=[redacted]"), "{log_json}");
}

#[test]
fn cors_preflight_allows_delete_with_authorization() {
    let emu = emulator();
    let r = agent()
        .options(format!(
            "{}?customerId=demo-customer&id=x",
            emu.credentials_url()
        ))
        .header("Origin", "http://admin.example")
        .header("Access-Control-Request-Method", "DELETE")
        .header("Access-Control-Request-Headers", "authorization")
        .call()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let h = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_ascii_lowercase())
    };
    assert_eq!(h("access-control-allow-origin").as_deref(), Some("*"));
    assert!(
        h("access-control-allow-methods")
            .unwrap()
            .contains("delete")
    );
    assert!(
        h("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
    // Preflights are neither logged nor faulted.
    assert!(emu.log().is_empty());
    let token_preflight = agent()
        .options(emu.token_url())
        .header("Origin", "http://admin.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .call()
        .unwrap();
    assert!(token_preflight.status().is_success());
    assert!(emu.log().is_empty());
}

#[test]
fn concurrent_clients_are_served_while_one_is_delayed() {
    let emu = emulator();
    emu.inject(FaultRule::delay(FaultRoute::List, 800, 1));
    let token = demo_token(&emu);
    let start = Instant::now();
    std::thread::scope(|s| {
        let slow = s.spawn(|| api(&emu, "GET", "customerId=demo-customer", Some(&token)).status);
        std::thread::sleep(Duration::from_millis(100));
        let fast = api(&emu, "GET", "customerId=demo-customer", Some(&token));
        assert_eq!(fast.status, 200);
        assert!(
            start.elapsed() < Duration::from_millis(700),
            "blocked behind the delayed request"
        );
        assert_eq!(slow.join().unwrap(), 200);
    });
}
