//! Seeding a store through the [`Seed`] flow (identification without
//! inferring ownership), hostile timestamps and store generations, and waits
//! that stay relative when the wall clock steps back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sim;

use mapsindoors_auth::{
    ClientSecret, Config, Error, Flow, HttpResponse, RotateOptions, Rotation, Seed, SeedOptions,
    Seeded, Step, StoreRecord, Timestamp,
};
use sim::{CLIENT, Origin, Server, Store};

fn config() -> Config {
    Config::new("https://auth.example.test")
        .unwrap()
        .with_customer_id("cust")
        .unwrap()
}

/// Drives a seed to its end; returns the result and the requests' methods.
fn seed(
    server: &mut Server,
    store: &mut Store,
    options: SeedOptions,
) -> (Result<Seeded, Error>, Vec<String>) {
    let mut flow = Seed::new(
        &config(),
        CLIENT,
        ClientSecret::new("handed-in"),
        options,
        [3; 8],
    )
    .unwrap();
    let mut seen = Vec::new();
    loop {
        match flow.poll(0) {
            Step::Send(req, _) => {
                seen.push(req.method.as_str().to_owned());
                let r = server.handle(&req, "seed");
                flow.on_response(Ok(r), 0);
            }
            Step::Persist(record, _) => {
                seen.push(format!("save {}", record.generation));
                let r = store.save(&record);
                flow.on_persisted(r);
            }
            Step::Sleep(..) => {}
            Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
            Step::Done(r) => return (r, seen),
        }
    }
}

#[test]
fn seeding_identifies_the_only_secret_and_claims_only_when_told() {
    let mut server = Server::default();
    let id = server.add("handed-in", "given to this job", CLIENT, Origin::Seed);
    server.add("other-client", "x", "other", Origin::Sibling);
    let mut store = Store::default();
    let (seeded, seen) = seed(&mut server, &mut store, SeedOptions::default());
    let seeded = seeded.unwrap();
    assert_eq!(
        seen,
        ["POST", "GET", "save 1"],
        "generation 1 before any change"
    );
    assert_eq!(seeded.record.current.id.as_deref(), Some(id.as_str()));
    assert!(!seeded.record.current.owned, "identified, not claimed");
    assert!(seeded.record.lineage.starts_with("l-"));
    assert_eq!(store.record.as_ref(), Some(&seeded.record));
    // Claimed: the first rotation deletes it.
    let mut store = Store::default();
    let claim = SeedOptions {
        claim: true,
        ..SeedOptions::default()
    };
    let (seeded, _) = seed(&mut server, &mut store, claim);
    assert!(seeded.unwrap().record.current.owned);
}

#[test]
fn seeding_with_several_secrets_records_candidates_or_takes_a_named_id() {
    let mut server = Server::default();
    let mine = server.add("handed-in", "a", CLIENT, Origin::Seed);
    let sibling = server.add("sibling", "b", CLIENT, Origin::Sibling);
    let mut store = Store::default();
    let (seeded, _) = seed(&mut server, &mut store, SeedOptions::default());
    let record = seeded.unwrap().record;
    assert_eq!(record.current.id, None);
    let ids: Vec<_> = record
        .current
        .candidates
        .iter()
        .map(|c| c.id.clone())
        .collect();
    assert_eq!(ids, [mine.clone(), sibling]);
    // --claim cannot pick among several: refused before anything is saved.
    let mut empty = Store::default();
    let claim = SeedOptions {
        claim: true,
        ..SeedOptions::default()
    };
    let (r, seen) = seed(&mut server, &mut empty, claim);
    assert_eq!(r.unwrap_err().kind().as_str(), "invalid_input");
    assert!(empty.record.is_none() && !seen.iter().any(|s| s.starts_with("save")));
    // A named id must be one of the client's secrets.
    let named = |id: &str| SeedOptions {
        secret_id: Some(id.into()),
        ..SeedOptions::default()
    };
    let (r, _) = seed(&mut server, &mut Store::default(), named("no-such-id"));
    assert_eq!(r.unwrap_err().kind().as_str(), "invalid_input");
    let (r, _) = seed(&mut server, &mut Store::default(), named(&mine));
    let record = r.unwrap().record;
    assert!(record.current.owned && record.current.id.as_deref() == Some(mine.as_str()));
    // A store that is not empty is never overwritten.
    let (r, _) = seed(&mut server, &mut store, SeedOptions::default());
    assert_eq!(r.unwrap_err().kind().as_str(), "store");
}

#[test]
fn a_wrong_secret_seeds_nothing() {
    let mut server = Server::default();
    server.add("another", "a", CLIENT, Origin::Seed);
    let mut store = Store::default();
    let (r, seen) = seed(&mut server, &mut store, SeedOptions::default());
    assert_eq!(r.unwrap_err().kind().as_str(), "invalid_client");
    assert_eq!(seen, ["POST"]);
    assert!(store.record.is_none());
}

#[test]
fn hostile_timestamps_and_generations_are_errors_not_panics() {
    assert!(Timestamp::parse("9999-12-31T23:59:59-01:00").is_none());
    assert!(Timestamp::parse("9999-12-31T23:59:59+01:00").is_some());
    let list = HttpResponse::new(
        200,
        vec![("Content-Type".into(), "application/json".into())],
        br#"[{"id":"a","description":null,"client_id":"c","createdAt":"9999-12-31T23:59:59-01:00"}]"#
            .to_vec(),
    );
    let e = mapsindoors_auth::response::parse_list(&list).unwrap_err();
    assert_eq!(e.kind().as_str(), "unexpected_response", "{e}");
    let record = StoreRecord::new(&config(), CLIENT, ClientSecret::new("s"), None, "l-1").unwrap();
    let json = record.to_json().replace(
        "\"generation\": 1,",
        "\"generation\": 18446744073709551615,",
    );
    assert_eq!(
        StoreRecord::from_json(&json).unwrap_err().kind().as_str(),
        "store"
    );
}

#[test]
fn a_clock_stepping_back_never_stretches_a_wait() {
    let mut server = Server {
        propagation: true,
        ..Server::default()
    };
    let id = server.add("old", "seeded", CLIENT, Origin::Seed);
    let mut store = Store::new(
        StoreRecord::new(&config(), CLIENT, ClientSecret::new("old"), Some(id), "l-1").unwrap(),
    );
    let record = store.record.clone().unwrap();
    let mut rotation = Rotation::new(record, RotateOptions::default(), None, [1; 8]).unwrap();
    // The wall clock runs backwards by an hour at every step.
    let mut now: u64 = 1_000 * 3_600_000;
    let mut slept = 0;
    loop {
        now -= 3_600_000;
        match rotation.poll(now) {
            Step::Send(req, _) => {
                let r = server.handle(&req, "l-1");
                rotation.on_response(Ok(r), now);
            }
            Step::Persist(r, _) => {
                let saved = store.save(&r);
                rotation.on_persisted(saved);
            }
            Step::Sleep(ms, _) => {
                assert!(ms <= 5_000, "a wait of {ms} ms");
                slept += ms;
                server.propagate();
            }
            Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
            Step::Done(r) => {
                r.unwrap();
                break;
            }
        }
    }
    assert!(slept > 0, "the propagation wait was exercised");
}
