//! The CLI's contract for scripts: the round trips of a rotation, exit codes
//! for each class of failure, `--help` everywhere, `--json` output, and the demo.
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

use common::Harness;
use mapsindoors_auth_emulator::{FaultRoute, FaultRule};

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";

#[test]
fn a_plain_rotation_takes_four_round_trips() {
    let h = Harness::new();
    h.init(SECRET);
    h.emu.clear_log();
    let run = h.cli(&["--json", "rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.json();
    assert_eq!(report["round_trips"], 4, "{report}");
    assert_eq!(report["rotated"], true);
    assert_eq!(report["old_id"], common::STORE_SECRET_ID);
    assert_eq!(report["deleted"][0], common::STORE_SECRET_ID);
    assert_eq!(h.emu.log().len(), 4, "the server saw 4 requests");
    h.clean().unwrap();
    println!(
        "round trips of a plain rotation: {} (persists: {})",
        report["round_trips"], report["persists"]
    );
    // Human output says the same.
    let run = h.cli(&["rotate"]);
    assert!(run.stdout.contains("round trips:    4"), "{run:?}");
}

#[test]
fn exit_codes_by_class_of_failure() {
    let h = Harness::new();
    // 3: a wrong secret. `init` logs in with it first and creates no store.
    let run = h.init_with(
        "not-the-right-secret",
        &["--secret-id", common::STORE_SECRET_ID],
    );
    assert_eq!(run.code, Some(3), "init with a wrong secret: {run:?}");
    assert!(run.stderr.contains("invalid client"), "{run:?}");
    assert!(!h.store.exists(), "no store for a refused secret");
    // A store whose secret the server no longer accepts.
    h.init(SECRET);
    let mut record = h.record();
    record.current.secret = mapsindoors_auth::ClientSecret::new("not-the-right-secret");
    record.generation += 1;
    mapsindoors_auth_store::FileStore::new(&h.store)
        .save(&record)
        .unwrap();
    let run = h.cli(&["token"]);
    assert_eq!(run.code, Some(3), "wrong secret: {run:?}");
    assert!(run.stderr.contains("invalid client"), "{run:?}");
    assert_eq!(
        h.cli(&["rotate"]).code,
        Some(3),
        "rotate with a wrong secret"
    );
    std::fs::remove_file(&h.store).unwrap();
    h.init(SECRET);
    assert_eq!(h.cli(&["token"]).code, Some(0));
    // 1: no such secret.
    let run = h.cli(&["delete", "000000000000000000000000"]);
    assert_eq!(run.code, Some(1), "unknown id: {run:?}");
    // 4: a server error that outlasts the retries.
    h.emu.inject(FaultRule::status(FaultRoute::Token, 503, 10));
    let run = h.cli(&["token", "--no-cache"]);
    assert_eq!(run.code, Some(4), "503: {run:?}");
    h.emu.clear_faults();
    // 5: a rotation cut after its create was sent; the store still works.
    h.emu.inject(FaultRule::drop_before(FaultRoute::Create, 1));
    let run = h.cli(&["--json", "rotate"]);
    assert_eq!(run.code, Some(5), "incomplete: {run:?}");
    assert_eq!(run.json()["error"]["kind"], "rotation_incomplete");
    // The rotation's report so far is in the same (one) document.
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert_eq!(run.json()["partial_report"]["rotated"], false, "{run:?}");
    assert!(h.current_works());
    assert_eq!(h.cli(&["rotate"]).code, Some(0));
    h.clean().unwrap();
    // 3: another customer's secrets (403).
    let mut record = h.record();
    record.customer_id = common::OTHER_CUSTOMER.into();
    record.generation += 1;
    mapsindoors_auth_store::FileStore::new(&h.store)
        .save(&record)
        .unwrap();
    assert_eq!(h.cli(&["list"]).code, Some(3), "forbidden");
    // 4: the server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = h.dir.path().join("down.json");
    let run = common::run_cli(
        &down,
        &[
            "init",
            "--auth-url",
            &format!("http://127.0.0.1:{port}"),
            "--customer-id",
            "c",
            "--client-id",
            "x",
        ],
        &[("MAPSINDOORS_CLIENT_SECRET", "s")],
        None,
    );
    assert_eq!(
        run.code,
        Some(4),
        "init against a server that is down: {run:?}"
    );
    assert!(run.stderr.contains("connect"), "{run:?}");
    assert!(!down.exists(), "no store without a login");
    // 2: usage errors and invalid input.
    assert_eq!(h.cli(&[]).code, Some(2), "no subcommand");
    assert_eq!(h.cli(&["delete"]).code, Some(2), "missing id");
    let current = h.record().current.id.clone().unwrap();
    let run = h.cli(&["delete", &current]);
    assert_eq!(
        run.code,
        Some(2),
        "deleting the store's own current secret: {run:?}"
    );
    assert!(run.stderr.contains("lock the store out"), "{run:?}");
    assert_eq!(h.cli(&["frobnicate"]).code, Some(2), "unknown subcommand");
    let run = common::run_cli(
        &h.dir.path().join("x.json"),
        &[
            "init",
            "--auth-url",
            "http://example.com",
            "--customer-id",
            "c",
            "--client-id",
            "x",
        ],
        &[("MAPSINDOORS_CLIENT_SECRET", "s")],
        None,
    );
    assert_eq!(run.code, Some(2), "plain http to a remote host: {run:?}");
    let run = common::run_cli(
        &h.dir.path().join("y.json"),
        &["init", "--customer-id", "c", "--client-id", "x"],
        &[],
        None,
    );
    assert_eq!(run.code, Some(2), "no secret given: {run:?}");
    assert!(!h.dir.path().join("y.json").exists());
    // 6: store errors.
    assert_eq!(
        common::run_cli(&h.dir.path().join("none.json"), &["list"], &[], None).code,
        Some(6)
    );
}

#[test]
fn help_on_every_subcommand_lists_the_exit_codes() {
    let h = Harness::new();
    for sub in [
        &[][..],
        &["init"],
        &["token"],
        &["list"],
        &["create"],
        &["delete"],
        &["rotate"],
        &["claim"],
        &["demo"],
    ] {
        let mut args = sub.to_vec();
        args.push("--help");
        let run = h.cli(&args);
        assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
        assert!(
            run.stdout.contains("Exit codes:") && run.stdout.contains("5  rotation incomplete"),
            "{args:?}: {run:?}"
        );
    }
}

#[test]
fn json_outputs_for_scripts() {
    let h = Harness::new();
    h.init(SECRET);
    let token = h.cli(&["--json", "token"]).json();
    assert!(
        token["access_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    assert_eq!(token["expires_in"], 3600);
    let plain = h.cli(&["token"]);
    assert_eq!(
        plain.stdout.lines().count(),
        1,
        "token prints only the token: {plain:?}"
    );
    let created = h
        .cli(&["--json", "create", "--description", "ci job"])
        .json();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(created["secret"].as_str().is_some_and(|s| s.len() >= 32));
    let listed = h.cli(&["--json", "list"]).json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == id.as_str() && s["description"] == "ci job")
    );
    assert_eq!(h.cli(&["--json", "delete", &id]).json()["deleted"], true);
    assert!(!h.server_ids().contains(&id));
}

#[test]
fn the_store_env_var_names_the_store() {
    let h = Harness::new();
    h.init(SECRET);
    let run = common::run_cli(
        std::path::Path::new("/nonexistent/ignored.json"),
        &["token"],
        &[],
        None,
    );
    assert_eq!(run.code, Some(6));
    let mut cmd = std::process::Command::new(common::bin());
    let out = cmd
        .arg("token")
        .env("MAPSINDOORS_AUTH_STORE", &h.store)
        .env_remove("MIA_CRASH_AT")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_runs_real_rotations_and_narrates_them() {
    let out = std::process::Command::new(common::bin())
        .arg("demo")
        .env_remove("MIA_CRASH_AT")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "log in with the current secret",
        "create the new secret",
        "persisted as pending",
        "verify",
        "promoted",
        "delete the old secret",
        "delete (sweep an orphan)",
        "round trips:    4",
        "round trips:    3",
        "failed safely (exit code 5",
    ] {
        assert!(
            stdout.contains(step),
            "demo output lacks `{step}`:\n{stdout}"
        );
    }
    assert!(!stdout.contains(mapsindoors_auth_emulator::DEMO_CLIENT_SECRET));
    println!("{stdout}");
}

#[test]
fn an_old_secret_of_unknown_id_is_kept_when_not_provably_ours() {
    let h = Harness::new();
    let url = h.emu.base_url();
    let run = common::run_cli(
        &h.store,
        &[
            "init",
            "--auth-url",
            &url,
            "--customer-id",
            common::CUSTOMER,
            "--client-id",
            common::CLIENT,
        ],
        &[("MAPSINDOORS_CLIENT_SECRET", SECRET)],
        None,
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    // Two secrets of the client (the one handed in and the sibling): init cannot tell
    // which one it was given, says so, and records both as candidates.
    for id in [common::STORE_SECRET_ID, common::SIBLING_ID] {
        assert!(
            run.stdout.contains(id),
            "init names candidate {id}: {run:?}"
        );
    }
    assert!(run.stdout.contains("mapsindoors-auth claim ID"), "{run:?}");
    let run = h.cli(&["--json", "rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.json();
    // The replaced secret is of unknown id: kept, with its candidates and advice.
    let kept = report["kept"].as_array().unwrap();
    assert_eq!(kept.len(), 1, "{report}");
    assert!(kept[0]["id"].is_null(), "{report}");
    assert_eq!(
        kept[0]["candidates"].as_array().unwrap().len(),
        2,
        "{report}"
    );
    assert!(
        kept[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not created by this store"),
        "{report}"
    );
    assert!(
        kept[0]["advice"].as_str().unwrap().contains("claim"),
        "{report}"
    );
    assert!(report["deleted"].as_array().unwrap().is_empty(), "{report}");
    assert!(
        h.emu.secret_is_valid(common::CLIENT, SECRET),
        "the old secret was left"
    );
    assert!(
        h.emu
            .secret_is_valid(common::CLIENT, common::SIBLING_SECRET)
    );
    assert!(h.current_works());
    assert_eq!(h.server_ids().len(), 3);
    let human = h.cli(&["rotate"]);
    assert_eq!(human.code, Some(0), "{human:?}");
    assert!(
        human.stdout.contains("kept:") && human.stdout.contains("mapsindoors-auth claim"),
        "{human:?}"
    );
    // Naming the right candidate: the next rotation deletes it, the sibling stays.
    let claim = h.cli(&["claim", common::STORE_SECRET_ID]);
    assert_eq!(claim.code, Some(0), "{claim:?}");
    let report = h.cli(&["--json", "rotate"]).json();
    assert!(
        report["deleted"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == common::STORE_SECRET_ID),
        "{report}"
    );
    assert!(!h.emu.secret_is_valid(common::CLIENT, SECRET));
    assert!(
        h.emu
            .secret_is_valid(common::CLIENT, common::SIBLING_SECRET)
    );
}

#[test]
fn token_with_rotate_rotates_at_login_and_prints_a_token_of_the_new_secret() {
    let h = Harness::new();
    h.init(SECRET);
    h.emu.clear_log();
    let run = h.cli(&["--json", "token", "--rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let out = run.json();
    assert_eq!(
        out["rotation"]["round_trips"], 4,
        "no extra round trip: {out}"
    );
    assert_eq!(h.emu.log().len(), 4);
    assert!(out["access_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(out["rotation"]["deleted"][0], common::STORE_SECRET_ID);
    h.clean().unwrap();
    // The plain form prints only the token.
    let run = h.cli(&["token", "--rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout.trim().lines().count(), 1, "{run:?}");
}
