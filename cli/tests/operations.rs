//! Running rotation in production (issue 14), end to end with the real binary
//! against the emulator: `rotate --if-older-than`, `status` (exit codes,
//! `--json`, `--prometheus`), the token cache shared by concurrent `token`
//! calls, and `--log-format json`.
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

use common::{Harness, run_cli};
use mapsindoors_auth::ClientSecret;
use mapsindoors_auth_emulator::Route;
use mapsindoors_auth_store::FileStore;
use std::time::Duration;

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";

fn logins(h: &Harness) -> usize {
    h.emu
        .log()
        .iter()
        .filter(|e| e.route == Route::Token)
        .count()
}

/// Not due: nothing is sent and nothing created; once due, it rotates.
#[test]
fn rotate_if_older_than_rotates_only_when_due() {
    let h = Harness::new();
    h.init(SECRET);
    h.emu.clear_log();
    let run = h.cli(&["--json", "rotate", "--if-older-than", "30d"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let report = run.json();
    assert_eq!(report["rotated"], false, "{report}");
    assert_eq!(report["decision"], "not_due", "{report}");
    assert!(
        report["due_at"].as_str().unwrap().ends_with('Z'),
        "{report}"
    );
    assert_eq!(report["round_trips"], 0);
    assert!(h.emu.log().is_empty(), "{:?}", h.emu.log());
    assert_eq!(h.record().generation, 1);
    // The seeded secret is a second old by now: due at `1s`.
    std::thread::sleep(Duration::from_millis(1100));
    let run = h.cli(&["--json", "rotate", "--if-older-than", "1s"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.json()["decision"], "due");
    assert_eq!(run.json()["rotated"], true);
    h.clean().unwrap();
    // A human report says so too.
    let run = h.cli(&["rotate", "--if-older-than", "30d"]);
    assert!(
        run.stdout.contains("decision:       not_due (next due "),
        "{run:?}"
    );
    // Durations are checked before anything is read.
    for bad in ["0s", "30", "thirty days", "11y"] {
        let run = h.cli(&["rotate", "--if-older-than", bad]);
        assert_eq!(run.code, Some(2), "{bad}: {run:?}");
    }
}

/// `status`: ok (0), due (1), unfinished (1), a refused secret (2), an
/// unreadable or missing store (2); `--json` and `--prometheus` agree.
#[test]
fn status_exit_codes_json_and_prometheus() {
    let h = Harness::new();
    // No store: critical.
    let run = h.cli(&["status"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stdout.starts_with("CRITICAL: the store cannot be read"),
        "{run:?}"
    );
    h.init(SECRET);

    let run = h.cli(&["status", "--check", "--max-age", "30d"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout
            .starts_with("OK: secret 5f0000000000000000000001"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("the server accepts the secret; the client has 2 secrets")
    );
    let doc = h
        .cli(&["--json", "status", "--check", "--max-age", "30d"])
        .json();
    assert_eq!(doc["health"], "ok", "{doc}");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["check"]["accepted"], true);
    assert_eq!(doc["check"]["secret_count"], 2);
    assert_eq!(doc["current"]["owned"], true);
    assert_eq!(doc["due"], false);
    let prom = h.cli(&["status", "--check", "--max-age", "30d", "--prometheus"]);
    assert_eq!(prom.code, Some(0), "{prom:?}");
    for line in [
        "# TYPE mapsindoors_auth_secret_age_seconds gauge",
        "mapsindoors_auth_health{store=",
        "mapsindoors_auth_rotation_unfinished{",
        "mapsindoors_auth_secret_accepted{",
        "mapsindoors_auth_client_secrets{",
    ] {
        assert!(prom.stdout.contains(line), "{line}: {}", prom.stdout);
    }
    assert!(
        prom.stdout
            .contains("client_id=\"acme-sync\",customer_id=\"acme\"} 1\n")
    );
    // Every sample line is `name{labels} number`.
    for line in prom.stdout.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }

    // Due: a warning.
    std::thread::sleep(Duration::from_millis(1100));
    let run = h.cli(&["status", "--max-age", "1s"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.starts_with("WARNING:"), "{run:?}");
    assert!(run.stdout.contains("due for rotation"), "{run:?}");

    // A rotation killed after saving its pending secret: unfinished, a warning.
    let crashed = h.cli_env(&["rotate"], &[("MIA_CRASH_AT", "after_persist_pending")]);
    assert_ne!(crashed.code, Some(0));
    let doc = h.cli(&["--json", "status"]).json();
    assert_eq!(doc["unfinished"], "verify", "{doc}");
    assert_eq!(doc["exit_code"], 1);
    let prom = h.cli(&["status", "--prometheus"]).stdout;
    assert!(
        prom.contains("mapsindoors_auth_rotation_unfinished{"),
        "{prom}"
    );
    assert!(
        prom.lines()
            .any(|l| l.starts_with("mapsindoors_auth_rotation_unfinished{") && l.ends_with(" 1")),
        "{prom}"
    );
    assert_eq!(h.cli(&["rotate"]).code, Some(0));
    let prom = h.cli(&["status", "--prometheus"]).stdout;
    assert!(
        prom.contains("mapsindoors_auth_last_rotation_timestamp_seconds{"),
        "{prom}"
    );

    // The server refuses the store's secret: critical, and not an error.
    let store = FileStore::new(&h.store);
    let mut next = store.load().unwrap().next(1).unwrap();
    next.current.secret = ClientSecret::new("a-secret-the-server-never-issued-0123456789");
    store.save(&next).unwrap();
    let run = h.cli(&["status", "--check"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.starts_with("CRITICAL:"), "{run:?}");
    assert!(run.stdout.contains("refuses the current secret"), "{run:?}");
    let doc = h.cli(&["--json", "status", "--check"]).json();
    assert_eq!(doc["check"]["refusal_kind"], "invalid_client", "{doc}");
    assert!(!doc.to_string().contains("never-issued"));
    // Without --check nothing is asked: the record alone looks fine.
    assert_eq!(h.cli(&["status"]).code, Some(0));

    // An unreadable store: critical, in every format.
    std::fs::write(&h.store, "{ not json").unwrap();
    assert_eq!(h.cli(&["status"]).code, Some(2));
    let doc = h.cli(&["--json", "status"]).json();
    assert_eq!(
        (doc["health"].as_str(), doc["exit_code"].as_u64()),
        (Some("critical"), Some(2))
    );
    let prom = h.cli(&["status", "--prometheus"]);
    assert_eq!(prom.code, Some(2));
    assert!(
        prom.stdout.contains("mapsindoors_auth_health{store="),
        "{prom:?}"
    );
    // --prometheus with --json: unknown (3), one JSON document.
    let run = h.cli(&["--json", "status", "--prometheus"]);
    assert_eq!(run.code, Some(3), "{run:?}");
    assert_eq!(run.json()["health"], "unknown");
}

/// 20 `token` calls at once make one login; every later one reuses the
/// cached token; a rotation invalidates it; `--no-cache` logs in.
#[test]
fn concurrent_tokens_share_one_login_and_a_rotation_invalidates_it() {
    let h = Harness::new();
    h.init(SECRET);
    h.emu.clear_log();
    let store = h.store.clone();
    let runs: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || run_cli(&store, &["token"], &[], None))
        })
        .map(|t| t.join().unwrap())
        .collect();
    for run in &runs {
        assert_eq!(run.code, Some(0), "{run:?}");
    }
    let tokens: std::collections::BTreeSet<_> =
        runs.iter().map(|r| r.stdout.trim().to_owned()).collect();
    assert_eq!(tokens.len(), 1, "one token for all");
    assert_eq!(logins(&h), 1, "{:?}", h.emu.log());
    assert_eq!(h.emu.log().len(), 1);
    // The cache file: beside the store, 0600, never the secret.
    let cache = h.dir.path().join("store.json.token");
    let text = std::fs::read_to_string(&cache).unwrap();
    assert!(!text.contains(SECRET));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cache).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let first = tokens.into_iter().next().unwrap();
    // The cached token works against the API (list with it via the emulator's check).
    assert_eq!(h.cli(&["token"]).stdout.trim(), first);
    assert_eq!(logins(&h), 1);

    // A rotation saves new generations: the cached token no longer matches.
    assert_eq!(h.cli(&["rotate"]).code, Some(0));
    h.emu.clear_log();
    let after = h.cli(&["token"]);
    assert_eq!(after.code, Some(0), "{after:?}");
    assert_ne!(after.stdout.trim(), first);
    assert_eq!(logins(&h), 1, "one new login after the rotation");
    assert_eq!(h.cli(&["token"]).stdout.trim(), after.stdout.trim());
    assert_eq!(logins(&h), 1);
    // --no-cache logs in.
    let fresh = h.cli(&["token", "--no-cache"]);
    assert_eq!(fresh.code, Some(0));
    assert_eq!(logins(&h), 2);
    // A cache lock that cannot be taken (here a folder in its place; a
    // read-only store folder is the same): log in without the cache.
    let lock = h.dir.path().join("store.json.token.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    std::fs::remove_file(&cache).unwrap();
    let unlocked = h.cli(&["token"]);
    assert_eq!(unlocked.code, Some(0), "{unlocked:?}");
    assert!(
        unlocked.stderr.contains("token cache not used"),
        "{unlocked:?}"
    );
    assert_eq!(logins(&h), 3);
    std::fs::remove_dir(&lock).unwrap();
    let h_logins = 3;
    // A corrupt cache is ignored (and replaced), never an error.
    std::fs::write(&cache, "garbage").unwrap();
    assert_eq!(h.cli(&["token"]).code, Some(0));
    assert_eq!(logins(&h), h_logins + 1);
    assert_eq!(h.cli(&["token"]).code, Some(0));
    assert_eq!(logins(&h), h_logins + 1);
}

/// `--log-format json`: one JSON line per step on stderr, with the step's
/// purpose or reason, outcome and duration; never a secret.
#[test]
fn log_format_json_prints_each_step() {
    let h = Harness::new();
    h.init(SECRET);
    let run = h.cli(&["--log-format", "json", "rotate"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let events: Vec<serde_json::Value> = run
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let sends: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "send")
        .map(|e| e["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(
        sends,
        ["login", "create", "verify", "delete_old"],
        "{events:?}"
    );
    let saves: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "persist")
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(saves, ["intent", "pending", "promote", "fence", "deleted"]);
    for e in &events {
        assert_eq!(e["outcome"], "ok", "{e}");
        assert!(e["duration_ms"].as_u64().is_some(), "{e}");
    }
    assert_eq!(events[0]["event"], "load");
    assert!(!run.stderr.contains(SECRET));
    let record = h.record();
    assert!(!run.stderr.contains(record.current.secret.expose_secret()));
    // Text (the default) prints none of them.
    let quiet = h.cli(&["rotate"]);
    assert!(quiet.stderr.is_empty(), "{quiet:?}");
    // A failure ends with a JSON line too: every stderr line parses.
    h.emu.inject(mapsindoors_auth_emulator::FaultRule::status(
        mapsindoors_auth_emulator::FaultRoute::Token,
        503,
        10,
    ));
    let failed = h.cli(&["--log-format", "json", "--retries", "0", "list"]);
    assert_eq!(failed.code, Some(4), "{failed:?}");
    let last: Vec<serde_json::Value> = failed
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let end = last.last().unwrap();
    assert_eq!(
        (end["event"].as_str(), end["exit_code"].as_u64()),
        (Some("error"), Some(4)),
        "{end}"
    );
    h.emu.clear_faults();
    // A warning (here: the token cache's lock cannot be taken) is a JSON line too.
    std::fs::create_dir(h.dir.path().join("store.json.token.lock")).unwrap();
    let warned = h.cli(&["--log-format", "json", "token"]);
    assert_eq!(warned.code, Some(0), "{warned:?}");
    let lines: Vec<serde_json::Value> = warned
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "WARN"
            && l["message"]
                .as_str()
                .is_some_and(|m| m.contains("token cache not used"))),
        "{lines:?}"
    );
    assert!(!warned.stderr.contains(SECRET));
}
