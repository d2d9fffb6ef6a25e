//! Hostile answers the core decides about once for every binding: a
//! redirect is refused (naming only its host, never followed, never
//! retried), a token endpoint's body that is not an RFC 6749 error is
//! withheld, every exact copy of a secret the request sent is scrubbed, and
//! an `access_token` outside RFC 6750's characters is refused unseen.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, Flow, HttpResponse, Operation, Outcome, Password,
    Purpose, Session, Settings, Step, Task,
};

const SECRET: &str = "quokka lowercase zebra/and+plum";
const PASSWORD: &str = "correct horse battery staple";

fn config() -> Config {
    Config::new("https://auth.example.test")
        .unwrap()
        .with_customer_id("cust")
        .unwrap()
}

fn client() -> Session {
    let creds = Credentials::client("script", ClientSecret::new(SECRET)).unwrap();
    Session::new(config(), creds, Settings::default()).unwrap()
}

fn user() -> Session {
    let creds = Credentials::password("me@example.test", Password::new(PASSWORD)).unwrap();
    Session::new(config(), creds, Settings::default()).unwrap()
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body.as_bytes().to_vec(),
    )
}

fn token_ok() -> HttpResponse {
    response(
        200,
        &[("Content-Type", "application/json")],
        r#"{"access_token":"tok-123","token_type":"Bearer","expires_in":3600}"#,
    )
}

/// Drives `task`, answering each request of `purpose` with the next of
/// `answers` (a login otherwise gets a token); returns the outcome and the
/// purposes sent.
fn drive(
    mut task: mapsindoors_auth::Task,
    purpose: Purpose,
    answers: &mut Vec<HttpResponse>,
) -> (Result<Outcome, Error>, Vec<Purpose>) {
    let mut sent = Vec::new();
    for _ in 0..50 {
        match task.poll(0) {
            Step::Send(_, p) => {
                sent.push(p);
                let r = if p == purpose && !answers.is_empty() {
                    answers.remove(0)
                } else {
                    token_ok()
                };
                task.on_response(Ok(r), 0);
            }
            Step::Sleep(..) | Step::Wait(_) => {}
            Step::Load | Step::Persist(..) => panic!("no store here"),
            Step::Done(r) => return (r, sent),
        }
    }
    panic!("the task never finished")
}

fn login_error(session: &Session, answer: HttpResponse) -> Error {
    let (r, _) = drive(session.token(), Purpose::Login, &mut vec![answer; 5]);
    r.expect_err("refused")
}

/// No form of `value` a server could echo is in `text`.
fn assert_clean(text: &str, value: &str) {
    let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    for needle in [value.to_owned(), form.clone(), form.replace('+', "%20")] {
        assert!(!text.contains(&needle), "{needle:?} leaked into: {text}");
    }
    for word in value.split([' ', '/', '+']).filter(|w| w.len() > 4) {
        assert!(!text.contains(word), "{word:?} leaked into: {text}");
    }
}

#[test]
fn a_5xx_echoing_the_password_form_is_withheld() {
    let body = format!("boom: grant_type=password&username=me&password={}", {
        let f: String = form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect();
        f
    });
    let e = login_error(&user(), response(500, &[], &body));
    assert_eq!(e.kind().as_str(), "server_error");
    assert_clean(&e.to_string(), PASSWORD);
    assert_clean(&format!("{e:?}"), PASSWORD);
}

#[test]
fn a_non_oauth_400_echoing_json_is_withheld() {
    let body = format!(r#"{{"message":"bad","password":"{PASSWORD}"}}"#);
    let e = login_error(
        &user(),
        response(400, &[("Content-Type", "application/json")], &body),
    );
    assert_eq!(e.kind().as_str(), "bad_request");
    assert_eq!(e.status(), Some(400));
    assert_clean(&e.to_string(), PASSWORD);
}

#[test]
fn an_oauth_description_echoing_the_lowercase_secret_is_scrubbed() {
    let body = format!(
        r#"{{"error":"invalid_client","error_description":"unknown secret {}"}}"#,
        SECRET.replace('/', "\\/")
    );
    let e = login_error(
        &client(),
        response(400, &[("Content-Type", "application/json")], &body),
    );
    assert_eq!(e.kind().as_str(), "invalid_client");
    let text = e.to_string();
    assert_clean(&text, SECRET);
    assert!(text.contains("unknown secret [redacted]"), "{text}");
}

#[test]
fn a_secrets_endpoint_5xx_echoing_the_bearer_token_is_scrubbed() {
    let session = client();
    let mut answers = vec![response(500, &[], "Authorization: Bearer tok-123 was not accepted"); 5];
    let (r, _) = drive(session.call(Operation::List), Purpose::List, &mut answers);
    let text = r.expect_err("5xx").to_string();
    assert!(!text.contains("tok-123"), "{text}");
}

#[test]
fn a_token_with_control_characters_is_refused_unseen() {
    for token in ["tok\r\nX-Evil: 1", "tok\u{1b}[31mred", "tok en", ""] {
        let body = format!(
            r#"{{"access_token":"{}","token_type":"Bearer","expires_in":60}}"#,
            token
                .replace('\u{1b}', "\\u001b")
                .replace('\r', "\\r")
                .replace('\n', "\\n")
        );
        let e = login_error(
            &client(),
            response(200, &[("Content-Type", "application/json")], &body),
        );
        assert_eq!(e.kind().as_str(), "unexpected_response", "{token:?}");
        let text = e.to_string();
        assert!(!text.contains("Evil") && !text.contains("[31m"), "{text}");
    }
}

#[test]
fn rfc_6750_tokens_pass() {
    use mapsindoors_auth::response::is_b64token;
    for ok in ["abc", "a.b-c_d~e+f/g", "eyJ0eXAi.eyJzdWIi.sig==", "x="] {
        assert!(is_b64token(ok), "{ok}");
    }
    for bad in ["", "=", "a b", "a\nb", "a=b", "a\u{e9}", "a\"b"] {
        assert!(!is_b64token(bad), "{bad:?}");
    }
}

#[test]
fn a_redirect_is_refused_once_naming_only_its_host() {
    for status in [301, 302, 303, 307, 308] {
        let location = "http://user:pw@evil.example:8080/steal?token=tok-123#x";
        let (r, sent) = drive(
            client().token(),
            Purpose::Login,
            &mut vec![response(status, &[("Location", location)], "moved"); 5],
        );
        let text = r.expect_err("a redirect is no token").to_string();
        assert_eq!(sent, vec![Purpose::Login], "never retried ({status})");
        assert!(text.contains("host `evil.example:8080`"), "{text}");
        for hidden in ["steal", "tok-123", "user", "pw@"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
    }
}

#[test]
fn a_redirected_delete_is_not_a_delete() {
    let session = client();
    let mut answers = vec![response(
        302,
        &[("Location", "https://elsewhere.example/ok")],
        "",
    )];
    let (r, sent) = drive(
        session.call(Operation::Delete { id: "id1".into() }),
        Purpose::Delete,
        &mut answers,
    );
    let e = r.expect_err("a redirected DELETE deleted nothing");
    assert!(e.to_string().contains("elsewhere.example"), "{e}");
    assert_eq!(sent, vec![Purpose::Login, Purpose::Delete]);
}

#[test]
fn a_bare_401_from_the_token_endpoint_is_invalid_client_with_its_status() {
    let e = login_error(
        &client(),
        response(401, &[("WWW-Authenticate", "Basic realm=\"x\"")], ""),
    );
    assert_eq!(e.kind().as_str(), "invalid_client");
    assert_eq!(e.status(), Some(401));
}

/// Drives a rotation (no propagation wait) in which the new secret's verify
/// login gets `verify`; returns the error and the task.
fn rotation_refused_at_verify(verify: HttpResponse) -> (Error, Task) {
    let record = mapsindoors_auth::StoreRecord::new(
        &config(),
        "script",
        ClientSecret::new("s-old"),
        Some("id1".into()),
        "l-0011223344556677",
    )
    .unwrap();
    let settings = Settings {
        propagation_wait_ms: 0,
        ..Settings::default()
    };
    let session = Session::from_record(&record, settings).unwrap();
    let mut task = session.rotate([7; 16]);
    let created =
        r#"{"id":"id9","description":"x","createdAt":"2026-01-01T00:00:00Z","secret":"s-new"}"#;
    let error = loop {
        match task.poll(0) {
            Step::Load => task.on_loaded(Ok(Some(record.clone()))),
            Step::Persist(..) => task.on_persisted(Ok(())),
            Step::Send(_, Purpose::Create) => task.on_response(
                Ok(response(
                    200,
                    &[("Content-Type", "application/json")],
                    created,
                )),
                0,
            ),
            Step::Send(_, Purpose::Verify) => task.on_response(Ok(verify.clone()), 0),
            Step::Send(..) => task.on_response(Ok(token_ok()), 0),
            Step::Sleep(..) | Step::Wait(_) => {}
            Step::Done(r) => break r.expect_err("verify refused"),
        }
    };
    (error, task)
}

#[test]
fn a_failed_rotation_keeps_its_partial_report_after_done() {
    let (error, task) = rotation_refused_at_verify(response(
        400,
        &[("Content-Type", "application/json")],
        r#"{"error":"invalid_client"}"#,
    ));
    assert_eq!(error.kind().as_str(), "rotation_incomplete");
    let report = task.report().expect("the partial report outlives Done");
    assert_eq!(report.new_id.as_deref(), Some("id9"));
    assert!(!report.rotated);
}

#[test]
fn a_timeout_ends_the_call_at_its_deadline_without_a_retry() {
    use mapsindoors_auth::{TransportError, TransportErrorKind};
    for (kind, sends) in [
        (TransportErrorKind::Timeout, 1),
        (TransportErrorKind::Connect, 4),
    ] {
        let mut task = client().token();
        let mut sent = 0;
        let error = loop {
            match task.poll(0) {
                Step::Send(..) => {
                    sent += 1;
                    task.on_response(Err(TransportError::new(kind, "slow")), 0);
                }
                Step::Sleep(..) | Step::Wait(_) => {}
                Step::Load | Step::Persist(..) => panic!("no store here"),
                Step::Done(r) => break r.expect_err("no answer"),
            }
        };
        assert_eq!(error.kind().as_str(), "transport");
        assert_eq!(sent, sends, "{kind:?}");
    }
}

#[test]
fn a_new_secret_refused_after_the_wait_reports_the_status_the_server_gave() {
    for verify in [
        response(401, &[("WWW-Authenticate", "Basic realm=\"x\"")], ""),
        response(
            400,
            &[("Content-Type", "application/json")],
            r#"{"error":"invalid_client"}"#,
        ),
    ] {
        let status = verify.status;
        let (error, _) = rotation_refused_at_verify(verify);
        assert_eq!(error.kind().as_str(), "rotation_incomplete");
        assert_eq!(error.status(), Some(status), "{error}");
        assert!(
            error.to_string().contains(&format!("HTTP {status}")),
            "{error}"
        );
    }
}
