//! Every flow vector (`tests/flows/*.json`, format in its README) replayed
//! through the CLI's own [`Client`] and drive loop, with a scripted platform
//! (transport, store, clock, sleep, randomness), compared step by step.
// Test helpers may fail loudly: a panic is a failed test. The count is printed for the test script.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, HttpRequest, HttpResponse, Password, PersistReason,
    Purpose, SeedOptions, Session, Settings, SleepReason, StoreErrorKind, StoreRecord,
    TransportError, TransportErrorKind,
};
use mapsindoors_auth_cli::client::Client;
use mapsindoors_auth_cli::driver::Platform;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

fn flows_dir() -> PathBuf {
    std::env::var_os("MIA_FLOWS_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/flows"),
        PathBuf::from,
    )
}

fn record_json(record: Option<&StoreRecord>) -> Value {
    record.map_or(Value::Null, |r| serde_json::from_str(&r.to_json()).unwrap())
}

fn record_from(value: &Value) -> Option<StoreRecord> {
    (!value.is_null()).then(|| StoreRecord::from_json(&value.to_string()).unwrap())
}

fn pairs(headers: &[(String, String)]) -> Value {
    json!(
        headers
            .iter()
            .map(|(n, v)| json!([n, v]))
            .collect::<Vec<_>>()
    )
}

/// The transcript, consumed in order by every platform call (from any thread).
struct Script(Mutex<State>);

struct State {
    events: VecDeque<Value>,
    store: Option<StoreRecord>,
    now: u64,
    random: VecDeque<String>,
    mismatch: Option<String>,
}

impl State {
    /// The next event, if it is a `key` event equal to `asked`; else notes the mismatch.
    fn next(&mut self, key: &str, asked: &Value) -> Option<Value> {
        let Some(event) = self.events.pop_front() else {
            self.fail(format!(
                "the client asked {key} {asked}, but the transcript has ended"
            ));
            return None;
        };
        if event.get(key) == Some(asked) {
            Some(event)
        } else {
            self.fail(format!("{key}:\n  expected {event}\n  asked    {asked}"));
            None
        }
    }

    fn fail(&mut self, message: String) {
        self.mismatch.get_or_insert(message);
    }
}

impl Script {
    fn state(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn mismatch_error() -> Error {
    Error::store(StoreErrorKind::Io, "the transcript differs")
}

impl Platform for Script {
    fn now_ms(&self) -> u64 {
        self.state().now
    }

    fn send(
        &self,
        request: &HttpRequest,
        purpose: Purpose,
    ) -> Result<HttpResponse, TransportError> {
        let asked = json!({
            "purpose": purpose.as_str(),
            "method": request.method.as_str(),
            "url": request.url,
            "headers": pairs(&request.headers),
            "body": String::from_utf8(request.body.clone()).unwrap(),
        });
        let Some(event) = self.state().next("send", &asked) else {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "the transcript differs",
            ));
        };
        if let Some(now) = event.get("store_now") {
            // Another writer saved this while the request was out.
            self.state().store = record_from(now);
        }
        if let Some(fail) = event.get("fail") {
            return Err(TransportError::new(
                TransportErrorKind::from_name(fail["kind"].as_str().unwrap()),
                fail["message"].as_str().unwrap(),
            ));
        }
        let r = &event["respond"];
        let headers = r["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
            .collect();
        Ok(HttpResponse::new(
            u16::try_from(r["status"].as_u64().unwrap()).unwrap(),
            headers,
            r["body"].as_str().unwrap().as_bytes().to_vec(),
        ))
    }

    fn load(&self) -> Result<Option<StoreRecord>, Error> {
        let mut state = self.state();
        let held = record_json(state.store.as_ref());
        match state.next("load", &held) {
            Some(_) => Ok(state.store.clone()),
            None => Err(mismatch_error()),
        }
    }

    fn save(&self, record: &StoreRecord, reason: PersistReason) -> Result<(), Error> {
        let mut state = self.state();
        let asked = json!({"reason": reason.as_str(), "record": record_json(Some(record))});
        let Some(event) = state.next("persist", &asked) else {
            return Err(mismatch_error());
        };
        if event["result"] == "ok" {
            state.store = Some(record.clone());
            return Ok(());
        }
        if let Some(now) = event.get("store_now") {
            state.store = record_from(now);
        }
        Err(Error::store(
            StoreErrorKind::Conflict,
            "the store changed meanwhile",
        ))
    }

    fn sleep(&self, ms: u64, reason: SleepReason) {
        let mut state = self.state();
        if state
            .next("sleep", &json!({"ms": ms, "reason": reason.as_str()}))
            .is_some()
        {
            state.now += ms;
        }
    }

    fn wait(&self, _ms: u64) {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }

    fn random(&self, bytes: &mut [u8]) -> Result<(), Error> {
        let mut state = self.state();
        let chunk = state.random.pop_front().unwrap_or_default();
        if chunk.len() != bytes.len() * 2 {
            state.fail(format!(
                "asked {} random bytes, the transcript has {chunk:?}",
                bytes.len()
            ));
            return Err(mismatch_error());
        }
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = u8::from_str_radix(&chunk[i * 2..i * 2 + 2], 16).unwrap();
        }
        Ok(())
    }
}

/// The session the vector describes, built as the CLI builds its own:
/// from the store's record, or from config and credentials (`init`).
fn session(v: &Value, store: Option<&StoreRecord>) -> Result<Session, Error> {
    let s = &v["session"];
    let st = &s["settings"];
    let settings = Settings {
        retries: u32::try_from(st["retries"].as_u64().unwrap()).unwrap(),
        propagation_wait_ms: st["propagation_wait_ms"].as_u64().unwrap(),
        timeout_ms: st["timeout_ms"].as_u64().unwrap(),
        description: st["description"].as_str().map(str::to_owned),
    };
    if s["from_store"].as_bool().unwrap() {
        return Session::from_record(store.expect("from_store without a store"), settings);
    }
    let config = Config::new(s["base_url"].as_str().unwrap())?
        .with_customer_id(s["customer_id"].as_str().unwrap())?;
    let c = &s["credentials"];
    let text = |k: &str| c[k].as_str().unwrap().to_owned();
    let credentials = match c["grant"].as_str().unwrap() {
        "client_credentials" => {
            Credentials::client(&text("client_id"), ClientSecret::new(text("client_secret")))?
        }
        _ => Credentials::password(&text("username"), Password::new(text("password")))?,
    };
    Session::new(config, credentials, settings)
}

fn error_json(e: &Error) -> Value {
    let mut v = json!({
        "kind": e.kind().as_str(),
        "status": e.status(),
        "code": e.oauth().map(|o| o.code.clone()),
    });
    if let Error::RotationIncomplete { stage, .. } = e {
        v["stage"] = json!(stage);
    }
    v
}

fn outcome<T>(result: Result<T, Error>, ok: impl FnOnce(T) -> Value) -> Value {
    match result {
        Ok(value) => json!({"ok": ok(value)}),
        Err(e) => json!({"error": error_json(&e)}),
    }
}

/// One call through the client's method of that name, as the transcripts write its result.
fn invoke(client: &Client<Script>, call: &Value) -> Value {
    let text = |k: &str| call[k].as_str().map(str::to_owned);
    match call["call"].as_str().unwrap() {
        "token" => outcome(
            client.token(),
            |t| json!({"access_token": t.access_token.expose_secret(), "expires_in": t.expires_in}),
        ),
        "list" => outcome(client.list(), |list| {
            json!(list.iter().map(|s| s.id.clone()).collect::<Vec<_>>())
        }),
        "create" => outcome(
            client.create(text("description")),
            |c| json!({"id": c.id, "secret": c.secret.expose_secret()}),
        ),
        "delete" => outcome(client.delete(&text("id").unwrap()), |()| Value::Null),
        "rotate" => {
            let max_age = call["max_age_ms"].as_u64();
            outcome(client.rotate(max_age, |_| {}), |r| {
                let mut v = json!({
                    "rotated": r.rotated,
                    "resumed": r.resumed,
                    "old_id": r.old_id,
                    "new_id": r.new_id,
                    "deleted": r.deleted,
                    "swept": r.swept,
                    "kept": r.kept.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
                    "round_trips": r.round_trips,
                    "persists": r.persists,
                    "generation": r.generation,
                });
                if max_age.is_some() {
                    v["decision"] = json!(r.decision.as_str());
                    v["due_at_ms"] = json!(r.due_at_ms);
                }
                v
            })
        }
        "status" => outcome(
            client.status(
                call["probe"].as_bool().unwrap(),
                call["max_age_ms"].as_u64(),
            ),
            |s| {
                json!({
                    "health": s.health().as_str(),
                    "generation": s.generation,
                    "current_id": s.current_id,
                    "age_ms": s.age_ms,
                    "due_at_ms": s.due_at_ms,
                    "due": s.due,
                    "unfinished": s.unfinished,
                    "kept": s.kept.iter().map(|k| k.id.clone()).collect::<Vec<_>>(),
                    "last_rotation_ms": s.last_rotation_ms,
                    "check": s.check.as_ref().map(|c| json!({
                        "accepted": c.accepted,
                        "refusal_kind": c.refusal_kind,
                        "secret_count": c.secret_count,
                    })),
                })
            },
        ),
        "seed" => outcome(
            client.seed(SeedOptions {
                secret_id: text("secret_id"),
                claim: call["claim"].as_bool().unwrap(),
                ..SeedOptions::default()
            }),
            |r| json!({"generation": r.generation}),
        ),
        "claim" => outcome(
            client.claim(&text("id").unwrap()),
            |r| json!({"generation": r.generation}),
        ),
        other => panic!("unknown call {other}"),
    }
}

/// Replays one vector; `Err` says where it went apart.
fn replay(v: &Value) -> Result<(), String> {
    let store = record_from(&v["store"]);
    let session = session(v, store.as_ref()).map_err(|e| e.to_string())?;
    let script = Script(Mutex::new(State {
        events: v["events"].as_array().unwrap().iter().cloned().collect(),
        store,
        now: v["start_ms"].as_u64().unwrap(),
        random: v["random"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect(),
        mismatch: None,
    }));
    let client = Client::new(session, script);
    for call in v["calls"].as_array().unwrap() {
        if call["call"] == "advance" {
            client.platform().state().now += call["ms"].as_u64().unwrap();
            continue;
        }
        let group: Vec<&Value> = match call.get("concurrent") {
            Some(list) => list.as_array().unwrap().iter().collect(),
            None => vec![call],
        };
        // Concurrent calls run on threads, each through its own drive loop.
        let results: Vec<Value> = std::thread::scope(|scope| {
            let handles: Vec<_> = group
                .iter()
                .map(|c| scope.spawn(|| invoke(&client, c)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        if let Some(m) = &client.platform().state().mismatch {
            return Err(m.clone());
        }
        for (c, got) in group.iter().zip(&results) {
            let expect = &c["expect"];
            if expect.as_object().is_none_or(|o| !o.is_empty()) && expect != got {
                return Err(format!("{}: expected {expect}, got {got}", c["call"]));
            }
        }
    }
    let state = client.platform().state();
    if !state.events.is_empty() {
        return Err(format!(
            "{} events never happened, first {}",
            state.events.len(),
            state.events[0]
        ));
    }
    if record_json(state.store.as_ref()) != v["store_after"] {
        return Err("the store at the end differs".into());
    }
    Ok(())
}

#[test]
fn every_flow_vector_replays_through_the_cli_driver() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(flows_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "too few flow vectors in {}: {}",
        flows_dir().display(),
        paths.len()
    );
    let mut failed = Vec::new();
    for path in &paths {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        if let Err(why) = replay(&v) {
            failed.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    println!("flow vectors: {} passed (cli)", paths.len());
}
