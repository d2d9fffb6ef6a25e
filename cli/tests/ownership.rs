//! Which secrets a rotation may delete: the secret handed to `init` is kept
//! (never deleted) unless claimed with `--secret-id`, `--claim` or `claim ID`;
//! kept secrets are reported with advice; a version 1 store is read and
//! rotated; a compare-and-swap conflict exits 5 and a rerun finishes.
// Test helpers outside #[test] fns may unwrap, panic and index too (a failing test should
// fail loudly), and tests print their figures for --nocapture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod common;

use common::{CLIENT, Harness, STORE_SECRET_ID};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";

fn deleted(report: &serde_json::Value) -> Vec<String> {
    report["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn init_identifies_the_only_secret_and_keeps_it_until_claimed() {
    let h = Harness::alone();
    let init = h.init_with(SECRET, &["--json"]);
    assert_eq!(init.code, Some(0), "{init:?}");
    let out = init.json();
    assert_eq!(out["secret_id"], STORE_SECRET_ID, "{out}");
    assert_eq!(out["owned"], false, "{out}");
    assert!(
        out["advice"]
            .as_str()
            .unwrap()
            .contains(&format!("mapsindoors-auth claim {STORE_SECRET_ID}")),
        "{out}"
    );
    // The human form says the same.
    std::fs::remove_file(&h.store).unwrap();
    let init = h.init_with(SECRET, &[]);
    assert_eq!(init.code, Some(0), "{init:?}");
    assert!(
        init.stdout.contains(&format!(
            "identified the secret handed in as {STORE_SECRET_ID}"
        )) && init.stdout.contains("kept"),
        "{init:?}"
    );

    h.emu.clear_log();
    let report = h.cli(&["--json", "rotate"]).json();
    assert_eq!(report["rotated"], true, "{report}");
    assert!(deleted(&report).is_empty(), "{report}");
    assert_eq!(report["round_trips"], 3, "login, create, verify: {report}");
    let kept = report["kept"].as_array().unwrap();
    assert_eq!(kept.len(), 1, "{report}");
    assert_eq!(kept[0]["id"], STORE_SECRET_ID, "{report}");
    assert!(kept[0]["created_at"].is_string(), "{report}");
    assert!(kept[0]["reason"].is_string(), "{report}");
    assert!(
        kept[0]["advice"]
            .as_str()
            .unwrap()
            .contains(&format!("mapsindoors-auth claim {STORE_SECRET_ID}")),
        "{report}"
    );
    assert!(
        h.emu.secret_is_valid(CLIENT, SECRET),
        "the handed-in secret still exists"
    );
    let human = h.cli(&["rotate"]);
    assert_eq!(human.code, Some(0), "{human:?}");
    assert!(
        human
            .stdout
            .contains(&format!("kept:           {STORE_SECRET_ID}"))
            && human.stdout.contains("delete it by hand"),
        "{human:?}"
    );
    assert!(h.emu.secret_is_valid(CLIENT, SECRET));

    // Claimed: the next rotation deletes it.
    let claim = h.cli(&["claim", STORE_SECRET_ID]);
    assert_eq!(claim.code, Some(0), "{claim:?}");
    assert!(
        claim.stdout.contains(&format!(
            "the next rotation deletes secret {STORE_SECRET_ID}"
        )),
        "{claim:?}"
    );
    let report = h.cli(&["--json", "rotate"]).json();
    assert_eq!(
        deleted(&report),
        vec![STORE_SECRET_ID.to_owned()],
        "{report}"
    );
    assert!(report["kept"].as_array().unwrap().is_empty(), "{report}");
    assert!(!h.emu.secret_is_valid(CLIENT, SECRET));
    h.clean().unwrap();
    println!("kept until claimed: init, rotate (kept), claim, rotate (deleted)");
}

#[test]
fn init_with_claim_or_secret_id_deletes_it_at_the_first_rotation() {
    for flags in [&["--claim"][..], &["--secret-id", STORE_SECRET_ID]] {
        let h = Harness::alone();
        let init = h.init_with(SECRET, flags);
        assert_eq!(init.code, Some(0), "{flags:?}: {init:?}");
        assert!(init.stdout.contains("claimed"), "{flags:?}: {init:?}");
        let report = h.cli(&["--json", "rotate"]).json();
        assert_eq!(
            deleted(&report),
            vec![STORE_SECRET_ID.to_owned()],
            "{flags:?}: {report}"
        );
        assert_eq!(report["round_trips"], 4, "{flags:?}: {report}");
        assert!(!h.emu.secret_is_valid(CLIENT, SECRET), "{flags:?}");
        h.clean().unwrap();
    }
}

#[test]
fn init_refuses_what_it_cannot_prove() {
    // --claim with several secrets: the core cannot know which one was handed in.
    let h = Harness::new();
    let run = h.init_with(SECRET, &["--claim"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("name the one handed in"), "{run:?}");
    assert!(!h.store.exists());
    // An id that is not one of the client's secrets.
    let run = h.init_with(SECRET, &["--secret-id", "000000000000000000000000"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains("no secret with that id"), "{run:?}");
    assert!(!h.store.exists());
    // Nothing was changed on the server.
    assert_eq!(h.server_ids().len(), 2);
}

#[test]
fn claiming_an_unknown_id_is_a_clear_error() {
    let h = Harness::alone();
    h.init(SECRET);
    let before = std::fs::read(&h.store).unwrap();
    let run = h.cli(&["claim", "000000000000000000000000"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains("not a secret this store keeps"),
        "{run:?}"
    );
    let run = h.cli(&["--json", "claim", "nope"]);
    assert_eq!(run.json()["error"]["kind"], "invalid_input", "{run:?}");
    assert_eq!(std::fs::read(&h.store).unwrap(), before, "store unchanged");
    // Without a store: a store error.
    let run = common::run_cli(&h.dir.path().join("none.json"), &["claim", "x"], &[], None);
    assert_eq!(run.code, Some(6), "{run:?}");
}

#[test]
fn a_version_1_store_is_read_and_rotated() {
    let h = Harness::new();
    let v1 = format!(
        r#"{{"format": "mapsindoors-auth/secret-store", "version": 1, "auth_url": "{}",
            "customer_id": "{}", "client_id": "{CLIENT}", "lineage": "l-0123456789abcdef",
            "generation": 4, "updated_at_ms": 77, "previous_id": null, "intent": "r-9",
            "previous_unidentified": false, "description": "v1 job",
            "current": {{"id": "{STORE_SECRET_ID}", "secret": "{SECRET}", "created_at": null, "rotation": null}},
            "pending": null}}"#,
        h.emu.base_url(),
        common::CUSTOMER
    );
    std::fs::write(&h.store, v1).unwrap();
    std::fs::set_permissions(&h.store, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(h.cli(&["token"]).code, Some(0));
    let run = h.cli(&["--json", "rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.json();
    // Version 1 kept an id only for secrets it was told or created: owned, deleted.
    assert_eq!(
        deleted(&report),
        vec![STORE_SECRET_ID.to_owned()],
        "{report}"
    );
    let record = h.record();
    assert_eq!(record.version, 2);
    assert!(record.generation > 4);
    assert_eq!(record.description.as_deref(), Some("v1 job"));
    assert!(
        std::fs::read_to_string(&h.store)
            .unwrap()
            .contains("\"version\": 2")
    );
    h.clean().unwrap();
}

#[test]
fn a_conflicting_save_exits_5_and_a_rerun_finishes() {
    let h = Harness::new();
    h.init(SECRET);
    // The new secret is refused for a while: the rotation waits in verify.
    h.emu.set_propagation_delay(Duration::from_millis(2500));
    let store = h.store.clone();
    let rotate = std::thread::spawn(move || common::run_cli(&store, &["rotate"], &[], None));
    // Another writer (not taking the rotation lock) saves the next generation meanwhile.
    let started = Instant::now();
    let mut record = loop {
        let r = h.record();
        if r.pending.is_some() {
            break r;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "never pending");
        std::thread::sleep(Duration::from_millis(20));
    };
    record.generation += 1;
    record.description = Some("changed by another writer".into());
    mapsindoors_auth_store::FileStore::new(&h.store)
        .save(&record)
        .unwrap();
    let run = rotate.join().unwrap();
    assert_eq!(run.code, Some(5), "{run:?}");
    assert!(run.stderr.contains("run the command again"), "{run:?}");
    assert!(h.current_works());
    h.emu.set_propagation_delay(Duration::ZERO);
    let rerun = h.cli(&["--json", "rotate"]);
    assert_eq!(rerun.code, Some(0), "{rerun:?}");
    h.clean().unwrap();
}
