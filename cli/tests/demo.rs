//! `demo` honours the global flags it lists: `--json` prints one JSON
//! summary on stdout (the narration moves to stderr), `--store PATH` keeps
//! the demo's store there (a path that must not exist), and ids are labelled
//! as ids, never as secrets.
// Test helpers outside #[test] fns may unwrap, panic and index too (a failing test should
// fail loudly), and tests print their figures (matrix, round trips) for --nocapture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod common;

use common::Run;
use mapsindoors_auth_emulator::{DEMO_CLIENT_SECRET, DEMO_SECRET_ID};
use mapsindoors_auth_store::FileStore;

/// Runs the demo with these arguments and environment.
fn demo(args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = std::process::Command::new(common::bin())
        .args(args)
        .env_remove("MIA_CRASH_AT")
        .env_remove("MAPSINDOORS_AUTH_STORE")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run::from(out)
}

#[test]
fn demo_with_json_and_store_prints_one_summary_and_keeps_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.json");
    let at = path.to_str().unwrap();
    let run = demo(&["--json", "demo", "--store", at], &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(summary["store"], at, "{summary}");
    let runs = summary["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4, "{summary}");
    assert_eq!(runs[0]["report"]["round_trips"], 4, "{summary}");
    assert_eq!(runs[1]["ok"], false, "{summary}");
    assert_eq!(runs[1]["error"]["exit_code"], 5, "{summary}");
    assert_eq!(runs[3]["report"]["round_trips"], 3, "{summary}");
    assert_eq!(summary["seeded_secret_deleted"], true, "{summary}");
    // The narration went to stderr; no secret anywhere.
    assert!(run.stderr.contains("create the new secret"), "{run:?}");
    assert!(!run.stdout.contains(DEMO_CLIENT_SECRET) && !run.stderr.contains(DEMO_CLIENT_SECRET));
    // The store is kept, and is the demo's last state.
    let record = FileStore::new(&path).load().unwrap();
    assert_eq!(
        record.current.id.as_deref(),
        runs[3]["current_secret_id"].as_str()
    );
    let secret = record.current.secret.expose_secret().to_owned();
    assert!(!run.stdout.contains(&secret) && !run.stderr.contains(&secret));

    // A store that exists is never overwritten (flag before or after `demo`).
    let before = std::fs::read(&path).unwrap();
    for args in [
        &["demo", "--store", at][..],
        &["--store", at, "--json", "demo"],
    ] {
        let run = demo(args, &[]);
        assert_eq!(run.code, Some(6), "{args:?}: {run:?}");
        assert!(run.stderr.contains("left untouched"), "{run:?}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
    let run = demo(&["--json", "demo", "--store", at], &[]);
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    let error: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(error["error"]["exit_code"], 6, "{error}");

    // Given before `demo` it is honoured too.
    let other = dir.path().join("other.json");
    let run = demo(&["--store", other.to_str().unwrap(), "demo"], &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(other.exists(), "{run:?}");
}

/// The environment's store (a production one) is not the demo's: the demo
/// runs in a temp dir and leaves it alone.
#[test]
fn demo_ignores_the_store_env_var() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("production.json");
    std::fs::write(&path, b"not the demo's").unwrap();
    let run = demo(
        &["demo"],
        &[("MAPSINDOORS_AUTH_STORE", path.to_str().unwrap())],
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(std::fs::read(&path).unwrap(), b"not the demo's");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// Ids are labelled as ids: no "old secret: ID" in the demo or in `rotate`.
#[test]
fn secret_ids_are_labelled_as_ids() {
    let run = demo(&["demo"], &[]);
    assert_eq!(run.code, Some(0), "{run:?}");
    for label in ["old secret id:  ", "new secret id:  ", "deleted ids:    "] {
        assert!(run.stdout.contains(label), "no `{label}`: {run:?}");
    }
    for wrong in [
        "old secret:".to_owned(),
        "new secret:".to_owned(),
        format!("secret {DEMO_SECRET_ID}"),
    ] {
        assert!(!run.stdout.contains(&wrong), "`{wrong}`: {run:?}");
    }
    assert!(
        run.stdout.contains(&format!("secret id {DEMO_SECRET_ID}")),
        "{run:?}"
    );
    assert!(
        run.stdout.contains(&format!("(id {DEMO_SECRET_ID})")),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("the store's current secret (id "),
        "{run:?}"
    );

    let h = common::Harness::new();
    h.init("store-secret-of-script-a-0123456789abcdef");
    let run = h.cli(&["rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let old = format!("old secret id:  {}", common::STORE_SECRET_ID);
    assert!(run.stdout.contains(&old), "{run:?}");
}
