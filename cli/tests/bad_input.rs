//! Bad store files: corrupt, truncated, empty, unknown version, and readable
//! by others. Every command refuses with a clear message and exit code 6, and
//! the file is left byte for byte (and mode for mode) as it was.
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
use std::os::unix::fs::PermissionsExt;

#[test]
fn bad_store_files_are_refused_and_left_untouched() {
    let h = Harness::new();
    h.init("store-secret-of-script-a-0123456789abcdef");
    // `init` logged in and listed; from here on the server must see nothing.
    h.emu.clear_log();
    let good = std::fs::read_to_string(&h.store).unwrap();
    let cases: Vec<(&str, Vec<u8>, u32, &str)> = vec![
        (
            "corrupt",
            b"{\"format\": \"mapsindoors-auth/secret-store\", oops".to_vec(),
            0o600,
            "not valid JSON",
        ),
        (
            "truncated",
            good.as_bytes()[..good.len() / 3].to_vec(),
            0o600,
            "truncated",
        ),
        ("empty", Vec::new(), 0o600, "empty"),
        (
            "unknown version",
            good.replace("\"version\": 2", "\"version\": 3")
                .into_bytes(),
            0o600,
            "unknown record version 3",
        ),
        ("mode 0644", good.clone().into_bytes(), 0o644, "chmod 600"),
    ];
    for (name, bytes, mode, message) in cases {
        std::fs::write(&h.store, &bytes).unwrap();
        std::fs::set_permissions(&h.store, std::fs::Permissions::from_mode(mode)).unwrap();
        for args in [
            &["token"][..],
            &["list"],
            &["rotate"],
            &["create"],
            &["delete", "x"],
        ] {
            let run = h.cli(args);
            assert_eq!(run.code, Some(6), "{name} {args:?}: {run:?}");
            assert!(
                run.stderr.contains(message),
                "{name} {args:?}: unclear message: {run:?}"
            );
            assert!(
                run.stderr.contains("untouched") || mode != 0o600,
                "{name}: {run:?}"
            );
            assert_eq!(
                std::fs::read(&h.store).unwrap(),
                bytes,
                "{name} {args:?}: file changed"
            );
            let now = std::fs::metadata(&h.store).unwrap().permissions().mode() & 0o777;
            assert_eq!(now, mode, "{name}: mode changed");
        }
        let run = h.cli(&["--json", "token"]);
        assert_eq!(run.json()["error"]["kind"], "store", "{run:?}");
        // init never overwrites whatever is there.
        let url = h.emu.base_url();
        let run = common::run_cli(
            &h.store,
            &[
                "init",
                "--auth-url",
                &url,
                "--customer-id",
                "c",
                "--client-id",
                "x",
            ],
            &[("MAPSINDOORS_CLIENT_SECRET", "s")],
            None,
        );
        assert_eq!(run.code, Some(6), "{name}: init over it: {run:?}");
        assert_eq!(
            std::fs::read(&h.store).unwrap(),
            bytes,
            "{name}: init changed it"
        );
        println!("bad input {name:<16} -> exit 6: {}", run_first_line(&h));
    }
    // The server saw nothing: every refusal happened before any request.
    assert!(
        h.emu.log().is_empty(),
        "requests were sent: {:?}",
        h.emu.log().len()
    );
}

fn run_first_line(h: &Harness) -> String {
    h.cli(&["token"])
        .stderr
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_missing_store_is_a_store_error() {
    let h = Harness::new();
    let run = h.cli(&["token"]);
    assert_eq!(run.code, Some(6), "{run:?}");
    assert!(run.stderr.contains("init"), "{run:?}");
}

/// The knobs carry the names every binding uses and the core's ranges: a knob
/// out of range is refused (exit 2, naming its flag) before any request; the old
/// flag names still work.
#[test]
fn knobs_are_validated_by_the_core_before_any_request() {
    let h = Harness::new();
    h.init("store-secret-of-script-a-0123456789abcdef");
    h.emu.clear_log();
    for (args, knob) in [
        (&["--retries", "11", "token"][..], "`--retries`"),
        (&["token", "--timeout-ms", "0"], "`--timeout-ms`"),
        (
            &["rotate", "--propagation-wait-ms", "600001"],
            "`--propagation-wait-ms`",
        ),
        (&["rotate", "--attempts", "12"], "`--attempts`"),
    ] {
        let run = h.cli(args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(run.stderr.contains(knob), "{args:?}: {run:?}");
    }
    assert!(h.emu.log().is_empty(), "{:?}", h.emu.log());
    let run = h.cli(&["--json", "token", "--retries", "11"]);
    let error = &run.json()["error"];
    assert_eq!(error["code"], "invalid_input", "{error}");
    assert_eq!(error["exit_code"], 2, "{error}");
    for args in [
        &["token", "--retries", "0", "--timeout-ms", "5000"][..],
        &["token", "--attempts", "2", "--timeout", "5"],
        &["rotate", "--propagation-max-ms", "5000"],
    ] {
        let run = h.cli(args);
        assert_eq!(run.code, Some(0), "{args:?}: {run:?}");
    }
}
