//! `/connect/token` over real sockets: both grants, both client authentication methods, and every
//! error IdentityServer4 answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use mapsindoors_auth_emulator::*;

fn cc(client_id: &str, secret: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", client_id.into()),
        ("client_secret", secret.into()),
    ]
}

fn form<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn assert_error(r: &Reply, error: &str) {
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.json()["error"], error, "{r:?}");
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert!(r.header("cache-control").unwrap().contains("no-store"));
}

#[test]
fn client_credentials_in_the_form_body() {
    let emu = emulator();
    let r = token_request(&emu, None, &form(&cc(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    assert!(r.header("cache-control").unwrap().contains("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let body = r.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], DEFAULT_SCOPE);
    assert!(body["access_token"].as_str().unwrap().len() >= 32);
    // Field order as IdentityServer4 writes it.
    assert!(r.body.starts_with(r#"{"access_token":"#), "{}", r.body);
    let log = emu.log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].client_auth.as_deref(), Some("form"));
    assert_eq!(log[0].grant_type.as_deref(), Some("client_credentials"));
    assert_eq!(log[0].client_id.as_deref(), Some(DEMO_CLIENT_ID));
}

#[test]
fn client_credentials_with_http_basic() {
    let emu = emulator();
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let r = token_request(&emu, Some(&auth), &[("grant_type", "client_credentials")]);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(emu.log()[0].client_auth.as_deref(), Some("basic"));
    // A wrong secret through Basic.
    let auth = basic(DEMO_CLIENT_ID, OTHER_CLIENT_SECRET);
    let r = token_request(&emu, Some(&auth), &[("grant_type", "client_credentials")]);
    assert_error(&r, "invalid_client");
    // An unknown client through Basic.
    let auth = basic("nobody", DEMO_CLIENT_SECRET);
    let r = token_request(&emu, Some(&auth), &[("grant_type", "client_credentials")]);
    assert_error(&r, "invalid_client");
}

#[test]
fn basic_credentials_are_url_decoded() {
    // A client id and secret with characters that must be escaped (RFC 6749 §2.3.1).
    let id = "odd id:+&/";
    let secret = "s3cr3t with spaces+plus:colon%";
    let seed = Seed {
        customers: vec![
            SeedCustomer::new("c").with_client(SeedClient::new(id).with_secret(secret, "odd")),
        ],
        users: vec![],
    };
    let emu = Emulator::start_background(EmulatorConfig::with_seed(seed)).unwrap();
    let r = token_request(
        &emu,
        Some(&basic(id, secret)),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(emu.log()[0].client_id.as_deref(), Some(id));
}

#[test]
fn invalid_client_cases() {
    let emu = emulator();
    let cases: Vec<Vec<(&str, String)>> = vec![
        cc("nobody", DEMO_CLIENT_SECRET),
        cc(DEMO_CLIENT_ID, "wrong"),
        cc(DEMO_CLIENT_ID, OTHER_CLIENT_SECRET),
        vec![
            ("grant_type", "client_credentials".into()),
            ("client_id", DEMO_CLIENT_ID.into()),
        ],
        vec![("grant_type", "client_credentials".into())],
    ];
    for case in cases {
        let r = token_request(&emu, None, &form(&case));
        assert_error(&r, "invalid_client");
    }
}

#[test]
fn deleted_secret_is_refused_but_its_token_lives_on() {
    let emu = emulator();
    let token = demo_token(&emu);
    let created = api(
        &emu,
        "POST",
        "customerId=demo-customer&description=next",
        Some(&token),
    )
    .json();
    let next_secret = created["secret"].as_str().unwrap().to_owned();
    let next_token = client_token(&emu, DEMO_CLIENT_ID, &next_secret);
    let r = api(
        &emu,
        "DELETE",
        &format!("customerId=demo-customer&id={DEMO_SECRET_ID}"),
        Some(&next_token),
    );
    assert_eq!(r.status, 200);
    let r = token_request(&emu, None, &form(&cc(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)));
    assert_error(&r, "invalid_client");
    assert!(!emu.secret_is_valid(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
    // The token obtained with the deleted secret is still good until it expires.
    let r = api(&emu, "GET", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 200);
}

#[test]
fn password_grant() {
    let emu = emulator();
    let ok = [
        ("grant_type", "password"),
        ("client_id", PASSWORD_CLIENT_ID),
        ("username", DEMO_USERNAME),
        ("password", DEMO_PASSWORD),
    ];
    let r = token_request(&emu, None, &ok);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["token_type"], "Bearer");
    let entry = &emu.log()[0];
    assert_eq!(entry.username.as_deref(), Some(DEMO_USERNAME));
    assert_eq!(entry.client_id.as_deref(), Some(PASSWORD_CLIENT_ID));

    let wrong = [ok[0], ok[1], ok[2], ("password", "nope")];
    let r = token_request(&emu, None, &wrong);
    assert_error(&r, "invalid_grant");
    assert_eq!(
        r.json()["error_description"],
        "invalid_username_or_password"
    );

    let unknown_user = [ok[0], ok[1], ("username", "who@example.com"), ok[3]];
    let r = token_request(&emu, None, &unknown_user);
    assert_eq!(
        r.json()["error_description"],
        "invalid_username_or_password"
    );

    let no_username = [ok[0], ok[1], ok[3]];
    let r = token_request(&emu, None, &no_username);
    assert_error(&r, "invalid_grant");
    assert!(r.json().get("error_description").is_none());
}

#[test]
fn grant_type_errors() {
    let emu = emulator();
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    // Missing grant_type: IdentityServer4 says unsupported_grant_type.
    let r = token_request(&emu, Some(&auth), &[("scope", DEFAULT_SCOPE)]);
    assert_error(&r, "unsupported_grant_type");
    let r = token_request(&emu, Some(&auth), &[("grant_type", "magic")]);
    assert_error(&r, "unsupported_grant_type");
    // The confidential client may not use the password grant, nor `client` client credentials.
    let r = token_request(
        &emu,
        Some(&auth),
        &[("grant_type", "password"), ("username", "u")],
    );
    assert_error(&r, "unauthorized_client");
    let r = token_request(
        &emu,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PASSWORD_CLIENT_ID),
        ],
    );
    assert_error(&r, "unauthorized_client");
    let r = token_request(
        &emu,
        Some(&auth),
        &[("grant_type", "authorization_code"), ("code", "x")],
    );
    assert_error(&r, "unauthorized_client");
    // A missing required parameter.
    let r = token_request(&emu, Some(&auth), &[("grant_type", "refresh_token")]);
    assert_error(&r, "invalid_request");
    let r = token_request(
        &emu,
        Some(&auth),
        &[("grant_type", "refresh_token"), ("refresh_token", "x")],
    );
    assert_error(&r, "invalid_grant");
}

#[test]
fn scopes() {
    let emu = emulator();
    let auth = basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    let r = token_request(
        &emu,
        Some(&auth),
        &[
            ("grant_type", "client_credentials"),
            ("scope", DEFAULT_SCOPE),
        ],
    );
    assert_eq!(r.json()["scope"], DEFAULT_SCOPE);
    let r = token_request(
        &emu,
        Some(&auth),
        &[("grant_type", "client_credentials"), ("scope", "openid")],
    );
    assert_error(&r, "invalid_scope");
}

#[test]
fn wrong_content_type_or_method_is_invalid_request() {
    let emu = emulator();
    let json = agent()
        .post(emu.token_url())
        .header("Content-Type", "application/json")
        .send(r#"{"grant_type":"client_credentials"}"#)
        .unwrap();
    assert_eq!(json.status().as_u16(), 400);
    let r = request("GET", &emu.token_url(), None);
    assert_error(&r, "invalid_request");
    let r = request("POST", &emu.token_url(), None);
    assert_error(&r, "invalid_request");
}

#[test]
fn token_lifetime_is_configurable_and_tokens_expire() {
    let config = EmulatorConfig {
        token_lifetime_secs: 0,
        ..EmulatorConfig::default()
    };
    let emu = Emulator::start_background(config).unwrap();
    let r = token_request(
        &emu,
        Some(&basic(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)),
        &[("grant_type", "client_credentials")],
    );
    assert_eq!(r.json()["expires_in"], 0);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    let r = api(&emu, "GET", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer error=\"invalid_token\"")),
        "{:?}",
        r.header("www-authenticate")
    );
}
