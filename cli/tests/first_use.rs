//! The CLI as a new user first meets it (issue 14): errors name the flag
//! typed, a missing store says "run init" and leaves no file behind, `init`
//! proves the secret works, knobs out of range are usage errors before any
//! request, and a failed `delete` names the id.
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

use common::{CLIENT, CUSTOMER, Harness, STORE_SECRET_ID, run_cli};
use mapsindoors_auth_emulator::Route;

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";

/// The names of the files in `dir`.
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// An invalid `--auth-url` is reported as `--auth-url`, not the core's `base_url`.
#[test]
fn an_invalid_auth_url_names_the_flag() {
    let h = Harness::new();
    for url in ["not a url", "http://example.com", "ftp://example.com"] {
        let args = [
            "init",
            "--auth-url",
            url,
            "--customer-id",
            CUSTOMER,
            "--client-id",
            CLIENT,
        ];
        let run = run_cli(
            &h.store,
            &args,
            &[("MAPSINDOORS_CLIENT_SECRET", SECRET)],
            None,
        );
        assert_eq!(run.code, Some(2), "{url}: {run:?}");
        assert!(run.stderr.contains("`--auth-url`"), "{url}: {run:?}");
        assert!(!run.stderr.contains("base_url"), "{url}: {run:?}");
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(&args);
        let env = [("MAPSINDOORS_CLIENT_SECRET", SECRET)];
        let run = run_cli(&h.store, &json_args, &env, None);
        let message = run.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("`--auth-url`"), "{url}: {message}");
    }
    assert!(!h.store.exists());
    assert!(h.emu.log().is_empty(), "{:?}", h.emu.log());
}

/// Every command that needs a store, with none there (in an existing folder
/// or in a missing one): exit 6, "no store ... run init", and no file (no
/// `.lock`) created, no folder made.
#[test]
fn a_missing_store_says_run_init_and_creates_nothing() {
    let h = Harness::new();
    let missing_folder = h.dir.path().join("no-such-folder").join("store.json");
    let commands: [&[&str]; 8] = [
        &["rotate"],
        &["token", "--rotate"],
        &["claim", STORE_SECRET_ID],
        &["token"],
        &["list"],
        &["create"],
        &["delete", STORE_SECRET_ID],
        &["--json", "rotate"],
    ];
    for store in [&h.store, &missing_folder] {
        for args in commands {
            let run = run_cli(store, args, &[], None);
            assert_eq!(run.code, Some(6), "{args:?} {store:?}: {run:?}");
            assert!(
                run.stderr.contains("no store at")
                    && run.stderr.contains("run `mapsindoors-auth init` first"),
                "{args:?} {store:?}: {run:?}"
            );
            assert!(!run.stderr.contains("lock"), "{args:?}: {run:?}");
            assert!(
                listing(h.dir.path()).is_empty(),
                "{args:?} {store:?}: files left: {:?}",
                listing(h.dir.path())
            );
        }
    }
    let run = run_cli(&missing_folder, &["--json", "rotate"], &[], None);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "store", "{run:?}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("does not exist"),
        "{run:?}"
    );
    assert!(h.emu.log().is_empty(), "{:?}", h.emu.log());
}

/// `init` proves the secret works before writing anything: one login, one
/// list (which identifies the client's only secret); a refused secret is
/// exit 3 and leaves no store and no lock file.
#[test]
fn init_logs_in_once_and_identifies_the_only_secret() {
    let h = Harness::alone();
    let run = h.init_with("not-the-right-secret", &[]);
    assert_eq!(run.code, Some(3), "{run:?}");
    assert!(run.stderr.contains("invalid client"), "{run:?}");
    assert!(
        listing(h.dir.path()).is_empty(),
        "{:?}",
        listing(h.dir.path())
    );
    let routes: Vec<_> = h.emu.log().iter().map(|e| e.route).collect();
    assert_eq!(routes, [Route::Token], "one login, refused, then nothing");

    h.emu.clear_log();
    let run = h.init_with(SECRET, &["--json"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let routes: Vec<_> = h.emu.log().iter().map(|e| e.route).collect();
    assert_eq!(
        routes,
        [Route::Token, Route::List],
        "log in once, list once"
    );
    assert_eq!(run.json()["secret_id"], STORE_SECRET_ID, "{run:?}");
    assert_eq!(h.record().current.id.as_deref(), Some(STORE_SECRET_ID));
}

/// `--attempts 0` and `--timeout 0` (the older names of `--retries` and
/// `--timeout-ms`) are usage errors naming the flag, before any request and
/// before any file is touched.
#[test]
fn zero_attempts_or_timeout_is_a_usage_error_before_any_request() {
    let h = Harness::new();
    h.init(SECRET);
    let before = std::fs::read(&h.store).unwrap();
    h.emu.clear_log();
    for (args, flag) in [
        (&["--attempts", "0", "token"][..], "`--attempts`"),
        (&["token", "--attempts", "0"], "`--attempts`"),
        (&["rotate", "--attempts", "0"], "`--attempts`"),
        (&["--timeout", "0", "token"], "`--timeout`"),
        (&["rotate", "--timeout", "0"], "`--timeout`"),
        (&["list", "--timeout", "601"], "`--timeout`"),
        (&["delete", "x", "--attempts", "0"], "`--attempts`"),
    ] {
        let run = h.cli(args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(run.stderr.contains(flag), "{args:?}: {run:?}");
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(args);
        let error = &h.cli(&json_args).json()["error"];
        assert_eq!(error["exit_code"], 2, "{error}");
        assert!(error["message"].as_str().unwrap().contains(flag), "{error}");
    }
    // The same for init: nothing is written.
    std::fs::remove_file(&h.store).unwrap();
    let run = h.init_with(SECRET, &["--attempts", "0"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(!h.store.exists());
    assert!(h.emu.log().is_empty(), "{:?}", h.emu.log());
    std::fs::write(&h.store, before).unwrap();
}

/// `delete` of an id the server does not know names the id (exit 1, `not_found`).
#[test]
fn deleting_an_unknown_id_names_it() {
    let h = Harness::new();
    h.init(SECRET);
    let id = "0000000000000000000000ab";
    let run = h.cli(&["delete", id]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains(id), "{run:?}");
    let error = &h.cli(&["--json", "delete", id]).json()["error"];
    assert_eq!(error["code"], "not_found", "{error}");
    assert!(error["message"].as_str().unwrap().contains(id), "{error}");
    // The store's own secret is refused by id too.
    let run = h.cli(&["delete", STORE_SECRET_ID]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stderr.contains(STORE_SECRET_ID), "{run:?}");
    // A success names it as well.
    let created = h.cli(&["--json", "create"]).json();
    let new = created["id"].as_str().unwrap();
    let run = h.cli(&["delete", new]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.contains(new), "{run:?}");
}
