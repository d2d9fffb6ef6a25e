//! `/api/clientcredentials` over real sockets: list, create, delete, and every refusal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::*;
use mapsindoors_auth_emulator::*;

fn is_dotnet_utc(s: &str, max_digits: usize) -> bool {
    // 2024-05-27T14:26:36[.fffffff]Z
    let Some(rest) = s.strip_suffix('Z') else {
        return false;
    };
    let (base, fraction) = rest.split_once('.').unwrap_or((rest, ""));
    base.len() == 19
        && &base[10..11] == "T"
        && fraction.len() <= max_digits
        && fraction.chars().all(|c| c.is_ascii_digit())
}

#[test]
fn list_shows_the_seeded_secret_without_the_secret() {
    let emu = emulator();
    let token = demo_token(&emu);
    let r = api(&emu, "GET", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let list = r.json();
    assert_eq!(
        list,
        serde_json::json!([{
            "id": DEMO_SECRET_ID,
            "description": DEMO_SECRET_DESCRIPTION,
            "client_id": DEMO_CLIENT_ID,
            "createdAt": "2024-05-27T13:46:31.843Z"
        }])
    );
    assert!(!r.body.contains(DEMO_CLIENT_SECRET));
}

#[test]
fn create_then_list_then_delete() {
    let emu = emulator();
    let token = demo_token(&emu);
    let r = api(
        &emu,
        "POST",
        "customerId=demo-customer&description=MyNewKey",
        Some(&token),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let created = r.json();
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 4, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);
    assert!(id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    assert_eq!(secret.len(), 96);
    assert!(secret.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(created["description"], "MyNewKey");
    assert!(
        is_dotnet_utc(created["createdAt"].as_str().unwrap(), 7),
        "{created}"
    );
    assert!(emu.secret_is_valid(DEMO_CLIENT_ID, &secret));

    // The new secret logs in.
    let new_token = client_token(&emu, DEMO_CLIENT_ID, &secret);

    let list = api(&emu, "GET", "customerId=demo-customer", Some(&new_token)).json();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(listed["client_id"], DEMO_CLIENT_ID);
    assert!(
        is_dotnet_utc(listed["createdAt"].as_str().unwrap(), 3),
        "{listed}"
    );
    assert!(listed.get("secret").is_none());

    let r = api(
        &emu,
        "DELETE",
        &format!("customerId=demo-customer&id={id}"),
        Some(&new_token),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.is_empty());
    assert!(!emu.secret_is_valid(DEMO_CLIENT_ID, &secret));
    assert_eq!(emu.secrets(DEMO_CUSTOMER_ID).len(), 1);
}

#[test]
fn description_is_optional_and_may_be_empty() {
    let emu = emulator();
    let token = demo_token(&emu);
    for query in [
        "customerId=demo-customer",
        "customerId=demo-customer&description=",
    ] {
        let r = api(&emu, "POST", query, Some(&token));
        assert_eq!(r.status, 200, "{r:?}");
        assert_eq!(r.json()["description"], "");
    }
}

#[test]
fn a_user_token_creates_for_the_first_client() {
    let emu = emulator();
    let token = user_token(&emu);
    let r = api(
        &emu,
        "POST",
        "customerId=demo-customer&description=by-user",
        Some(&token),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let secret = r.json()["secret"].as_str().unwrap().to_owned();
    assert!(emu.secret_is_valid(DEMO_CLIENT_ID, &secret));
    let view = emu
        .secrets(DEMO_CUSTOMER_ID)
        .into_iter()
        .find(|s| s.description == "by-user")
        .unwrap();
    assert_eq!(view.client_id, DEMO_CLIENT_ID);
    // The user is not allowed on the other customer.
    let r = api(&emu, "GET", "customerId=other-customer", Some(&token));
    assert_eq!(r.status, 403);
    assert_eq!(
        emu.log().last().unwrap().username.as_deref(),
        Some(DEMO_USERNAME)
    );
}

#[test]
fn unauthorized_without_or_with_a_bad_bearer() {
    let emu = emulator();
    for method in ["GET", "POST", "DELETE"] {
        let query = "customerId=demo-customer&id=abc";
        for auth in [
            None,
            Some("Bearer not-a-token"),
            Some("Basic Zm9vOmJhcg=="),
            Some("Bearer "),
        ] {
            let r = request(method, &format!("{}?{query}", emu.credentials_url()), auth);
            assert_eq!(r.status, 401, "{method} {auth:?}");
            assert!(
                r.header("www-authenticate")
                    .is_some_and(|h| h.starts_with("Bearer error=\"invalid_token\"")),
                "{:?}",
                r.header("www-authenticate")
            );
            assert!(r.body.is_empty());
        }
    }
}

/// Revoked over the admin route, a token is refused; told to, the 401 also
/// carries ASP.NET's `invalid_token` JSON body.
#[test]
fn revoked_tokens_are_refused_in_both_401_shapes() {
    let emu = emulator();
    let token = demo_token(&emu);
    assert_eq!(
        api(&emu, "GET", "customerId=demo-customer", Some(&token)).status,
        200
    );
    let revoke = post_json(&format!("{}/_emulator/revoke-tokens", emu.base_url()), "{}");
    assert_eq!(revoke.status, 204);
    let r = api(&emu, "GET", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 401);
    assert!(r.body.is_empty());
    let on = post_json(
        &format!("{}/_emulator/bearer-errors", emu.base_url()),
        r#"{"json_body": true}"#,
    );
    assert_eq!(on.status, 200);
    let r = api(&emu, "GET", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .is_some_and(|h| h.contains("invalid_token"))
    );
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["error"], "invalid_token");
    // A fresh token works again.
    let fresh = demo_token(&emu);
    assert_eq!(
        api(&emu, "GET", "customerId=demo-customer", Some(&fresh)).status,
        200
    );
}

#[test]
fn forbidden_on_another_or_unknown_customer() {
    let emu = emulator();
    let token = demo_token(&emu);
    for customer in [OTHER_CUSTOMER_ID, "no-such-customer"] {
        for method in ["GET", "POST", "DELETE"] {
            let r = api(
                &emu,
                method,
                &format!("customerId={customer}&id={OTHER_SECRET_ID}"),
                Some(&token),
            );
            assert_eq!(r.status, 403, "{method} {customer}");
            assert!(r.body.is_empty());
        }
    }
    // Nothing happened to the other customer.
    assert_eq!(emu.secrets(OTHER_CUSTOMER_ID).len(), 1);
}

#[test]
fn missing_customer_id_is_400() {
    let emu = emulator();
    let token = demo_token(&emu);
    for method in ["GET", "POST", "DELETE"] {
        let r = api(&emu, method, "", Some(&token));
        assert_eq!(r.status, 400, "{method}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json; charset=utf-8")
        );
        assert_eq!(
            r.json()["errors"]["customerId"][0],
            "The customerId field is required."
        );
    }
    let r = api(&emu, "DELETE", "customerId=demo-customer", Some(&token));
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"]["id"].is_array());
}

#[test]
fn delete_unknown_id_is_404() {
    let emu = emulator();
    let token = demo_token(&emu);
    let r = api(
        &emu,
        "DELETE",
        "customerId=demo-customer&id=000000000000000000000000",
        Some(&token),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["status"], 404);
    // Another customer's secret id is unknown for this customer.
    let r = api(
        &emu,
        "DELETE",
        &format!("customerId=demo-customer&id={OTHER_SECRET_ID}"),
        Some(&token),
    );
    assert_eq!(r.status, 404);
    assert_eq!(emu.secrets(OTHER_CUSTOMER_ID).len(), 1);
}

#[test]
fn query_names_are_case_insensitive() {
    let emu = emulator();
    let token = demo_token(&emu);
    let r = api(&emu, "GET", "customerid=demo-customer", Some(&token));
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn unknown_paths_are_404_and_logged_as_other() {
    let emu = emulator();
    let r = request("GET", &format!("{}/nothing/here", emu.base_url()), None);
    assert_eq!(r.status, 404);
    assert_eq!(emu.log()[0].route, Route::Other);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_inside_a_runtime() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let url = emu.base_url();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert!(!url.ends_with('/'));
    let emu = tokio::task::spawn_blocking(move || {
        let token = demo_token(&emu);
        let r = api(&emu, "GET", "customerId=demo-customer", Some(&token));
        assert_eq!(r.status, 200);
        emu
    })
    .await
    .unwrap();
    let addr = emu.addr();
    emu.stop().await;
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening after stop"
    );
}

#[test]
fn shutdown_closes_the_listener() {
    let emu = emulator();
    let addr = emu.addr();
    emu.shutdown();
    assert!(std::net::TcpStream::connect(addr).is_err());
}

/// A customer with two clients, a user allowed on it, and that user's token.
fn two_clients() -> (Emulator, String) {
    let seed = Seed {
        customers: vec![
            SeedCustomer::new("acme")
                .with_client(SeedClient::new("acme-a").with_secret("secret-of-a-0123456789", "a"))
                .with_client(SeedClient::new("acme-b").with_secret("secret-of-b-0123456789", "b")),
        ],
        users: vec![SeedUser::new("ops@acme.test", "pw-0123", ["acme"])],
    };
    let emu = Emulator::start_background(EmulatorConfig::with_seed(seed)).unwrap();
    let r = token_request(
        &emu,
        None,
        &[
            ("grant_type", "password"),
            ("client_id", PASSWORD_CLIENT_ID),
            ("username", "ops@acme.test"),
            ("password", "pw-0123"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let token = r.json()["access_token"].as_str().unwrap().to_owned();
    (emu, token)
}

fn created_for(emu: &Emulator, reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{reply:?}");
    let id = reply.json()["id"].as_str().unwrap().to_owned();
    emu.secrets("acme")
        .into_iter()
        .find(|s| s.id == id)
        .unwrap()
        .client_id
}

/// `POST` with a form body, as raw HTTP.
fn create_with_form(emu: &Emulator, query: &str, token: &str, form: &str) -> Raw {
    raw(
        emu.addr(),
        &format!(
            "POST /api/clientcredentials?{query} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
            emu.addr(),
            form.len()
        ),
    )
}

#[test]
fn a_user_names_the_client_in_the_query_or_a_form_body() {
    let (emu, token) = two_clients();
    let r = api(&emu, "POST", "customerId=acme", Some(&token));
    assert_eq!(created_for(&emu, &r), "acme-a", "unnamed: the first client");
    let r = api(
        &emu,
        "POST",
        "customerId=acme&clientId=acme-b",
        Some(&token),
    );
    assert_eq!(created_for(&emu, &r), "acme-b");
    let before = emu.secrets("acme").len();
    let Raw::Answered(text) = create_with_form(&emu, "customerId=acme", &token, "client_id=acme-b")
    else {
        panic!("dropped")
    };
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert_eq!(emu.secrets("acme").len(), before + 1);
    assert_eq!(
        emu.secrets("acme")
            .iter()
            .filter(|s| s.client_id == "acme-b")
            .count(),
        3
    );
    // Both given must agree; an unknown client is refused; nothing is created.
    let Raw::Answered(text) = create_with_form(
        &emu,
        "customerId=acme&clientId=acme-a",
        &token,
        "client_id=acme-b",
    ) else {
        panic!("dropped")
    };
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    let r = api(
        &emu,
        "POST",
        "customerId=acme&clientId=nobody",
        Some(&token),
    );
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(emu.secrets("acme").len(), before + 1);
}

#[test]
fn a_client_token_may_name_only_itself() {
    let (emu, _) = two_clients();
    let token = client_token(&emu, "acme-a", "secret-of-a-0123456789");
    let r = api(
        &emu,
        "POST",
        "customerId=acme&clientId=acme-a",
        Some(&token),
    );
    assert_eq!(created_for(&emu, &r), "acme-a");
    let r = api(
        &emu,
        "POST",
        "customerId=acme&clientId=acme-b",
        Some(&token),
    );
    assert_eq!(r.status, 400, "{r:?}");
}
