//! The rotation state machine against an in-memory fake of the API with a
//! virtual clock: the happy path, round trips, every crash point, propagation,
//! shared clients and failures. (The emulator and real processes are tested
//! in `cli/tests`.)

// Test helpers may fail loudly: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mapsindoors_auth::{
    ClientSecret, Config, Error, Flow, HttpRequest, HttpResponse, RotateOptions, Rotation,
    RotationReport, Step, StoreRecord, TransportError, TransportErrorKind,
};
use serde_json::json;
use std::collections::VecDeque;

const CLIENT: &str = "script-client";

#[derive(Clone)]
struct Secret {
    id: String,
    value: String,
    description: String,
    client: String,
    accepted_from_ms: u64,
}

/// What the fake does to the next matching request.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    Status(u16),
    /// The change happens but the response is lost.
    DropAfter,
}

#[derive(Default)]
struct Fake {
    secrets: Vec<Secret>,
    tokens: Vec<(String, String)>,
    next: u32,
    propagation_ms: u64,
    faults: VecDeque<(&'static str, Fault)>,
    requests: Vec<String>,
}

impl Fake {
    fn new() -> Self {
        let mut f = Self::default();
        f.add("old-secret", "seeded", CLIENT);
        f.add("sibling-secret", "another script", CLIENT);
        f.add("other-client-secret", "x", "other");
        f
    }

    fn add(&mut self, value: &str, description: &str, client: &str) -> String {
        self.next += 1;
        let id = format!("id{}", self.next);
        self.secrets.push(Secret {
            id: id.clone(),
            value: value.into(),
            description: description.into(),
            client: client.into(),
            accepted_from_ms: 0,
        });
        id
    }

    fn id_of(&self, value: &str) -> Option<String> {
        self.secrets
            .iter()
            .find(|s| s.value == value)
            .map(|s| s.id.clone())
    }

    fn accepts(&self, value: &str, now: u64) -> bool {
        self.secrets
            .iter()
            .any(|s| s.value == value && now >= s.accepted_from_ms)
    }

    fn client_ids(&self) -> Vec<String> {
        let mut v: Vec<_> = self
            .secrets
            .iter()
            .filter(|s| s.client == CLIENT)
            .map(|s| s.id.clone())
            .collect();
        v.sort();
        v
    }

    fn json(status: u16, body: serde_json::Value) -> HttpResponse {
        HttpResponse::new(
            status,
            vec![("Content-Type".into(), "application/json".into())],
            body.to_string().into_bytes(),
        )
    }

    fn handle(&mut self, req: &HttpRequest, now: u64) -> Result<HttpResponse, TransportError> {
        let url = url::Url::parse(&req.url).unwrap();
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        let route = match (req.method.as_str(), url.path()) {
            ("POST", "/connect/token") => "token",
            ("GET", _) => "list",
            ("POST", _) => "create",
            ("DELETE", _) => "delete",
            _ => unreachable!(),
        };
        self.requests.push(route.to_owned());
        let fault = match self.faults.front() {
            Some((r, f)) if *r == route => {
                let f = *f;
                self.faults.pop_front();
                Some(f)
            }
            _ => None,
        };
        if let Some(Fault::Status(code)) = fault {
            return Ok(HttpResponse::new(code, vec![], b"fault".to_vec()));
        }
        let response = match route {
            "token" => {
                let form: std::collections::HashMap<String, String> =
                    form_urlencoded::parse(&req.body).into_owned().collect();
                let secret = &form["client_secret"];
                match self
                    .secrets
                    .iter()
                    .find(|s| &s.value == secret && now >= s.accepted_from_ms)
                {
                    Some(s) => {
                        self.next += 1;
                        let token = format!("tok{}", self.next);
                        self.tokens.push((token.clone(), s.client.clone()));
                        Self::json(
                            200,
                            json!({"access_token": token, "token_type": "Bearer", "expires_in": 3600}),
                        )
                    }
                    None => Self::json(400, json!({"error": "invalid_client"})),
                }
            }
            _ => {
                let auth = req
                    .header("authorization")
                    .unwrap()
                    .trim_start_matches("Bearer ")
                    .to_owned();
                let Some((_, client)) = self.tokens.iter().find(|(t, _)| *t == auth).cloned()
                else {
                    return Ok(HttpResponse::new(401, vec![], vec![]));
                };
                match route {
                    "list" => Self::json(200, json!(self.secrets.iter().filter(|s| s.client == client).map(|s| json!({
                        "id": s.id, "description": s.description, "client_id": s.client, "createdAt": "2024-05-27T14:26:36.9981013Z"
                    })).collect::<Vec<_>>())),
                    "create" => {
                        self.next += 1;
                        let value = format!("new-secret-{}", self.next);
                        let id = self.add(&value, q.get("description").map_or("", String::as_str), &client);
                        if let Some(s) = self.secrets.last_mut() {
                            s.accepted_from_ms = now + self.propagation_ms;
                        }
                        Self::json(200, json!({"id": id, "description": q.get("description"), "createdAt": "2024-05-27T14:26:36.9981013Z", "secret": value}))
                    }
                    "delete" => {
                        let before = self.secrets.len();
                        self.secrets.retain(|s| s.id != q["id"]);
                        HttpResponse::new(if before == self.secrets.len() { 404 } else { 200 }, vec![], vec![])
                    }
                    _ => unreachable!(),
                }
            }
        };
        if fault == Some(Fault::DropAfter) {
            return Err(TransportError::new(
                TransportErrorKind::Interrupted,
                "connection reset",
            ));
        }
        Ok(response)
    }
}

fn first_record(fake: &Fake, with_id: bool) -> StoreRecord {
    let config = Config::new("https://auth.example.test")
        .unwrap()
        .with_customer_id("cust")
        .unwrap();
    let id = with_id.then(|| fake.id_of("old-secret").unwrap());
    StoreRecord::new(
        &config,
        CLIENT,
        ClientSecret::new("old-secret"),
        id,
        "l-test",
    )
    .unwrap()
}

struct Run {
    result: Result<RotationReport, Error>,
    store: StoreRecord,
    now: u64,
}

/// Drives a rotation. `crash_after_persists`: stop dead (as SIGKILL would)
/// once that many records were saved; `crash_before_save`: stop at the
/// Persist step with that index without saving it; `fail_save`: refuse that save.
#[derive(Default, Clone, Copy)]
struct Plan {
    crash_after_persists: Option<u32>,
    crash_before_save: Option<u32>,
    fail_save: Option<u32>,
    nonce: u8,
}

fn run(fake: &mut Fake, store: StoreRecord, start: u64, plan: Plan) -> Run {
    let mut rotation = Rotation::new(
        store.clone(),
        RotateOptions::default(),
        None,
        [plan.nonce; 8],
    )
    .unwrap();
    let (mut store, mut now, mut saves) = (store, start, 0);
    loop {
        match rotation.poll(now) {
            Step::Send(req, _) => {
                let r = fake.handle(&req, now);
                now += 5;
                rotation.on_response(r, now);
            }
            Step::Persist(record, _) => {
                if plan.crash_before_save == Some(saves) {
                    return Run {
                        result: Err(crashed()),
                        store,
                        now,
                    };
                }
                if plan.fail_save == Some(saves) {
                    saves += 1;
                    rotation.on_persisted(Err(Error::store(
                        mapsindoors_auth::StoreErrorKind::Io,
                        "disk full",
                    )));
                    continue;
                }
                assert_eq!(
                    record.generation,
                    store.generation + 1,
                    "compare-and-swap order"
                );
                store = *record;
                saves += 1;
                if plan.crash_after_persists == Some(saves) {
                    return Run {
                        result: Err(crashed()),
                        store,
                        now,
                    };
                }
                rotation.on_persisted(Ok(()));
            }
            Step::Sleep(ms, _) => now += ms,
            Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
            Step::Done(result) => return Run { result, store, now },
        }
    }
}

/// Runs the next rotation from a store left by an earlier run and checks it ends clean.
fn finish(fake: &mut Fake, store: StoreRecord, now: u64, nonce: u8) -> RotationReport {
    let next = run(
        fake,
        store,
        now,
        Plan {
            nonce,
            ..Plan::default()
        },
    );
    let report = next
        .result
        .unwrap_or_else(|e| panic!("the next run must complete: {e}"));
    assert_clean(fake, &next.store, next.now);
    report
}

fn crashed() -> Error {
    Error::store(mapsindoors_auth::StoreErrorKind::Io, "crashed")
}

/// After a completed run: the store's secret works, the old one and every
/// orphan is gone, the sibling survives.
fn assert_clean(fake: &Fake, store: &StoreRecord, now: u64) {
    assert!(
        fake.accepts(store.current.secret.expose_secret(), now),
        "store secret must work"
    );
    assert!(
        store.pending.is_none() && store.previous_id.is_none() && store.deleting.is_none(),
        "{store:?}"
    );
    // A started rotation may be remembered (until its grace ends) only when
    // no secret carries its tag: its create never reached the server.
    for r in &store.rotations {
        assert!(
            !fake.secrets.iter().any(|s| s.description.contains(&r.id)),
            "an orphan of {} is left: {store:?}",
            r.id
        );
    }
    let mut want = vec![
        store.current.id.clone().unwrap(),
        fake.id_of("sibling-secret").unwrap(),
    ];
    want.sort();
    assert_eq!(fake.client_ids(), want, "no orphans, sibling kept");
    assert!(fake.id_of("other-client-secret").is_some());
}

#[test]
fn happy_path_is_four_round_trips_and_five_saves() {
    let mut fake = Fake::new();
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    let report = r.result.unwrap();
    assert_eq!(report.round_trips, 4, "{:?}", fake.requests);
    assert_eq!(fake.requests, ["token", "create", "token", "delete"]);
    // intent, pending, promote, the delete's fence, deleted.
    assert_eq!(report.persists, 5);
    assert_eq!(report.generation, 6);
    assert!(report.rotated && !report.resumed);
    assert_eq!(report.deleted, vec![fake_old_id()]);
    assert!(report.token.is_some());
    assert_clean(&fake, &r.store, r.now);
    assert!(r.store.current.rotation.is_some());
}

fn fake_old_id() -> String {
    Fake::new().id_of("old-secret").unwrap()
}

#[test]
fn a_cached_token_saves_the_login() {
    let mut fake = Fake::new();
    let store = first_record(&fake, true);
    let token = {
        let req = mapsindoors_auth::request::token_request(
            &store.config().unwrap(),
            &store.current_credentials().unwrap(),
        )
        .unwrap();
        mapsindoors_auth::response::parse_token(&fake.handle(&req, 0).unwrap()).unwrap()
    };
    fake.requests.clear();
    let mut rotation = Rotation::new(store, RotateOptions::default(), Some(token), [1; 8]).unwrap();
    let mut now = 0;
    let report = loop {
        match rotation.poll(now) {
            Step::Send(req, _) => {
                let r = fake.handle(&req, now);
                rotation.on_response(r, now);
            }
            Step::Persist(..) => rotation.on_persisted(Ok(())),
            Step::Sleep(ms, _) => now += ms,
            Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
            Step::Done(r) => break r.unwrap(),
        }
    };
    assert_eq!(report.round_trips, 3);
    assert_eq!(fake.requests, ["create", "token", "delete"]);
}

#[test]
fn every_crash_point_recovers_with_no_orphan() {
    // Saves: 1 intent, 2 pending, 3 promote, 4 previous cleared.
    let mut cases = Vec::new();
    for n in 1..=4 {
        cases.push(Plan {
            crash_after_persists: Some(n),
            ..Plan::default()
        });
    }
    for n in 0..=3 {
        cases.push(Plan {
            crash_before_save: Some(n),
            ..Plan::default()
        });
    }
    for (i, plan) in cases.into_iter().enumerate() {
        let mut fake = Fake::new();
        let crashed = {
            let s = first_record(&fake, true);
            run(&mut fake, s, 0, plan)
        };
        assert!(crashed.result.is_err());
        assert!(
            fake.accepts(crashed.store.current.secret.expose_secret(), crashed.now)
                || crashed
                    .store
                    .pending
                    .as_ref()
                    .is_some_and(|p| fake.accepts(p.secret.expose_secret(), crashed.now)),
            "case {i}: store must hold a working secret"
        );
        let next = run(
            &mut fake,
            crashed.store,
            crashed.now,
            Plan {
                nonce: 2,
                ..Plan::default()
            },
        );
        next.result.unwrap_or_else(|e| panic!("case {i}: {e}"));
        assert_clean(&fake, &next.store, next.now);
    }
}

#[test]
fn propagation_delay_is_waited_out() {
    let mut fake = Fake::new();
    fake.propagation_ms = 2_000;
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    let report = r.result.unwrap();
    assert!(report.round_trips > 4);
    assert!(r.now >= 2_000);
    assert_clean(&fake, &r.store, r.now);
}

#[test]
fn propagation_that_never_ends_is_incomplete_but_safe_then_resumes() {
    let mut fake = Fake::new();
    fake.propagation_ms = 40_000;
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    let e = r.result.unwrap_err();
    assert_eq!(e.kind().as_str(), "rotation_incomplete", "{e}");
    assert!(fake.accepts("old-secret", r.now));
    assert!(r.store.pending.is_some());
    let report = finish(&mut fake, r.store, r.now + 20_000, 3);
    assert!(report.resumed);
}

#[test]
fn an_unclaimed_old_secret_is_kept_and_reported() {
    // With a sibling: the old secret cannot be told apart, so it is kept.
    let mut fake = Fake::new();
    let r = {
        let s = first_record(&fake, false);
        run(&mut fake, s, 0, Plan::default())
    };
    let report = r.result.unwrap();
    assert!(report.deleted.is_empty());
    assert_eq!(report.kept.len(), 1, "{:?}", report.kept);
    assert!(report.kept[0].advice().contains("id is unknown"));
    assert_eq!(report.round_trips, 3, "no listing to guess which it was");
    assert!(fake.id_of("old-secret").is_some() && fake.id_of("sibling-secret").is_some());
    // Without a sibling too: never inferred from a listing, kept until claimed.
    let mut fake = Fake::new();
    fake.secrets.retain(|s| s.value != "sibling-secret");
    let r = {
        let s = first_record(&fake, false);
        run(&mut fake, s, 0, Plan::default())
    };
    let report = r.result.unwrap();
    assert!(report.deleted.is_empty());
    assert!(fake.id_of("old-secret").is_some());
    // Claimed by the user, the next run deletes it.
    let old = fake.id_of("old-secret").unwrap();
    let mut store = r.store.clone();
    store.kept[0].id = Some(old.clone());
    let claimed = store.claim(&old, r.now).unwrap();
    let next = run(
        &mut fake,
        claimed,
        r.now + 1,
        Plan {
            nonce: 9,
            ..Plan::default()
        },
    );
    assert_eq!(next.result.unwrap().deleted, vec![old]);
    assert!(fake.id_of("old-secret").is_none());
}

#[test]
fn failing_to_save_the_new_secret_leaves_it_to_the_sweep() {
    let mut fake = Fake::new();
    let r = {
        let s = first_record(&fake, true);
        run(
            &mut fake,
            s,
            0,
            Plan {
                fail_save: Some(1),
                ..Plan::default()
            },
        )
    };
    assert_eq!(r.result.unwrap_err().kind().as_str(), "rotation_incomplete");
    // No delete without a saved fence: the unsaved secret waits for the sweep.
    assert_eq!(fake.requests, ["token", "create"]);
    assert!(fake.accepts("old-secret", r.now));
    assert_eq!(fake.client_ids().len(), 3);
    let report = finish(&mut fake, r.store, r.now + 1, 4);
    assert_eq!(report.swept.len(), 1);
}

#[test]
fn a_lost_create_response_is_swept_next_time() {
    let mut fake = Fake::new();
    fake.faults.push_back(("create", Fault::DropAfter));
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    assert_eq!(r.result.unwrap_err().kind().as_str(), "rotation_incomplete");
    assert!(!r.store.rotations.is_empty());
    assert_eq!(fake.client_ids().len(), 3, "an orphan exists");
    let report = finish(&mut fake, r.store, r.now, 4);
    assert_eq!(report.swept.len(), 1);
}

#[test]
fn a_refused_create_clears_the_intent_and_is_not_incomplete() {
    let mut fake = Fake::new();
    fake.faults.push_back(("create", Fault::Status(403)));
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    assert_eq!(r.result.unwrap_err().kind().as_str(), "forbidden");
    assert!(r.store.rotations.is_empty());
}

#[test]
fn transient_failures_of_idempotent_calls_are_retried() {
    let mut fake = Fake::new();
    fake.faults.push_back(("token", Fault::Status(503)));
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    r.result.unwrap();
    assert_eq!(
        fake.requests,
        ["token", "token", "create", "token", "delete"]
    );
    let mut fake = Fake::new();
    fake.faults.push_back(("delete", Fault::DropAfter));
    let r = {
        let s = first_record(&fake, true);
        run(&mut fake, s, 0, Plan::default())
    };
    r.result.unwrap();
    assert_clean(&fake, &r.store, r.now);
}

#[test]
fn a_rejected_current_with_a_working_pending_promotes_it() {
    let mut fake = Fake::new();
    let crashed = {
        let s = first_record(&fake, true);
        run(
            &mut fake,
            s,
            0,
            Plan {
                crash_after_persists: Some(2),
                ..Plan::default()
            },
        )
    };
    fake.secrets.retain(|s| s.value != "old-secret");
    let report = finish(&mut fake, crashed.store, crashed.now, 5);
    assert!(report.resumed);
}

#[test]
fn a_dead_current_without_pending_is_invalid_client() {
    let mut fake = Fake::new();
    let store = first_record(&fake, true);
    fake.secrets.retain(|s| s.value != "old-secret");
    let r = run(&mut fake, store, 0, Plan::default());
    assert_eq!(r.result.unwrap_err().kind().as_str(), "invalid_client");
    assert_eq!(r.store.generation, 1, "nothing saved");
}

#[test]
fn polling_out_of_order_is_an_error_not_a_panic() {
    let fake = Fake::new();
    let mut rotation = Rotation::new(
        first_record(&fake, true),
        RotateOptions::default(),
        None,
        [0; 8],
    )
    .unwrap();
    assert!(matches!(rotation.poll(0), Step::Send(..)));
    assert!(matches!(rotation.poll(0), Step::Done(Err(_))));
    rotation.on_persisted(Ok(()));
}

#[test]
fn a_resumed_run_waits_for_the_promoted_secret_to_propagate() {
    let mut fake = Fake::new();
    let crashed = {
        let s = first_record(&fake, true);
        run(
            &mut fake,
            s,
            0,
            Plan {
                crash_after_persists: Some(3),
                ..Plan::default()
            },
        )
    };
    assert!(crashed.store.previous_id.is_some());
    // A replica that has not seen the new secret yet.
    let new_value = crashed.store.current.secret.expose_secret().to_owned();
    for s in &mut fake.secrets {
        if s.value == new_value {
            s.accepted_from_ms = crashed.now + 1_500;
        }
    }
    let _report = finish(&mut fake, crashed.store, crashed.now, 6);
}
