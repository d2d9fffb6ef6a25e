//! Runs every shared conformance vector (`tests/vectors/*.json`) through the
//! core's flows with a recording in-memory transport.

// Test helpers may fail loudly: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, Flow, HttpRequest, HttpResponse, Operation, Outcome,
    Password, Session, Settings, Step,
};
use serde_json::{Value, json};

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    file["cases"].as_array().unwrap().clone()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("missing {key}"))
}

fn response_of(case: &Value) -> HttpResponse {
    let r = &case["response"];
    let headers = r["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h[0].as_str().unwrap().to_owned(),
                h[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let body = match r.get("body_repeat") {
        Some(rep) => str_of(rep, "text").repeat(rep["times"].as_u64().unwrap() as usize),
        None => str_of(r, "body").to_owned(),
    };
    HttpResponse::new(
        r["status"].as_u64().unwrap() as u16,
        headers,
        body.into_bytes(),
    )
}

fn token_response(token: &str) -> HttpResponse {
    let body =
        json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}).to_string();
    HttpResponse::new(
        200,
        vec![("Content-Type".into(), "application/json".into())],
        body.into_bytes(),
    )
}

fn setup(case: &Value) -> Result<(Config, Credentials), Error> {
    let mut config = Config::new(str_of(case, "base_url"))?;
    if let Some(c) = case["customer_id"].as_str() {
        config = config.with_customer_id(c)?;
    }
    let creds = &case["credentials"];
    let credentials = match str_of(creds, "grant") {
        "client_credentials" => Credentials::client(
            str_of(creds, "client_id"),
            ClientSecret::new(str_of(creds, "client_secret")),
        )?,
        "password" => Credentials::password(
            str_of(creds, "username"),
            Password::new(str_of(creds, "password")),
        )?,
        other => panic!("unknown grant {other}"),
    };
    Ok((config, credentials))
}

/// Drives a flow, answering token requests with a canned token when the case
/// is about another endpoint. Returns the result and the requests the case is about.
fn drive<F: Flow>(mut flow: F, case: &Value) -> (Result<F::Output, Error>, Vec<HttpRequest>) {
    let about_token = str_of(case, "operation") == "token";
    let mut seen = Vec::new();
    for _ in 0..20 {
        match flow.poll(0) {
            Step::Send(req, _) => {
                let response = if !about_token && req.url.ends_with("/connect/token") {
                    token_response(str_of(case, "access_token"))
                } else {
                    seen.push(req);
                    response_of(case)
                };
                flow.on_response(Ok(response), 0);
            }
            Step::Persist(..) | Step::Load => panic!("no store expected"),
            Step::Sleep(..) | Step::Wait(_) => panic!("retries are off and nothing runs alongside"),
            Step::Done(r) => return (r, seen),
        }
    }
    panic!("flow did not finish")
}

fn as_json(output: &Outcome) -> Value {
    match output {
        Outcome::Listed(items) => Value::Array(
            items
                .iter()
                .map(|s| json!({"id": s.id, "description": s.description, "client_id": s.client_id, "created_at_ms": s.created_at.unix_millis()}))
                .collect(),
        ),
        Outcome::Created(c) => json!({
            "id": c.id, "description": c.description, "created_at_ms": c.created_at.unix_millis(),
            "secret": c.secret.expose_secret(),
        }),
        Outcome::Deleted => Value::Null,
        other => panic!("unexpected output {other:?}"),
    }
}

/// Runs one case; returns the observed outcome as JSON plus the printed forms to scan.
fn run(case: &Value) -> (Result<Value, Error>, Vec<HttpRequest>, String) {
    let (config, credentials) = match setup(case) {
        Ok(x) => x,
        Err(e) => return (Err(e), vec![], String::new()),
    };
    let settings = Settings {
        retries: 0,
        ..Settings::default()
    };
    let session = match Session::new(config, credentials, settings) {
        Ok(s) => s,
        Err(e) => return (Err(e), vec![], String::new()),
    };
    let args = &case["args"];
    match str_of(case, "operation") {
        "token" => {
            let (r, seen) = drive(session.token(), case);
            let printed = format!("{r:?}");
            let v = r.map(|t| match t {
                Outcome::Token(t) => json!({"access_token": t.access_token.expose_secret(), "token_type": t.token_type, "expires_in": t.expires_in, "scope": t.scope}),
                other => panic!("not a token: {other:?}"),
            });
            (v, seen, printed)
        }
        op => {
            let operation = match op {
                "list" => Operation::List,
                "create" => Operation::Create {
                    description: args["description"].as_str().map(str::to_owned),
                    client_id: args["client_id"].as_str().map(str::to_owned),
                },
                "delete" => Operation::Delete {
                    id: str_of(args, "id").to_owned(),
                },
                other => panic!("unknown operation {other}"),
            };
            let (r, seen) = drive(session.call(operation), case);
            let printed = format!("{r:?}");
            (r.map(|o| as_json(&o)), seen, printed)
        }
    }
}

fn check(case: &Value) -> Result<(), String> {
    let (outcome, seen, printed) = run(case);
    if let Some(expected) = case.get("request") {
        let req = seen.first().ok_or("no request was sent")?;
        let headers: Vec<Value> = req.headers.iter().map(|(n, v)| json!([n, v])).collect();
        let actual = json!({
            "method": req.method.as_str(), "url": req.url, "headers": headers,
            "body": String::from_utf8(req.body.clone()).map_err(|e| e.to_string())?,
        });
        if &actual != expected {
            return Err(format!(
                "request\n  expected {expected}\n  actual   {actual}"
            ));
        }
    }
    if let Some(error) = &outcome.as_ref().err() {
        let text = format!("{error} {error:?} {printed}");
        for needle in case["must_not_contain"].as_array().into_iter().flatten() {
            if text.contains(needle.as_str().unwrap()) {
                return Err(format!("output leaks {needle}: {text}"));
            }
        }
    }
    match (case.get("expect"), &outcome) {
        (None, _) => Ok(()),
        (Some(exp), Ok(v)) if exp.get("ok") == Some(v) => Ok(()),
        (Some(exp), Err(e)) if exp.get("error").is_some() => {
            let want = &exp["error"];
            let retry = e.retry_after();
            let got = json!({
                "kind": e.kind().as_str(),
                "status": e.status(),
                "oauth_code": e.oauth().map(|o| o.code.clone()),
                "retry_after_secs": match retry { Some(mapsindoors_auth::RetryAfter::Seconds(s)) => Some(s), _ => None },
                "retry_after_at": match retry { Some(mapsindoors_auth::RetryAfter::At(s)) => Some(s), _ => None },
            });
            for (k, v) in want.as_object().unwrap() {
                if &got[k] != v {
                    return Err(format!(
                        "error field {k}: expected {v}, got {} ({e})",
                        got[k]
                    ));
                }
            }
            Ok(())
        }
        (Some(exp), other) => Err(format!("expected {exp}, got {other:?}")),
    }
}

fn run_file(name: &str) {
    let cases = load(name);
    assert!(!cases.is_empty());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            check(c)
                .err()
                .map(|e| format!("{}: {e}", str_of(c, "name")))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn request_vectors() {
    run_file("requests.json");
}

#[test]
fn response_vectors() {
    run_file("responses.json");
}

#[test]
fn invalid_operations_send_nothing() {
    let config = Config::new("https://auth.mapsindoors.com").unwrap();
    let creds = Credentials::client("c", ClientSecret::new("s")).unwrap();
    let session = Session::new(config.clone(), creds, Settings::default()).unwrap();
    let mut call = session.call(Operation::List);
    assert!(matches!(
        call.poll(0),
        Step::Done(Err(Error::InvalidInput { .. }))
    ));
    assert!(Operation::List.check(&config).is_err());
}
