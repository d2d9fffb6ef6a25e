//! `--json` prints exactly one JSON document on stdout, on success and on
//! every failure: a failed rotation's report so far is a field of the error
//! document, and a usage error is a JSON error too.
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

use common::{CLIENT, CUSTOMER, Harness, Run, STORE_SECRET_ID, run_cli};
use mapsindoors_auth_emulator::{FaultRoute, FaultRule};

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";

/// The whole of stdout, parsed as exactly one JSON document on one line.
fn one_document(what: &str, run: &Run) -> serde_json::Value {
    assert_eq!(run.stdout.lines().count(), 1, "{what}: {run:?}");
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{what}: not one document ({e}): {run:?}"))
}

/// A failure's one document: its `error` carries the process's exit code.
fn one_error(what: &str, run: &Run) -> serde_json::Value {
    assert_ne!(run.code, Some(0), "{what}: {run:?}");
    let document = one_document(what, run);
    let error = &document["error"];
    assert_eq!(
        error["exit_code"].as_i64(),
        run.code.map(i64::from),
        "{what}: {document}"
    );
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {document}"
    );
    document
}

#[test]
fn a_failed_rotation_prints_one_document_with_its_partial_report() {
    let h = Harness::new();
    h.init(SECRET);
    for args in [&["--json", "rotate"][..], &["--json", "token", "--rotate"]] {
        h.emu.inject(FaultRule::drop_before(FaultRoute::Create, 1));
        let run = h.cli(args);
        assert_eq!(run.code, Some(5), "{args:?}: {run:?}");
        let document = one_error(&format!("{args:?}"), &run);
        assert_eq!(
            document["error"]["code"], "rotation_incomplete",
            "{document}"
        );
        assert_eq!(document["partial_report"]["rotated"], false, "{document}");
        h.emu.clear_faults();
    }
    let run = h.cli(&["--json", "rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(one_document("rotate", &run)["rotated"], true);
}

#[test]
fn every_command_fails_with_one_json_document() {
    let h = Harness::new();
    let url = h.emu.base_url();
    let init = [
        "--json",
        "init",
        "--auth-url",
        &url,
        "--customer-id",
        CUSTOMER,
        "--client-id",
        CLIENT,
    ];
    let env = [("MAPSINDOORS_CLIENT_SECRET", "not-the-right-secret")];
    let run = run_cli(&h.store, &init, &env, None);
    assert_eq!(
        one_error("init, wrong secret", &run)["error"]["code"],
        "invalid_client"
    );
    // No store yet.
    for args in [
        &["--json", "token"][..],
        &["--json", "list"],
        &["--json", "claim", "x"],
    ] {
        one_error(&format!("{args:?} without a store"), &h.cli(args));
    }
    h.init(SECRET);
    let env = [("MAPSINDOORS_CLIENT_SECRET", SECRET)];
    let run = run_cli(&h.store, &init, &env, None);
    one_error("init over a store", &run);
    let unknown = "0000000000000000000000ab";
    for (args, code) in [
        (&["--json", "delete", unknown][..], "not_found"),
        (&["--json", "claim", unknown], "invalid_input"),
        (&["--json", "delete", STORE_SECRET_ID], "invalid_input"),
        (&["--json", "rotate", "--no-such-flag"], "invalid_input"),
        (&["--json", "no-such-command"], "invalid_input"),
        (&["--json"], "invalid_input"),
        (&["--json", "token", "--retries", "11"], "invalid_input"),
    ] {
        let run = h.cli(args);
        let document = one_error(&format!("{args:?}"), &run);
        assert_eq!(document["error"]["code"], code, "{args:?}: {document}");
    }
    // Server failures, for each command that calls it.
    h.emu.inject(FaultRule::status(FaultRoute::Token, 503, 100));
    for args in [
        &["--json", "token"][..],
        &["--json", "list"],
        &["--json", "create"],
        &["--json", "delete", unknown],
        &["--json", "rotate"],
        &["--json", "token", "--rotate"],
    ] {
        let run = h.cli(&[args, &["--retries", "0"]].concat());
        let document = one_error(&format!("{args:?}"), &run);
        assert!(matches!(run.code, Some(4 | 5)), "{args:?}: {document}");
    }
    h.emu.clear_faults();
    // `--help` is no failure: help text, exit 0.
    let run = h.cli(&["--json", "--help"]);
    assert_eq!(run.code, Some(0), "{run:?}");
}
