//! The five ways an independent review made a rotation delete a secret it
//! had to keep (issue 9), as named regression tests. Each drives the real
//! [`Rotation`] against the in-memory server and a compare-and-swap-only store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod sim;

use mapsindoors_auth::{ClientSecret, Config, RotateOptions, Rotation, StoreRecord};
use sim::{CLIENT, Origin, Run, Server, Store};

fn config() -> Config {
    Config::new("https://auth.example.test")
        .unwrap()
        .with_customer_id("cust")
        .unwrap()
}

/// A record seeded with `secret`; `id` names (and so claims) it.
fn seeded(secret: &str, id: Option<String>, lineage: &str) -> StoreRecord {
    StoreRecord::new(&config(), CLIENT, ClientSecret::new(secret), id, lineage).unwrap()
}

/// The seed secret handed to store `l-a` alone, which claimed it by id.
fn handed_to_a(server: &mut Server) -> (String, Store) {
    let old = server.add(
        "old-secret",
        "seeded",
        CLIENT,
        Origin::HandedTo("l-a".into()),
    );
    let store = Store::new(seeded("old-secret", Some(old.clone()), "l-a"));
    (old, store)
}

fn start(store: &Store, lineage: &str, nonce: u8, now: u64) -> Run {
    let record = store.record.clone().unwrap();
    let rotation = Rotation::new(record, RotateOptions::default(), None, [nonce; 8]).unwrap();
    Run::new(rotation, lineage, now)
}

fn current_works(server: &Server, store: &Store) -> bool {
    server.accepts(
        store
            .record
            .as_ref()
            .unwrap()
            .current
            .secret
            .expose_secret(),
    )
}

/// No secret that the store `lineage` did not create was deleted by it.
fn assert_only_own_deleted(server: &Server, lineage: &str) {
    for (secret, by) in &server.deleted_by_store {
        assert!(
            by != lineage || secret.origin.owned_by(lineage),
            "store {lineage} deleted a secret it did not create: {secret:?}"
        );
    }
}

/// Scenario 1: Two runs of one store without a lock: the stale one must not delete the
/// secret the other has just promoted.
#[test]
fn two_unlocked_runs_never_delete_the_promoted_secret() {
    let mut server = Server::default();
    let (_old, mut store) = handed_to_a(&mut server);
    let mut p1 = start(&store, "l-a", 1, 0);
    // P1 persists its intent and is about to create.
    p1.until(&mut server, &mut store, |r| {
        r.next_is("POST", "/api/clientcredentials")
    });
    // P2 loads that record and logs in with the old secret.
    let mut p2 = start(&store, "l-a", 2, 0);
    p2.until(&mut server, &mut store, |r| {
        r.next_is("GET", "/api/clientcredentials")
    });
    // P1 finishes: creates, promotes, deletes the old secret.
    p1.finish(&mut server, &mut store).unwrap();
    // P2 goes on from its stale record.
    let _ = p2.finish(&mut server, &mut store);
    assert!(
        current_works(&server, &store),
        "the store's current secret was deleted"
    );
    assert_only_own_deleted(&server, "l-a");
}

/// Scenario 2: An old secret of unknown id: a crash after deleting it, then a sibling
/// is created; the rerun must not take the sibling for the old secret.
#[test]
fn an_unidentified_old_secret_is_never_inferred_after_a_crash() {
    let mut server = Server::default();
    server.add("old-secret", "seeded", CLIENT, Origin::Seed);
    let mut store = Store::new(seeded("old-secret", None, "l-a"));
    let mut run = start(&store, "l-a", 1, 0);
    // Run until the first DELETE, carry it out, then die before saving.
    run.until(&mut server, &mut store, |r| {
        r.next_is("DELETE", "/api/clientcredentials")
    });
    if !run.is_done() {
        run.advance(&mut server, &mut store);
    }
    let sibling = server.add("sibling-secret", "another script", CLIENT, Origin::Sibling);
    let mut rerun = start(&store, "l-a", 2, 10);
    let _ = rerun.finish(&mut server, &mut store);
    assert!(server.find(&sibling).is_some(), "the sibling was deleted");
    assert!(current_works(&server, &store));
    assert_only_own_deleted(&server, "l-a");
}

/// Scenario 3: The same without a crash: a run stops after promote, a person deletes
/// the old secret by hand; the next run must leave the sibling alone.
#[test]
fn an_old_secret_deleted_by_hand_does_not_make_the_sibling_a_target() {
    let mut server = Server::default();
    let old = server.add("old-secret", "seeded", CLIENT, Origin::Seed);
    let sibling = server.add("sibling-secret", "another script", CLIENT, Origin::Sibling);
    let mut store = Store::new(seeded("old-secret", None, "l-a"));
    let mut run = start(&store, "l-a", 1, 0);
    // After promote, every request fails (the network went away).
    run.until(&mut server, &mut store, |r| {
        r.store_generation_at_least(3) && matches!(r.peek(), mapsindoors_auth::Step::Send(..))
    });
    while !run.is_done() {
        if matches!(run.peek(), mapsindoors_auth::Step::Send(..)) {
            run.fail_send();
        } else {
            run.advance(&mut server, &mut store);
        }
    }
    server.admin_delete(&old);
    let mut next = start(&store, "l-a", 2, 10);
    let _ = next.finish(&mut server, &mut store);
    assert!(server.find(&sibling).is_some(), "the sibling was deleted");
    assert!(current_works(&server, &store));
    assert_only_own_deleted(&server, "l-a");
}

/// Scenario 4: A person creates a secret by pasting a description from the list, tag
/// included; a later sweep must not take it for an orphan.
#[test]
fn a_copied_tag_is_not_an_orphan() {
    let mut server = Server::default();
    let (_old, mut store) = handed_to_a(&mut server);
    start(&store, "l-a", 1, 0)
        .finish(&mut server, &mut store)
        .unwrap();
    let current = store.record.as_ref().unwrap().current.id.clone().unwrap();
    let pasted = server.find(&current).unwrap().description.clone();
    let copy = server.add("hand-made", &pasted, CLIENT, Origin::Admin);
    // A run whose create answer is lost leaves work for a sweep...
    let mut lost = start(&store, "l-a", 2, 10);
    lost.until(&mut server, &mut store, |r| {
        r.next_is("POST", "/api/clientcredentials")
    });
    lost.lose_answer(&mut server);
    let _ = lost.finish(&mut server, &mut store);
    // ...which the next run does, long after.
    let mut sweep = start(&store, "l-a", 3, 100_000_000);
    sweep.finish(&mut server, &mut store).unwrap();
    assert!(server.find(&copy).is_some(), "the hand-made copy was swept");
    assert!(current_works(&server, &store));
    assert_only_own_deleted(&server, "l-a");
    let own_left = server
        .secrets
        .iter()
        .filter(|s| s.origin == Origin::Store("l-a".into()))
        .count();
    assert_eq!(own_left, 1, "the lost create's orphan was not swept");
}

/// Scenario 5: Two installations seeded from one shared secret: the first to rotate
/// must not lock the other out.
#[test]
fn a_shared_seed_secret_is_never_deleted() {
    let mut server = Server::default();
    server.add("shared-secret", "shipped", CLIENT, Origin::Seed);
    let mut a = Store::new(seeded("shared-secret", None, "l-a"));
    let mut b = Store::new(seeded("shared-secret", None, "l-b"));
    let _ = start(&a, "l-a", 1, 0).finish(&mut server, &mut a);
    let rb = start(&b, "l-b", 2, 10).finish(&mut server, &mut b);
    assert!(rb.is_ok(), "the second installation is locked out: {rb:?}");
    assert!(current_works(&server, &a) && current_works(&server, &b));
    assert_only_own_deleted(&server, "l-a");
    assert_only_own_deleted(&server, "l-b");
}

/// Found by review: a DELETE the server refuses for good (403) must not make
/// every later run retry it forever; the secret is kept and reported.
#[test]
fn a_delete_refused_for_good_is_kept_not_retried_forever() {
    let mut server = Server::default();
    let (old, mut store) = handed_to_a(&mut server);
    let mut run = start(&store, "l-a", 1, 0);
    run.until(&mut server, &mut store, |r| {
        r.next_is("DELETE", "/api/clientcredentials")
    });
    for _ in 0..4 {
        if run.next_is("DELETE", "/api/clientcredentials") {
            run.answer(mapsindoors_auth::HttpResponse::new(403, vec![], vec![]));
        } else if !run.is_done() {
            run.advance(&mut server, &mut store);
        }
    }
    let report = run.finish(&mut server, &mut store).unwrap();
    assert!(
        report
            .kept
            .iter()
            .any(|k| k.id.as_deref() == Some(old.as_str()) && k.reason.contains("refused"))
    );
    let record = store.record.clone().unwrap();
    assert!(record.deleting.is_none() && !record.has_unfinished_rotation());
    // The next rotation goes ahead normally.
    start(&store, "l-a", 2, 10)
        .finish(&mut server, &mut store)
        .unwrap();
    assert!(current_works(&server, &store));
}

/// Found by review: a record whose cleanup names the secret in use (a hand
/// edit, a buggy store) is refused, never followed.
#[test]
fn a_record_naming_the_current_secret_for_deletion_is_refused() {
    let mut server = Server::default();
    let id = server.add(
        "old-secret",
        "seeded",
        CLIENT,
        Origin::HandedTo("l-a".into()),
    );
    let mut record = seeded("old-secret", Some(id.clone()), "l-a");
    record.previous_id = Some(id.clone());
    let e = Rotation::new(record.clone(), RotateOptions::default(), None, [1; 8])
        .err()
        .unwrap();
    assert_eq!(e.kind().as_str(), "store");
    assert!(StoreRecord::from_json(&record.to_json()).is_err());
    record.previous_id = None;
    record.deleting = Some(id);
    assert!(StoreRecord::from_json(&record.to_json()).is_err());
}

/// Found by review: claiming while a pending secret waits would strand the
/// store's own old secret; claim is refused until the rotation is finished.
#[test]
fn claiming_during_an_unfinished_rotation_is_refused() {
    let mut server = Server::default();
    let seed_id = server.add("seed", "seeded", CLIENT, Origin::Seed);
    // Identified (the client's only secret) but not claimed.
    let mut record = seeded("seed", None, "l-a");
    record.current.id = Some(seed_id.clone());
    let mut store = Store::new(record);
    start(&store, "l-a", 1, 0)
        .finish(&mut server, &mut store)
        .unwrap();
    let mut run = start(&store, "l-a", 2, 10);
    run.until(&mut server, &mut store, |r| {
        r.rotation.record().pending.is_some()
    });
    let record = store.record.clone().unwrap();
    assert_eq!(record.kept[0].id.as_deref(), Some(seed_id.as_str()));
    let e = record.claim(&seed_id, 20).unwrap_err();
    assert!(e.to_string().contains("unfinished"), "{e}");
    // Once the rotation is finished, the claim goes through and is honoured.
    run.finish(&mut server, &mut store).unwrap();
    let claimed = store.record.as_ref().unwrap().claim(&seed_id, 30).unwrap();
    store.save(&claimed).unwrap();
    let report = start(&store, "l-a", 3, 40)
        .finish(&mut server, &mut store)
        .unwrap();
    assert_eq!(report.deleted, vec![seed_id]);
}
