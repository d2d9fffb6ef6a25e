//! The canary: a full run (init from stdin, token, list, create, rotate) at
//! `-vvv` with a known secret. Neither it nor any secret created along the
//! way appears in stdout, stderr or the emulator's log, except `create`'s
//! deliberate one-time print of its new secret on stdout.
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

const CANARY: &str = "CANARY-7d1e9b2c-never-print-me-0123456789";

#[test]
fn no_secret_reaches_any_output_at_the_most_verbose_level() {
    let h = Harness::with_secret(CANARY);
    let url = h.emu.base_url();
    let init = common::run_cli(
        &h.store,
        &[
            "-vvv",
            "init",
            "--auth-url",
            &url,
            "--customer-id",
            common::CUSTOMER,
            "--client-id",
            common::CLIENT,
            "--secret-id",
            common::STORE_SECRET_ID,
        ],
        &[],
        Some(&format!("{CANARY}\n")),
    );
    assert_eq!(init.code, Some(0), "{init:?}");
    let token = h.cli(&["-vvv", "token"]);
    let token_json = h.cli(&["-vvv", "--json", "token"]);
    let list = h.cli(&["-vvv", "list"]);
    let create = h.cli(&["-vvv", "--json", "create", "--description", "canary test"]);
    let rotate = h.cli(&["-vvv", "rotate"]);
    let after = h.cli(&["-vvv", "--json", "list"]);
    let runs = [
        ("init", &init),
        ("token", &token),
        ("token --json", &token_json),
        ("list", &list),
        ("create", &create),
        ("rotate", &rotate),
        ("list --json", &after),
    ];
    for (name, run) in &runs {
        assert_eq!(run.code, Some(0), "{name}: {run:?}");
        assert!(
            run.stderr.contains("TRACE") || run.stderr.contains("DEBUG"),
            "{name}: -vvv logged nothing: {run:?}"
        );
    }
    // Each step is logged by the purpose or reason the core gave it.
    for (run, why) in [
        (&init, "why=\"login\""),
        (&init, "why=\"seed\""),
        (&list, "why=\"list\""),
        (&create, "why=\"create\""),
        (&rotate, "why=\"verify\""),
        (&rotate, "why=\"pending\""),
        (&rotate, "why=\"fence\""),
        (&rotate, "why=\"delete_old\""),
    ] {
        assert!(run.stderr.contains(why), "{why} not logged: {run:?}");
    }
    let created = create.json()["secret"].as_str().unwrap().to_owned();
    let rotated = h.record().current.secret.expose_secret().to_owned();
    let access = token.stdout.trim().to_owned();
    assert!(!access.is_empty());
    let emulator_log = format!("{:?}", h.emu.log());
    for (secret_name, secret) in [
        ("canary", CANARY),
        ("created", created.as_str()),
        ("rotated", rotated.as_str()),
        ("access token", access.as_str()),
    ] {
        for (name, run) in &runs {
            let allowed_stdout = (secret_name == "created" && *name == "create")
                // The second `token` reuses the cached token (and prints it).
                || (secret_name == "access token" && name.starts_with("token"));
            assert!(
                allowed_stdout || !run.stdout.contains(secret),
                "{secret_name} secret in {name}'s stdout"
            );
            assert!(
                !run.stderr.contains(secret),
                "{secret_name} secret in {name}'s stderr"
            );
        }
        assert!(
            !emulator_log.contains(secret),
            "{secret_name} secret in the emulator's log"
        );
    }
    let total: usize = runs
        .iter()
        .map(|(_, r)| r.stdout.len() + r.stderr.len())
        .sum();
    println!(
        "canary: {total} bytes of output at -vvv from {} runs hold no secret",
        runs.len()
    );
}
