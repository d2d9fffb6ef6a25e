//! The core's session and flows against the emulator over real loopback
//! HTTP, through a small test-only ureq transport: token → create → list →
//! delete, a revoked token, seeding, and a rotation, with an in-memory store
//! that is a compare-and-swap on the generation.

// Test helpers may fail loudly: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, Flow, HttpRequest, HttpResponse, Operation, Outcome,
    RotateOptions, Rotation, Seed, SeedOptions, Session, Settings, Step, StoreErrorKind,
    StoreRecord, TransportError, TransportErrorKind,
};
use mapsindoors_auth_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_ID, DEMO_SECRET_ID, Emulator, EmulatorConfig,
};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn send(agent: &ureq::Agent, req: &HttpRequest) -> Result<HttpResponse, TransportError> {
    let mut builder = ureq::http::Request::builder()
        .method(req.method.as_str())
        .uri(&req.url);
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    let request = builder
        .body(req.body.clone())
        .map_err(|e| TransportError::new(TransportErrorKind::Other, e.to_string()))?;
    let mut response = agent
        .run(request)
        .map_err(|e| TransportError::new(TransportErrorKind::Connect, e.to_string()))?;
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|e| TransportError::new(TransportErrorKind::Interrupted, e.to_string()))?;
    Ok(HttpResponse::new(response.status().as_u16(), headers, body))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The store contract: save only over generation `record.generation - 1`
/// (0: the store must be empty), else a conflict.
fn save(store: &mut Option<StoreRecord>, record: StoreRecord) -> Result<(), Error> {
    let held = store.as_ref().map_or(0, |r| r.generation);
    if record.generation.checked_sub(1) != Some(held) {
        return Err(Error::store(
            StoreErrorKind::Conflict,
            format!("store holds generation {held}"),
        ));
    }
    *store = Some(record);
    Ok(())
}

/// The driving loop, with a compare-and-swap store kept in memory.
fn drive<F: Flow>(mut flow: F, store: &mut Option<StoreRecord>) -> Result<F::Output, Error> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    loop {
        match flow.poll(now_ms()) {
            Step::Send(req, _) => {
                let r = send(&agent, &req);
                flow.on_response(r, now_ms());
            }
            Step::Persist(record, _) => {
                let result = save(store, *record);
                flow.on_persisted(result);
            }
            Step::Load => flow.on_loaded(Ok(store.clone())),
            Step::Sleep(ms, _) | Step::Wait(ms) => std::thread::sleep(Duration::from_millis(ms)),
            Step::Done(result) => return result,
        }
    }
}

fn session(config: &Config, creds: &Credentials) -> Session {
    Session::new(config.clone(), creds.clone(), Settings::default()).unwrap()
}

fn setup() -> (Emulator, Config, Credentials) {
    let emu = Emulator::start_background(EmulatorConfig::default()).unwrap();
    let config = Config::new(&emu.base_url())
        .unwrap()
        .with_customer_id(DEMO_CUSTOMER_ID)
        .unwrap();
    let creds = Credentials::client(DEMO_CLIENT_ID, ClientSecret::new(DEMO_CLIENT_SECRET)).unwrap();
    (emu, config, creds)
}

#[test]
fn token_create_list_delete() {
    let (emu, config, creds) = setup();
    let session = session(&config, &creds);
    let Outcome::Token(token) = drive(session.token(), &mut None).unwrap() else {
        panic!("not a token")
    };
    assert_eq!(token.expires_in, Some(3600));

    let created = match drive(
        session.call(Operation::Create {
            description: Some("e2e & co".into()),
            client_id: None,
        }),
        &mut None,
    )
    .unwrap()
    {
        Outcome::Created(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(created.description.as_deref(), Some("e2e & co"));
    assert!(emu.secret_is_valid(DEMO_CLIENT_ID, created.secret.expose_secret()));

    let listed = match drive(session.call(Operation::List), &mut None).unwrap() {
        Outcome::Listed(l) => l,
        other => panic!("{other:?}"),
    };
    assert!(
        listed
            .iter()
            .any(|s| s.id == created.id && s.created_at.unix_millis() > 0)
    );

    let delete = || {
        session.call(Operation::Delete {
            id: created.id.clone(),
        })
    };
    drive(delete(), &mut None).unwrap();
    assert!(!emu.secret_is_valid(DEMO_CLIENT_ID, created.secret.expose_secret()));
    let again = drive(delete(), &mut None).unwrap_err();
    assert_eq!(again.kind().as_str(), "not_found");
    // One login served them all.
    let logins = emu
        .log()
        .iter()
        .filter(|e| e.path.ends_with("/connect/token"))
        .count();
    assert_eq!(logins, 1);
}

/// A token the server revoked, refused with ASP.NET's 401 in both shapes
/// (headers only; headers and `{"error":"invalid_token"}`): exactly one new
/// login, then the call succeeds, and the session keeps the new token.
#[test]
fn a_revoked_token_costs_exactly_one_new_login_in_both_401_shapes() {
    let (emu, config, creds) = setup();
    let session = session(&config, &creds);
    for json_body in [false, true] {
        emu.set_bearer_json_body(json_body);
        drive(session.token(), &mut None).unwrap();
        emu.revoke_tokens();
        emu.clear_log();
        drive(session.call(Operation::List), &mut None).unwrap();
        drive(session.call(Operation::List), &mut None).unwrap();
        let logins = emu
            .log()
            .iter()
            .filter(|e| e.path.ends_with("/connect/token"))
            .count();
        assert_eq!(logins, 1, "json_body={json_body}: {:?}", emu.log());
    }
}

/// A session whose every token is refused ends with `unauthorized`, the
/// bearer challenge's error kept, after exactly one new login.
#[test]
fn a_token_refused_twice_is_unauthorized_with_the_challenge() {
    let (emu, config, creds) = setup();
    let session = session(&config, &creds);
    emu.set_bearer_json_body(true);
    drive(session.token(), &mut None).unwrap();
    emu.revoke_tokens();
    // Revoke again as soon as the new login happens: drive by hand.
    let mut task = session.call(Operation::List);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let error = loop {
        match task.poll(now_ms()) {
            Step::Send(req, _) => {
                let r = send(&agent, &req);
                if req.url.ends_with("/connect/token") {
                    emu.revoke_tokens();
                }
                task.on_response(r, now_ms());
            }
            Step::Done(r) => break r.unwrap_err(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(error.kind().as_str(), "unauthorized");
    assert_eq!(
        error.oauth().map(|o| o.code.as_str()),
        Some("invalid_token")
    );
    assert!(error.to_string().contains("invalid_token"), "{error}");
}

#[test]
fn wrong_secret_is_invalid_client() {
    let (_emu, config, _) = setup();
    let creds = Credentials::client(DEMO_CLIENT_ID, ClientSecret::new("wrong")).unwrap();
    let e = drive(session(&config, &creds).token(), &mut None).unwrap_err();
    assert_eq!(e.kind().as_str(), "invalid_client");
}

#[test]
fn seeding_identifies_the_only_secret_and_keeps_it_unless_claimed() {
    let (emu, config, _) = setup();
    for claim in [false, true] {
        let mut store = None;
        let seeded = drive(
            Seed::new(
                &config,
                DEMO_CLIENT_ID,
                ClientSecret::new(DEMO_CLIENT_SECRET),
                SeedOptions {
                    claim,
                    ..SeedOptions::default()
                },
                [claim.into(); 8],
            )
            .unwrap(),
            &mut store,
        )
        .unwrap();
        let record = store.unwrap();
        assert_eq!(record.generation, 1);
        assert_eq!(record, seeded.record);
        assert_eq!(record.current.id.as_deref(), Some(DEMO_SECRET_ID));
        assert_eq!(record.current.owned, claim);
        // Seeding over a store that exists is a conflict, before any change.
        let mut taken = Some(record);
        let e = drive(
            Seed::new(
                &config,
                DEMO_CLIENT_ID,
                ClientSecret::new(DEMO_CLIENT_SECRET),
                SeedOptions::default(),
                [9; 8],
            )
            .unwrap(),
            &mut taken,
        )
        .unwrap_err();
        assert!(matches!(
            e,
            Error::Store {
                kind: StoreErrorKind::Conflict,
                ..
            }
        ));
    }
    // Unclaimed: the rotation keeps the handed-in secret and reports it.
    let mut store = None;
    drive(
        Seed::new(
            &config,
            DEMO_CLIENT_ID,
            ClientSecret::new(DEMO_CLIENT_SECRET),
            SeedOptions::default(),
            [3; 8],
        )
        .unwrap(),
        &mut store,
    )
    .unwrap();
    let record = store.clone().unwrap();
    let report = drive(
        Rotation::new(record, RotateOptions::default(), None, [4; 8]).unwrap(),
        &mut store,
    )
    .unwrap();
    assert!(report.rotated && report.deleted.is_empty());
    assert_eq!(report.kept.len(), 1);
    assert_eq!(report.kept[0].id.as_deref(), Some(DEMO_SECRET_ID));
    assert!(emu.secret_is_valid(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
}

#[test]
fn rotation_over_http_replaces_the_secret() {
    let (emu, config, _) = setup();
    emu.set_propagation_delay(Duration::from_millis(300));
    let record = StoreRecord::new(
        &config,
        DEMO_CLIENT_ID,
        ClientSecret::new(DEMO_CLIENT_SECRET),
        Some(DEMO_SECRET_ID.into()),
        "l-e2e",
    )
    .unwrap();
    let mut store = Some(record.clone());
    let report = drive(
        Rotation::new(record, RotateOptions::default(), None, [7; 8]).unwrap(),
        &mut store,
    )
    .unwrap();
    let store = store.unwrap();
    assert!(report.rotated);
    assert_eq!(report.deleted, vec![DEMO_SECRET_ID.to_owned()]);
    assert!(
        report.round_trips > 4,
        "propagation forced retries: {}",
        report.round_trips
    );
    assert!(!emu.secret_is_valid(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET));
    assert!(emu.secret_is_valid(DEMO_CLIENT_ID, store.current.secret.expose_secret()));
    let ids: Vec<_> = emu
        .secrets(DEMO_CUSTOMER_ID)
        .into_iter()
        .filter(|s| s.client_id == DEMO_CLIENT_ID)
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, vec![store.current.id.clone().unwrap()]);
}
