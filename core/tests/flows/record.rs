//! Records a scenario: drives real session tasks against the `sim` server,
//! writing every step and answer as a flow-vector event. Also the JSON forms
//! shared with the replayer (requests, responses, outcomes, errors, records).

use crate::scenarios::{Call, Fault, Scenario, SessionSpec};
use crate::sim::Server;
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, Flow, HttpRequest, HttpResponse, Outcome, Password,
    PersistReason, Purpose, Session, Settings, SleepReason, Step, StoreErrorKind, StoreRecord,
    Task, TransportError, TransportErrorKind,
};
use serde_json::{Value, json};

pub const BASE_URL: &str = "https://auth.example.test";
pub const CUSTOMER: &str = "cust-1";
pub const START_MS: u64 = 1_780_000_000_000;

pub fn record_json(record: Option<&StoreRecord>) -> Value {
    record.map_or(Value::Null, |r| serde_json::from_str(&r.to_json()).unwrap())
}

pub fn record_from(value: &Value) -> Option<StoreRecord> {
    (!value.is_null()).then(|| StoreRecord::from_json(&value.to_string()).unwrap())
}

pub fn request_json(req: &HttpRequest, purpose: Purpose) -> Value {
    json!({
        "purpose": purpose.as_str(),
        "method": req.method.as_str(),
        "url": req.url,
        "headers": req.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body": String::from_utf8(req.body.clone()).unwrap(),
    })
}

pub fn response_json(r: &HttpResponse) -> Value {
    json!({
        "status": r.status,
        "headers": r.headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body": String::from_utf8(r.body.clone()).unwrap(),
    })
}

pub fn response_from(v: &Value) -> HttpResponse {
    let headers = v["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
        .collect();
    HttpResponse::new(
        u16::try_from(v["status"].as_u64().unwrap()).unwrap(),
        headers,
        v["body"].as_str().unwrap().as_bytes().to_vec(),
    )
}

pub fn outcome_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Token(t) => json!({
            "access_token": t.access_token.expose_secret(),
            "expires_in": t.expires_in,
        }),
        Outcome::Listed(list) => json!(list.iter().map(|s| s.id.clone()).collect::<Vec<_>>()),
        Outcome::Created(c) => json!({"id": c.id, "secret": c.secret.expose_secret()}),
        Outcome::Deleted => Value::Null,
        Outcome::Rotated(r) => json!({
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
        }),
        Outcome::Record(r) => json!({"generation": r.generation}),
        Outcome::Status(s) => json!({
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
        }),
        other => panic!("unknown outcome {other:?}"),
    }
}

pub fn error_json(e: &Error) -> Value {
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

/// The result as a vector's `expect`. A rotation called with a `max_age`
/// also reports its decision and when the secret now current is due.
pub fn result_json(call: &Value, r: &Result<Outcome, Error>) -> Value {
    match r {
        Ok(o) => {
            let mut ok = outcome_json(o);
            if let (Outcome::Rotated(report), false) = (o, call["max_age_ms"].is_null()) {
                ok["decision"] = json!(report.decision.as_str());
                ok["due_at_ms"] = json!(report.due_at_ms);
            }
            json!({"ok": ok})
        }
        Err(e) => json!({"error": error_json(e)}),
    }
}

pub fn credentials_json(spec: &SessionSpec) -> Value {
    match spec {
        SessionSpec::FromStore => Value::Null,
        SessionSpec::Client(secret) => json!({
            "grant": "client_credentials", "client_id": crate::sim::CLIENT, "client_secret": secret,
        }),
        SessionSpec::Password(user, password) => json!({
            "grant": "password", "username": user, "password": password,
        }),
    }
}

pub fn settings_json(s: &Settings) -> Value {
    json!({
        "retries": s.retries,
        "propagation_wait_ms": s.propagation_wait_ms,
        "timeout_ms": s.timeout_ms,
        "description": s.description,
    })
}

pub fn conflict() -> Error {
    Error::store(StoreErrorKind::Conflict, "the store changed meanwhile")
}

/// The world a scenario runs in.
struct Env {
    server: Server,
    store: Option<StoreRecord>,
    now: u64,
    faults: Vec<Fault>,
    events: Vec<Value>,
    nonces: u8,
    random: Vec<String>,
}

impl Env {
    fn nonce<const N: usize>(&mut self) -> [u8; N] {
        self.nonces += 1;
        let bytes = [self.nonces.wrapping_mul(17); N];
        self.random
            .push(bytes.iter().map(|b| format!("{b:02x}")).collect());
        bytes
    }

    fn task(&mut self, session: &Session, call: &Call) -> Option<Task> {
        use mapsindoors_auth::Operation;
        Some(match call {
            Call::Token => session.token(),
            Call::List => session.call(Operation::List),
            Call::Create(d) => session.call(Operation::Create {
                description: d.map(str::to_owned),
                client_id: None,
            }),
            Call::Delete(id) => session.call(Operation::Delete {
                id: (*id).to_owned(),
            }),
            Call::Rotate | Call::RotateUntil(_) => session.rotate(self.nonce()),
            Call::RotateIfOlder(ms) => session.rotate_if_older_than(*ms, self.nonce()),
            Call::Status(probe, max_age) => session.status(*probe, *max_age),
            Call::Seed { secret_id, claim } => session.seed(
                mapsindoors_auth::SeedOptions {
                    secret_id: secret_id.map(str::to_owned),
                    claim: *claim,
                    ..Default::default()
                },
                self.nonce(),
            ),
            Call::Claim(id) => session.claim(id),
            Call::Advance(ms) => {
                self.now += ms;
                return None;
            }
            Call::Concurrent(_) => return None,
        })
    }

    fn take_fault(&mut self, matches: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let pos = self.faults.iter().position(matches)?;
        Some(self.faults.remove(pos))
    }

    /// Answers one step of `task`.
    fn answer(&mut self, task: &mut Task, step: Step<Outcome>) {
        match step {
            Step::Send(req, purpose) => {
                let mut event = json!({"send": request_json(&req, purpose)});
                let lineage = self
                    .store
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |r| r.lineage.clone());
                let outcome = match self.take_fault(|f| f.purpose() == Some(purpose)) {
                    Some(Fault::Reply(_, response)) => Ok(response),
                    Some(Fault::Lose(_)) => {
                        let _ = self.server.handle(&req, &lineage);
                        Err(TransportError::new(
                            TransportErrorKind::Interrupted,
                            "connection reset",
                        ))
                    }
                    Some(Fault::Drop(_)) => Err(TransportError::new(
                        TransportErrorKind::Connect,
                        "connection refused",
                    )),
                    _ => Ok(self.server.handle(&req, &lineage)),
                };
                if let Some(Fault::StoreReplaced(_, record)) =
                    self.take_fault(|f| matches!(f, Fault::StoreReplaced(p, _) if *p == purpose))
                {
                    event["store_now"] = record_json(Some(&record));
                    self.store = Some(*record);
                }
                match &outcome {
                    Ok(r) => event["respond"] = response_json(r),
                    Err(e) => {
                        event["fail"] = json!({"kind": e.kind.as_str(), "message": e.message});
                    }
                }
                self.events.push(event);
                task.on_response(outcome, self.now);
            }
            Step::Load => {
                self.events
                    .push(json!({"load": record_json(self.store.as_ref())}));
                task.on_loaded(Ok(self.store.clone()));
            }
            Step::Persist(record, why) => {
                let mut event = json!({"persist": {
                    "reason": why.as_str(),
                    "record": record_json(Some(&record)),
                }});
                let held = self.store.as_ref().map_or(0, |r| r.generation);
                let result = if let Some(Fault::Conflict(_, now)) =
                    self.take_fault(|f| matches!(f, Fault::Conflict(w, _) if *w == why))
                {
                    let now = now.map(|r| *r);
                    event["store_now"] = record_json(now.as_ref());
                    self.store = now;
                    Err(conflict())
                } else if record.generation.checked_sub(1) == Some(held) {
                    self.store = Some(*record);
                    Ok(())
                } else {
                    Err(conflict())
                };
                event["result"] = json!(if result.is_ok() { "ok" } else { "conflict" });
                self.events.push(event);
                task.on_persisted(result);
            }
            Step::Sleep(ms, why) => {
                self.events
                    .push(json!({"sleep": {"ms": ms, "reason": why.as_str()}}));
                self.now += ms;
                if why == SleepReason::Propagation {
                    self.server.propagate();
                }
            }
            Step::Wait(_) | Step::Done(_) => unreachable!("handled by the caller"),
        }
    }

    /// Runs tasks side by side: each round polls every unfinished task, then
    /// answers the steps, so a task that logs in is seen by the others.
    fn run(
        &mut self,
        mut tasks: Vec<Task>,
        stop: Option<PersistReason>,
    ) -> Vec<Result<Outcome, Error>> {
        let mut results: Vec<Option<Result<Outcome, Error>>> = tasks.iter().map(|_| None).collect();
        let mut rounds = 0;
        while results.iter().any(Option::is_none) {
            rounds += 1;
            assert!(rounds < 500, "tasks did not finish");
            let steps: Vec<(usize, Step<Outcome>)> = (0..tasks.len())
                .filter(|i| results[*i].is_none())
                .map(|i| (i, tasks[i].poll(self.now)))
                .collect();
            for (i, step) in steps {
                match step {
                    Step::Wait(_) => {}
                    Step::Done(r) => results[i] = Some(r),
                    step => {
                        let crash = matches!(&step, Step::Persist(_, why) if Some(*why) == stop);
                        self.answer(&mut tasks[i], step);
                        if crash {
                            // A crash right after this save: the task is gone.
                            return vec![Err(conflict())];
                        }
                    }
                }
            }
        }
        results.into_iter().map(Option::unwrap).collect()
    }
}

fn session_for(spec: &SessionSpec, settings: &Settings, store: Option<&StoreRecord>) -> Session {
    let config = Config::new(BASE_URL)
        .unwrap()
        .with_customer_id(CUSTOMER)
        .unwrap();
    match spec {
        SessionSpec::FromStore => {
            Session::from_record(store.expect("a store to build from"), settings.clone()).unwrap()
        }
        SessionSpec::Client(secret) => Session::new(
            config,
            Credentials::client(crate::sim::CLIENT, ClientSecret::new(*secret)).unwrap(),
            settings.clone(),
        )
        .unwrap(),
        SessionSpec::Password(user, password) => Session::new(
            config,
            Credentials::password(user, Password::new(*password)).unwrap(),
            settings.clone(),
        )
        .unwrap(),
    }
}

/// Records a scenario as a flow vector.
pub fn record(scenario: &Scenario) -> Value {
    let mut env = Env {
        server: (scenario.server)(),
        store: scenario.store.clone(),
        now: START_MS,
        faults: Vec::new(),
        events: Vec::new(),
        nonces: 0,
        random: Vec::new(),
    };
    // The prelude: unrecorded calls that leave the store and server as the scenario needs.
    for call in &scenario.prelude {
        let session = session_for(&scenario.session, &scenario.settings, env.store.as_ref());
        let stop = match call {
            Call::RotateUntil(why) => Some(*why),
            _ => None,
        };
        if let Some(task) = env.task(&session, call) {
            let _ = env.run(vec![task], stop);
        }
    }
    env.server.propagation = scenario.propagation;
    env.events.clear();
    env.random.clear();
    env.faults = scenario.faults.clone();
    let start_store = record_json(env.store.as_ref());
    let start_ms = env.now;
    let session = session_for(&scenario.session, &scenario.settings, env.store.as_ref());
    let mut calls = Vec::new();
    for call in &scenario.calls {
        let (specs, tasks): (Vec<&Call>, Vec<Task>) = match call {
            Call::Concurrent(list) => {
                let tasks = list
                    .iter()
                    .map(|c| env.task(&session, c).unwrap())
                    .collect();
                (list.iter().collect(), tasks)
            }
            Call::Advance(ms) => {
                // Time passing also lets every new secret propagate.
                env.now += ms;
                env.server.propagate();
                calls.push(json!({"call": "advance", "ms": ms}));
                continue;
            }
            single => (vec![single], vec![env.task(&session, single).unwrap()]),
        };
        let results = env.run(tasks, None);
        let entries: Vec<Value> = specs
            .iter()
            .zip(&results)
            .map(|(spec, result)| {
                let mut v = spec.to_json();
                v["expect"] = result_json(&v, result);
                v
            })
            .collect();
        match call {
            Call::Concurrent(_) => calls.push(json!({"concurrent": entries})),
            _ => calls.extend(entries),
        }
    }
    assert!(
        env.faults.is_empty(),
        "{}: faults never met: {}",
        scenario.name,
        env.faults.len()
    );
    json!({
        "name": scenario.name,
        "about": scenario.about,
        "pins": scenario.pins,
        "start_ms": start_ms,
        "session": {
            "from_store": matches!(scenario.session, SessionSpec::FromStore),
            "base_url": BASE_URL,
            "customer_id": CUSTOMER,
            "credentials": credentials_json(&scenario.session),
            "settings": settings_json(&scenario.settings),
        },
        "random": env.random,
        "store": start_store,
        "calls": calls,
        "events": env.events,
        "store_after": record_json(env.store.as_ref()),
    })
}
